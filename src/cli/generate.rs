//! `placematch generate`: write a deterministic synthetic batch.

use std::path::PathBuf;

use super::files::{emit, refuse_existing};
use super::options::GenerateArgs;
use super::{Exit, RunError};
use crate::compare::generate::GenOptions;

/// What `generate` was asked to do, resolved from its options.
pub(super) struct Settings {
    batch: GenOptions,
    output: Option<PathBuf>,
    force: bool,
}

impl From<GenerateArgs> for Settings {
    fn from(a: GenerateArgs) -> Self {
        // --side-constraints turns every side-constraint switch on.
        let all = a.side_constraints;
        Settings {
            batch: GenOptions {
                children: a.children,
                homes: a.homes,
                seed: a.seed,
                siblings: a.siblings || all,
                conflicts: a.conflicts || all,
                solo: a.solo || all,
                block_beds: a.block_beds || all,
                admission_limits: a.admission_limits || all,
                discounts: a.discounts || all,
                budgets: a.budgets || all,
                region: a.region,
            },
            output: a.output,
            force: a.force,
        }
    }
}

/// Runs `generate`.
pub(super) fn run(s: &Settings) -> Result<Exit, RunError> {
    refuse_existing(&s.output, s.force)?;
    let batch = crate::compare::generate::generate(&s.batch);
    let mut text = serde_json::to_string_pretty(&batch).map_err(anyhow::Error::from)?;
    text.push('\n');
    emit(s.output.as_deref(), &text, s.force)?;
    Ok(Exit::Ok)
}
