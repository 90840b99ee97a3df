//! The exit codes every command uses, as documented in the README.

use std::process::ExitCode;

/// What a command's run came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: success.
    Ok,
    /// 1: the input has problems (validation errors, findings that block).
    Problems,
    /// 2: usage or I/O error.
    Usage,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        match e {
            Exit::Ok => ExitCode::SUCCESS,
            Exit::Problems => ExitCode::from(1),
            Exit::Usage => ExitCode::from(2),
        }
    }
}
