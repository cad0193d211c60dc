//! `placematch check`: re-verify a result against its batch with the independent checker.

use super::files::{load, read_text};
use super::options::CheckArgs;
use super::{Exit, RunError};
use crate::errors::{ErrorCode, InvalidInput, Issue};

/// Runs `check`: its options are its settings.
pub(super) fn run(a: &CheckArgs) -> Result<Exit, RunError> {
    let inst = load(&a.batch, a.policy.as_deref())?;
    let text = read_text(&a.result)?;
    let name = super::files::source_name(&a.result);
    let value = crate::input::read::parse_json(&text).map_err(|i| InvalidInput {
        source_name: name.clone(),
        issues: vec![i],
    })?;
    let result: crate::result::format::MatchResult =
        crate::input::read::typed(&value, "").map_err(|i| InvalidInput {
            source_name: name.clone(),
            issues: vec![Issue::new(i.path, ErrorCode::ResultMismatch, i.message)],
        })?;
    // A result checked against another batch is the wrong pair of files, not a broken result.
    if let (Some(ran), Some(given)) = (&result.batch_id, &inst.batch.batch_id) {
        if ran != given {
            return Err(InvalidInput {
                source_name: name,
                issues: vec![Issue::new(
                    "batch_id".to_string(),
                    ErrorCode::ResultMismatch,
                    format!(
                        "this result was solved from batch \"{ran}\", but the batch given ({}) is \"{given}\"",
                        super::files::source_name(&a.batch)
                    ),
                )],
            }
            .into());
        }
    }
    let earlier = match &a.since {
        Some(p) => Some(crate::result::changes::read_earlier(
            &read_text(p)?,
            &p.display().to_string(),
        )?),
        None => None,
    };
    let problems = crate::check::check_since(&inst, &result, earlier.as_ref());
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
