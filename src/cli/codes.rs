//! `placematch codes`: the error registry as a table.

use super::files::print;
use super::{Exit, RunError};
use crate::errors::ErrorCode;

/// Runs `codes`.
pub(super) fn run() -> Result<Exit, RunError> {
    let mut text = format!("{:<6} {:<22} what to do\n", "code", "name");
    for c in ErrorCode::ALL {
        text += &format!("{:<6} {:<22} {}\n", c.code(), c.name(), c.action());
    }
    print(&text)?;
    Ok(Exit::Ok)
}
