//! Reading inputs and writing outputs, the same way for every command.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::RunError;
use crate::input::policy::PolicyInput;
use crate::pair::instance::Instance;

/// Reads a whole text file, naming it in the error.
pub(super) fn read_text(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Reads and validates a `--policy` file, if one was given.
pub(super) fn load_policy(path: Option<&Path>) -> Result<Option<PolicyInput>, RunError> {
    match path {
        None => Ok(None),
        Some(p) => Ok(Some(crate::input::read::parse_policy(
            &read_text(p)?,
            &p.display().to_string(),
        )?)),
    }
}

/// Reads, validates and locates a batch, with an optional policy file layered over its own.
pub(super) fn load(batch: &Path, policy: Option<&Path>) -> Result<Instance, RunError> {
    let extra = load_policy(policy)?;
    let text = read_text(batch)?;
    Ok(crate::pair::instance::load_batch(
        &text,
        &batch.display().to_string(),
        extra.as_ref(),
    )?)
}

/// Refuses, before any work is done, when one of a command's output files exists and
/// `--force` was not given (the same check [`crate::result::write::write_atomic`] makes when
/// it writes).
pub(super) fn refuse_existing<'a>(outputs: impl IntoIterator<Item = &'a PathBuf>, force: bool) -> Result<(), RunError> {
    for out in outputs {
        crate::result::write::refuse_existing(out, force)?;
    }
    Ok(())
}

/// Writes `text` atomically to `output`, or to standard output when there is none.
pub(super) fn emit(output: Option<&Path>, text: &str, force: bool) -> anyhow::Result<()> {
    match output {
        Some(path) => crate::result::write::write_atomic(path, text.as_bytes(), force),
        None => print(text),
    }
}

/// Writes `text` to standard output. A reader that stops early (`placematch schema | head`)
/// is not a failure.
pub(super) fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
