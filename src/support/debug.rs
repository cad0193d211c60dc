//! Developer tracing: `debug!` prints to standard error when `PLACEMATCH_DEBUG` is set.
//!
//! One switch, read once. Messages carry solver figures only (objectives, counts, timings),
//! never a child's details: ids are pseudonymous but logs are kept longer than results.

use std::sync::OnceLock;

/// Whether `PLACEMATCH_DEBUG` is set (read once per process).
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("PLACEMATCH_DEBUG").is_some())
}

/// `eprintln!` when `PLACEMATCH_DEBUG` is set; the arguments are not evaluated otherwise.
#[macro_export]
macro_rules! debug {
    ($($arg:tt)*) => {
        if $crate::support::debug::enabled() {
            eprintln!($($arg)*);
        }
    };
}
