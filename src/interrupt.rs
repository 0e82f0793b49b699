//! Stopping cleanly on SIGINT, SIGTERM and SIGHUP: the signal only sets a flag; the run then starts
//! no new file, lets the write in progress finish its rename (or drop its temporary file), and
//! exits with 128 + the signal's number, as a shell expects of a process a signal stopped.

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The number of the last stopping signal received; 0 while none has come.
static RECEIVED: AtomicUsize = AtomicUsize::new(0);

/// Replaces the default action of the stopping signals (end the process at once) by setting the
/// flag. Call before any file is touched.
pub fn install() -> std::io::Result<()> {
    for signal in [SIGINT, SIGTERM, SIGHUP] {
        signal_hook::flag::register_usize(signal, &RECEIVED, signal as usize)?;
    }
    Ok(())
}

/// The signal that asked the run to stop, if one did.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal as i32),
    }
}

/// The exit code of a run stopped by `signal`.
pub fn exit_code(signal: i32) -> i32 {
    128 + signal
}
