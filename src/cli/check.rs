//! `placematch check`: re-verify a result against its batch with the independent checker.

use super::files::{load, read_text};
use super::options::CheckArgs;
use super::{Exit, RunError};
use crate::errors::{ErrorCode, InvalidInput, Issue};

/// Runs `check`: its options are its settings.
pub(super) fn run(a: &CheckArgs) -> Result<Exit, RunError> {
    let inst = load(&a.batch, a.policy.as_deref())?;
    let text = read_text(&a.result)?;
    let name = a.result.display().to_string();
    let value = crate::input::read::parse_json(&text).map_err(|i| InvalidInput {
        source_name: name.clone(),
        issues: vec![i],
    })?;
    let result: crate::result::format::MatchResult =
        crate::input::read::typed(&value, "").map_err(|i| InvalidInput {
            source_name: name.clone(),
            issues: vec![Issue::new(i.path, ErrorCode::ResultMismatch, i.message)],
        })?;
    let problems = crate::check::check(&inst, &result);
    if problems.is_empty() {
        println!(
            "{name} is a valid result for {}: {} placed, {} unplaced, objective {} recomputed",
            a.batch.display(),
            result.summary.placed,
            result.summary.unplaced,
            result.objective
        );
        Ok(Exit::Ok)
    } else {
        Err(RunError::Check(problems))
    }
}
