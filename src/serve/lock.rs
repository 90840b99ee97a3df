//! A mutex that reports a re-entrant lock instead of hanging.
//!
//! `std::sync::Mutex` deadlocks when the thread holding it locks it again, and in an async
//! server that one stuck worker soon holds every other request behind it: the whole web
//! console stops answering (issue 27: a refused form rendered its page while the state's
//! guard, a temporary of a `match` scrutinee, was still alive). This lock remembers which
//! thread holds it; a second lock from that thread panics with the lock's name, so the
//! request that made the mistake fails alone (its connection closes) and every other
//! request goes on. Tests see the panic at once instead of a timeout.
//!
//! The rest of the class is closed by the API: the hub lends its state to a closure
//! ([`super::hub::Hub::read`]) and never hands out a guard, and a guard cannot be held
//! across an `.await` in a handler (it is not `Send`, and clippy's `await_holding_lock`
//! is denied).

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// A per-thread number: `ThreadId::as_u64` is not stable.
fn this_thread() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local! {
        static ID: u64 = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    ID.with(|id| *id)
}

/// A mutex with a name, that panics on a re-entrant lock.
pub struct Lock<T> {
    name: &'static str,
    /// The thread holding the lock, or 0.
    holder: AtomicU64,
    inner: Mutex<T>,
}

/// A held [`Lock`].
#[clippy::has_significant_drop]
pub struct Guard<'a, T> {
    lock: &'a Lock<T>,
    // Dropped after `holder` is cleared (see `Drop`), so no other thread can take the lock
    // and then see itself named as the holder.
    inner: Option<MutexGuard<'a, T>>,
}

impl<T> Lock<T> {
    /// A lock named for its error message (`the hub's state`).
    pub fn new(name: &'static str, value: T) -> Lock<T> {
        Lock {
            name,
            holder: AtomicU64::new(0),
            inner: Mutex::new(value),
        }
    }

    /// Locks; panics if this thread already holds the lock. A thread that panicked while
    /// holding it left the data whole (every update is complete before the guard goes),
    /// so a poisoned lock is still used.
    pub fn lock(&self) -> Guard<'_, T> {
        let me = this_thread();
        if self.holder.load(Ordering::Acquire) == me {
            panic!(
                "{} locked again by the thread that holds it: this would deadlock the server; drop the first guard before calling what locks it again",
                self.name
            );
        }
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        self.holder.store(me, Ordering::Release);
        Guard {
            lock: self,
            inner: Some(inner),
        }
    }
}

impl<T> Drop for Guard<'_, T> {
    fn drop(&mut self) {
        self.lock.holder.store(0, Ordering::Release);
        self.inner.take();
    }
}

impl<T> Deref for Guard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.inner.as_ref().expect("a live guard holds its lock")
    }
}

impl<T> DerefMut for Guard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.inner.as_mut().expect("a live guard holds its lock")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_re_entrant_lock_panics_with_the_locks_name_instead_of_hanging() {
        let lock = Lock::new("the test's state", 1);
        let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _first = lock.lock();
            let _second = lock.lock();
        }));
        let message = got.expect_err("the second lock panics");
        let text = message
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(text.contains("the test's state"), "{text}");
        // The first guard was dropped while unwinding: the lock works again.
        assert_eq!(*lock.lock(), 1);
    }

    #[test]
    fn other_threads_wait_their_turn() {
        let lock = Arc::new(Lock::new("a counter", 0u32));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let lock = lock.clone();
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        *lock.lock() += 1;
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(*lock.lock(), 4000);
    }
}
