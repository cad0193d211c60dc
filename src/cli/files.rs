//! Reading inputs and writing outputs, the same way for every command.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::RunError;
use crate::input::policy::PolicyInput;
use crate::pair::instance::Instance;
use crate::result::write::is_stdio;

/// Reads a whole text file, naming it in the error; `-` reads standard input.
pub(super) fn read_text(path: &Path) -> anyhow::Result<String> {
    if is_stdio(path) {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text).context("cannot read standard input")?;
        return Ok(text);
    }
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// How an input is named in messages: its path, or "standard input" for `-`.
pub(super) fn source_name(path: &Path) -> String {
    if is_stdio(path) {
        "standard input".to_string()
    } else {
        path.display().to_string()
    }
}

/// Reads and validates a `--policy` file, if one was given.
pub(super) fn load_policy(path: Option<&Path>) -> Result<Option<PolicyInput>, RunError> {
    match path {
        None => Ok(None),
        Some(p) => Ok(Some(crate::input::read::parse_policy(&read_text(p)?, &source_name(p))?)),
    }
}

/// Reads, validates and locates a batch, with an optional policy file layered over its own.
pub(super) fn load(batch: &Path, policy: Option<&Path>) -> Result<Instance, RunError> {
    let extra = load_policy(policy)?;
    let text = read_text(batch)?;
    Ok(crate::pair::instance::load_batch(
        &text,
        &source_name(batch),
        extra.as_ref(),
    )?)
}

/// Refuses, before any work is done, when one of a command's output files exists and
/// `--force` was not given (the same check [`crate::result::write::write_atomic`] makes when
/// it writes), or when more than one of them is standard output (`-`): they would interleave.
pub(super) fn refuse_existing<'a>(outputs: impl IntoIterator<Item = &'a PathBuf>, force: bool) -> Result<(), RunError> {
    let mut to_stdout = 0;
    for out in outputs {
        to_stdout += usize::from(is_stdio(out));
        crate::result::write::refuse_existing(out, force)?;
    }
    if to_stdout > 1 {
        return Err(
            anyhow::anyhow!("only one output can go to standard output (-); give the others a file name").into(),
        );
    }
    Ok(())
}

/// Writes `text` atomically to `output`, or to standard output when there is none or it is `-`.
pub(super) fn emit(output: Option<&Path>, text: &str, force: bool) -> anyhow::Result<()> {
    match output {
        Some(path) => crate::result::write::write_atomic(path, text.as_bytes(), force),
        None => print(text),
    }
}

/// Writes `text` to standard output. A reader that stops early (`placematch schema | head`)
/// is not a failure.
pub(super) fn print(text: &str) -> anyhow::Result<()> {
    crate::result::write::write_stdout(text.as_bytes())
}

/// Prints a command's summary table: on standard output, or on standard error when one of the
/// command's data outputs goes to standard output (`-`), so that stays clean for a pipe.
pub(super) fn print_table<'a>(
    table: &str,
    outputs: impl IntoIterator<Item = &'a Option<PathBuf>>,
) -> anyhow::Result<()> {
    if outputs.into_iter().flatten().any(|p| is_stdio(p)) {
        eprint!("{table}");
        Ok(())
    } else {
        print(table)
    }
}
