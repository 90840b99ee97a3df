//! The Language Server Protocol's framing on standard input and output: `Content-Length`
//! headers, then a JSON-RPC message. Our own reader rather than lsp-server's stdio
//! transport, for two things an editor's server must survive: a message whose JSON does
//! not parse is answered with JSON-RPC's parse error and the server goes on (lsp-server's
//! reader ends the connection), and a `Content-Length` beyond any real message is refused
//! before memory is set aside for it.

use std::io::{BufRead, Read, Write};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use lsp_server::Message;

/// The largest message read: a 4 MiB file sent whole, escaped as JSON, with room to spare.
const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// What the reader hands the server.
pub enum Incoming {
    /// A message.
    Message(Message),
    /// A body that is not a JSON-RPC message, with JSON-RPC's error code for it: -32700
    /// when it is not JSON, -32600 when it is JSON but not a request or notification.
    Malformed(i32, String),
}

/// What the server hands the writer.
pub enum Outgoing {
    /// A message.
    Message(Message),
    /// An error about a message that could not be read, which has the null id no
    /// [`Message`] can carry.
    Unreadable(i32, String),
}

/// The two threads and their channels.
pub struct Transport {
    /// Messages from the client; closed when the client is gone.
    pub incoming: Receiver<Incoming>,
    /// Messages to the client.
    pub outgoing: Sender<Outgoing>,
    writer: JoinHandle<()>,
}

impl Transport {
    /// Reads `input` and writes `output` on threads of their own.
    pub fn start(
        input: impl BufRead + Send + 'static,
        output: impl Write + Send + 'static,
    ) -> Transport {
        let (in_tx, incoming) = mpsc::channel();
        let (outgoing, out_rx) = mpsc::channel::<Outgoing>();
        // Named, so that a profile tells the server's threads apart.
        let thread = |name: &str| std::thread::Builder::new().name(name.into());
        thread("ttx-lsp-read")
            .spawn(move || read_loop(input, in_tx))
            .expect("a thread can be started");
        let writer = thread("ttx-lsp-write")
            .spawn(move || {
                let mut output = output;
                for message in out_rx {
                    let written = match message {
                        Outgoing::Message(m) => m.write(&mut output),
                        Outgoing::Unreadable(code, why) => {
                            let body = serde_json::json!({
                                "jsonrpc": "2.0",
                                "id": null,
                                "error": {"code": code, "message": why},
                            })
                            .to_string();
                            write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())
                                .and_then(|()| output.flush())
                        }
                    };
                    // The client closed its end: nothing more can reach it.
                    if written.is_err() {
                        break;
                    }
                }
            })
            .expect("a thread can be started");
        Transport {
            incoming,
            outgoing,
            writer,
        }
    }

    /// Sends what is queued and waits for the writer to finish.
    pub fn finish(self) {
        drop(self.outgoing);
        let _ = self.writer.join();
    }
}

fn read_loop(mut input: impl BufRead, tx: Sender<Incoming>) {
    loop {
        let body = match read_body(&mut input) {
            Ok(Some(body)) => body,
            Ok(None) => return,
            Err(why) => {
                eprintln!("ttx lsp: {why}; closing the connection");
                return;
            }
        };
        let item = match serde_json::from_slice::<Message>(&body) {
            Ok(m) => Incoming::Message(m),
            Err(e) => match serde_json::from_slice::<serde_json::Value>(&body) {
                Ok(_) => Incoming::Malformed(
                    -32600,
                    format!("the message is not a JSON-RPC request or notification: {e}"),
                ),
                Err(e) => Incoming::Malformed(-32700, format!("the message is not JSON: {e}")),
            },
        };
        if tx.send(item).is_err() {
            return;
        }
    }
}

/// One message's body; `None` at the end of the input. A broken header is an error: past
/// it, where the next message starts cannot be known.
fn read_body(input: &mut impl BufRead) -> Result<Option<Vec<u8>>, String> {
    let mut length = None;
    let mut line = String::new();
    let mut first = true;
    loop {
        line.clear();
        let n = input
            .by_ref()
            .take(8 * 1024)
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the input: {e}"))?;
        if n == 0 {
            return if first {
                Ok(None)
            } else {
                Err("the input ended inside a header".into())
            };
        }
        first = false;
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            return Err(format!("malformed header {header:?}"));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            let n: usize = value
                .trim()
                .parse()
                .map_err(|_| format!("malformed Content-Length {:?}", value.trim()))?;
            if n > MAX_MESSAGE_BYTES {
                return Err(format!(
                    "a message of {n} bytes is larger than the limit of {MAX_MESSAGE_BYTES}"
                ));
            }
            length = Some(n);
        }
    }
    let length = length.ok_or("a message without Content-Length")?;
    let mut body = vec![0; length];
    input
        .read_exact(&mut body)
        .map_err(|e| format!("the input ended inside a message: {e}"))?;
    Ok(Some(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_framed_and_oversized_ones_refused() {
        let mut input: &[u8] = b"Content-Length: 2\r\n\r\n{}Content-Length: 1\r\n\r\nx";
        assert_eq!(read_body(&mut input).unwrap().unwrap(), b"{}");
        assert_eq!(read_body(&mut input).unwrap().unwrap(), b"x");
        assert_eq!(read_body(&mut input).unwrap(), None);
        let mut huge: &[u8] = b"Content-Length: 99999999999\r\n\r\n";
        assert!(read_body(&mut huge).unwrap_err().contains("larger than"));
        let mut broken: &[u8] = b"Content-Length 2\r\n\r\n{}";
        assert!(
            read_body(&mut broken)
                .unwrap_err()
                .contains("malformed header")
        );
    }
}
