//! Lines to stdout and stderr that never panic. `println!` and `eprintln!` panic when the
//! write fails, and it fails when the terminal has gone away (SIGHUP, a dropped SSH
//! session: EIO) or a pipe's reader has quit (EPIPE); a message nobody can read is not
//! worth a crash, least of all on the way out or inside the panic hook.

use std::fmt::Arguments;
use std::io::Write;

/// One line to stdout; a failed write is ignored.
pub fn out_line(args: Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_fmt(args);
    let _ = out.write_all(b"\n");
    let _ = out.flush();
}

/// One line to stderr; a failed write is ignored.
pub fn err_line(args: Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(args);
    let _ = err.write_all(b"\n");
}

/// Bytes to stdout, as they are; a reader that quit (`| head`) or a terminal that went away
/// is not an error: only other write failures are returned.
pub fn out_bytes(bytes: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if terminal_gone(&e) => Ok(()),
        other => other,
    }
}

/// `println!` that ignores a broken terminal or pipe.
#[macro_export]
macro_rules! outln {
    () => { $crate::stdio::out_line(format_args!("")) };
    ($($arg:tt)*) => { $crate::stdio::out_line(format_args!($($arg)*)) };
}

/// `eprintln!` that ignores a broken terminal or pipe.
#[macro_export]
macro_rules! errln {
    () => { $crate::stdio::err_line(format_args!("")) };
    ($($arg:tt)*) => { $crate::stdio::err_line(format_args!($($arg)*)) };
}

/// Whether an I/O error on the terminal means it is gone (hung up, closed, its reader
/// quit) rather than a fault worth reporting.
pub fn terminal_gone(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    // EIO (5) and ENXIO (6): reading or writing a tty after hang-up.
    matches!(e.kind(), BrokenPipe | UnexpectedEof | ConnectionReset)
        || matches!(e.raw_os_error(), Some(5 | 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hang_up_errors_are_told_from_other_faults() {
        assert!(terminal_gone(&std::io::Error::from_raw_os_error(5)));
        assert!(terminal_gone(&std::io::Error::from(
            std::io::ErrorKind::BrokenPipe
        )));
        assert!(!terminal_gone(&std::io::Error::from(
            std::io::ErrorKind::PermissionDenied
        )));
    }
}
