//! `placematch simulate`: read the scenario, simulate with a progress bar, print the table,
//! write the files.

use crate::compare::rules::Rule;
use crate::compare::simulate::{simulate, to_csv, to_json, to_table, SimOptions};

/// `placematch simulate`: read, simulate with a progress bar, print the table, write files.
pub fn run(a: &super::SimulateArgs) -> Result<super::Exit, super::RunError> {
    for out in [&a.json, &a.csv].into_iter().flatten() {
        if out.exists() && !a.force {
            return Err(anyhow::anyhow!("{} already exists; pass --force to replace it", out.display()).into());
        }
    }
    let text = std::fs::read_to_string(&a.scenario)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", a.scenario.display()))?;
    let world = crate::compare::scenario::load_scenario(&text, &a.scenario.display().to_string(), a.seed)?;
    let opts = SimOptions {
        days: a.days as usize,
        replications: a.replications as usize,
        seed: a.seed,
        rules: if a.rules.is_empty() {
            Rule::ALL.to_vec()
        } else {
            dedup(&a.rules)
        },
        check: a.check,
    };
    let total = (opts.days * opts.replications * opts.rules.len()) as u64;
    let bar = crate::support::progress::progress_bar(total, "simulated days");
    let started = std::time::Instant::now();
    let (report, violations) = simulate(&world, &opts, &|| bar.inc(1));
    bar.finish_and_clear();
    if !violations.is_empty() {
        return Err(super::RunError::Check(violations));
    }
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        out.write_all(to_table(&report).as_bytes())
            .and_then(|_| out.flush())
            .map_err(anyhow::Error::from)?;
    }
    eprintln!(
        "simulated {} rule(s) × {} replication(s) × {} days in {:.1} s",
        opts.rules.len(),
        opts.replications,
        opts.days,
        started.elapsed().as_secs_f64()
    );
    if let Some(p) = &a.json {
        crate::result::write::write_atomic(p, to_json(&report).as_bytes(), a.force)?;
    }
    if let Some(p) = &a.csv {
        crate::result::write::write_atomic(p, to_csv(&report).as_bytes(), a.force)?;
    }
    Ok(super::Exit::Ok)
}

/// Rules in the order first given, each once.
fn dedup(rules: &[Rule]) -> Vec<Rule> {
    let mut out: Vec<Rule> = Vec::new();
    for &r in rules {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}
