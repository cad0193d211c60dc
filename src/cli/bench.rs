//! `placematch bench`: every matching rule on the same batches, one row of metrics each.

use std::path::PathBuf;

use super::files::{load, refuse_existing};
use super::options::BenchArgs;
use super::{Exit, RunError};
use crate::compare::bench::{bench, to_csv, to_json, to_table};
use crate::compare::rules::Rule;

/// What `bench` was asked to do, resolved from its options.
pub(super) struct Settings {
    batches: Vec<PathBuf>,
    policy: Option<PathBuf>,
    /// Each rule once, in the order first given.
    rules: Vec<Rule>,
    seed: u64,
    csv: Option<PathBuf>,
    json: Option<PathBuf>,
    force: bool,
    jobs: usize,
}

impl From<BenchArgs> for Settings {
    fn from(a: BenchArgs) -> Self {
        Settings {
            rules: super::simulate::dedup(&a.rules),
            batches: a.batches,
            policy: a.policy,
            seed: a.seed,
            csv: a.csv,
            json: a.json,
            force: a.force,
            jobs: a.jobs,
        }
    }
}

/// Runs `bench`.
pub(super) fn run(s: &Settings) -> Result<Exit, RunError> {
    refuse_existing([&s.csv, &s.json].into_iter().flatten(), s.force)?;
    if s.csv.is_some() && s.csv == s.json {
        return Err(anyhow::anyhow!("--csv and --json name the same file").into());
    }
    let batches = s
        .batches
        .iter()
        .map(|b| Ok((b.display().to_string(), load(b, s.policy.as_deref())?)))
        .collect::<Result<Vec<_>, RunError>>()?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(s.jobs)
        .build()
        .map_err(anyhow::Error::from)?;
    let bar = crate::support::progress::progress_bar((batches.len() * s.rules.len()) as u64, "bench");
    let rows = pool
        .install(|| bench(&batches, &s.rules, s.seed, &bar))
        .map_err(RunError::Check)?;
    bar.finish_and_clear();
    super::files::print_table(&to_table(&rows), [&s.csv, &s.json])?;
    if let Some(path) = &s.csv {
        crate::result::write::write_atomic(path, to_csv(&rows)?.as_bytes(), s.force)?;
    }
    if let Some(path) = &s.json {
        crate::result::write::write_atomic(path, to_json(s.seed, &rows).as_bytes(), s.force)?;
    }
    Ok(Exit::Ok)
}
