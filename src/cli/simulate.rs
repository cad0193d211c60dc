//! `placematch simulate`: read the scenario, simulate with a progress bar, print the table,
//! write the files.

use std::path::PathBuf;

use super::files::{read_text, refuse_existing, source_name};
use super::options::SimulateArgs;
use super::{Exit, RunError};
use crate::compare::rules::Rule;
use crate::compare::simulate::{
    simulate_sweep, simulate_with_placements, to_csv, to_json, to_table, PlacementRecord, SimOptions,
};

/// What `simulate` was asked to do, resolved from its options.
pub(super) struct Settings {
    scenario: PathBuf,
    sim: SimOptions,
    json: Option<PathBuf>,
    csv: Option<PathBuf>,
    placements: Option<PathBuf>,
    force: bool,
    /// `--sweep` as given (read in [`run`], so a bad one is a coded input error).
    sweep: Option<String>,
}

impl From<SimulateArgs> for Settings {
    fn from(a: SimulateArgs) -> Self {
        Settings {
            sim: SimOptions {
                days: a.days as usize,
                replications: a.replications as usize,
                seed: a.seed,
                rules: {
                    let mut rules = if a.rules.is_empty() && a.sweep.is_some() {
                        // Each value is a whole comparison: one rule unless more are asked for.
                        vec![Rule::Optimal]
                    } else if a.rules.is_empty() {
                        Rule::SIMULATED.to_vec()
                    } else {
                        dedup(&a.rules)
                    };
                    // The baseline is always simulated, so every rule has something to pair with.
                    if let Some(b) = a.baseline.filter(|b| !rules.contains(b)) {
                        rules.insert(0, b);
                    }
                    rules
                },
                check: a.check,
                baseline: a.baseline,
                lookahead: crate::compare::lookahead::LookaheadSettings {
                    horizon_days: a.lookahead_days as usize,
                    block_floor: !a.no_block_floor,
                    spot_weight: a.spot_value_weight,
                    block_fill: a.block_fill_share,
                    ..Default::default()
                },
                score_policy: None,
            },
            scenario: a.scenario,
            json: a.json,
            csv: a.csv,
            placements: a.placements,
            force: a.force,
            sweep: a.sweep,
        }
    }
}

/// Runs `simulate`: read, simulate with a progress bar, print the table, write files.
pub(super) fn run(s: &Settings) -> Result<Exit, RunError> {
    refuse_existing([&s.json, &s.csv, &s.placements].into_iter().flatten(), s.force)?;
    let sweep = match &s.sweep {
        Some(spec) => Some(
            crate::input::weights::parse_sweep(spec).map_err(|issues| crate::errors::InvalidInput {
                source_name: "--sweep".into(),
                issues,
            })?,
        ),
        None => None,
    };
    let text = read_text(&s.scenario)?;
    let world = crate::compare::scenario::load_scenario(&text, &source_name(&s.scenario), s.sim.seed)?;
    let opts = &s.sim;
    let runs = sweep.as_ref().map_or(1, |x| x.values.len());
    let total = (opts.days * opts.replications * opts.rules.len() * runs) as u64;
    let bar = crate::support::progress::progress_bar(total, "simulated days");
    let started = std::time::Instant::now();
    let (report, violations, placements) = match &sweep {
        Some(sw) => {
            let (report, violations) = simulate_sweep(&world, opts, sw, &|| bar.inc(1));
            (report, violations, Vec::new())
        }
        None => simulate_with_placements(&world, opts, &|| bar.inc(1)),
    };
    bar.finish_and_clear();
    if !violations.is_empty() {
        return Err(RunError::Check(violations));
    }
    super::files::print_table(&to_table(&report), [&s.json, &s.csv])?;
    eprintln!(
        "simulated {} rule(s) × {} value(s) × {} replication(s) × {} days in {:.1} s",
        opts.rules.len(),
        runs,
        opts.replications,
        opts.days,
        started.elapsed().as_secs_f64()
    );
    if let Some(p) = &s.json {
        crate::result::write::write_atomic(p, to_json(&report).as_bytes(), s.force)?;
    }
    if let Some(p) = &s.csv {
        crate::result::write::write_atomic(p, to_csv(&report).as_bytes(), s.force)?;
    }
    if let Some(p) = &s.placements {
        crate::result::write::write_atomic(p, &placements_csv(&placements)?, s.force)?;
    }
    Ok(Exit::Ok)
}

/// Rules in the order first given, each once.
pub(super) fn dedup(rules: &[Rule]) -> Vec<Rule> {
    let mut out: Vec<Rule> = Vec::new();
    for &r in rules {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// Every placement as CSV, one row each.
fn placements_csv(rows: &[PlacementRecord]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}
