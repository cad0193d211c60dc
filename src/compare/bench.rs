//! `placematch bench`: every matching rule on every batch, one row of metrics per pair.
//!
//! Every row is computed from the rule's assignment by the same evaluator
//! ([`evaluate_assignment`]), so the objective and every metric mean the same for every rule.
//! docs/guide/analyst.md, "Comparing matching rules", defines each column.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::check::evaluate_assignment;
use crate::compare::rules::Rule;
use crate::input::batch::Ofsted;
use crate::pair::cost::unmet_need;
use crate::pair::instance::Instance;

/// The `format` of `placematch bench --json` output.
pub const BENCH_FORMAT: &str = "placematch/bench@1";

/// Distance above which a placement counts as far: 20 miles.
pub const FAR_KM: f64 = 32.0;

/// The whole `--json` output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BenchReport {
    /// Always `placematch/bench@1`.
    pub format: String,
    /// The seed of the `random` rule.
    pub seed: u64,
    /// One row per (rule, batch), batches in the order given, rules in the order given.
    pub rows: Vec<BenchRow>,
}

/// The metrics of one rule on one batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BenchRow {
    /// The matching rule.
    pub rule: Rule,
    /// The batch file as given on the command line.
    pub batch: String,
    /// The batch's own `batch_id`, if it has one.
    pub batch_id: Option<String>,
    /// Children in the batch.
    pub children: usize,
    /// SPEC §6 objective of the assignment: a score in pounds-equivalent per week, not money
    /// (lower is better).
    pub objective: f64,
    /// Children placed.
    pub placed: usize,
    /// Children left unplaced.
    pub unplaced: usize,
    /// Σ weekly price of the homes children were placed in (list prices), £/week.
    pub weekly_spend: f64,
    /// Weekly spend less block beds already paid for and volume discounts, £/week.
    pub net_weekly_spend: f64,
    /// Mean distance of placed children from their home location, km.
    pub mean_km: f64,
    /// 90th percentile of placed children's distances (nearest rank), km.
    pub p90_km: f64,
    /// Share of placed children more than 20 miles (32 km) away.
    pub share_over_20_miles: f64,
    /// Share of placed children whose home is in another authority than their own.
    pub share_out_of_area: f64,
    /// Share of placed children in homes rated Good or Outstanding.
    pub share_good_or_outstanding: f64,
    /// Σ over placed children and indicators of max(0, need − support).
    pub unmet_need: i64,
    /// Sibling groups with at least two children in the batch.
    pub sibling_groups: usize,
    /// Of those, groups whose children were all placed in one home.
    pub siblings_kept_together: usize,
    /// Max − min placement rate over responsible authorities with at least one child.
    pub placement_rate_spread: f64,
    /// Wall-clock seconds the rule took to match, given the eligible pairs.
    pub seconds: f64,
    /// Wall-clock seconds to find the batch's eligible pairs and their costs, which every rule
    /// on the batch shares (the same figure on each of the batch's rows).
    pub pairs_seconds: f64,
}

/// The metrics of an assignment (per child, home index or None) of `rule` on `inst`
/// (`pairs_seconds` left at 0 for the caller to fill in).
pub fn metrics(rule: Rule, batch: &str, inst: &Instance, assign: &[Option<usize>], seconds: f64) -> BenchRow {
    let e = evaluate_assignment(inst, assign);
    let ch = &inst.batch.children;
    let placed: Vec<usize> = (0..ch.len()).filter(|&c| assign[c].is_some()).collect();
    let n = placed.len();
    let share = |pred: &dyn Fn(usize) -> bool| {
        if n == 0 {
            0.0
        } else {
            placed.iter().filter(|&&c| pred(c)).count() as f64 / n as f64
        }
    };
    let mut kms: Vec<f64> = placed.iter().map(|&c| e.km[c].expect("placed")).collect();
    kms.sort_by(f64::total_cmp);
    let p90_km = if kms.is_empty() {
        0.0
    } else {
        kms[((0.9 * kms.len() as f64).ceil() as usize).clamp(1, kms.len()) - 1]
    };
    // Sibling groups as the batch states them, whether or not they must be kept together.
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in ch.iter().enumerate() {
        if let Some(g) = &c.sibling_group {
            groups.entry(g.as_str()).or_default().push(i);
        }
    }
    groups.retain(|_, m| m.len() > 1);
    let together = groups
        .values()
        .filter(|m| assign[m[0]].is_some() && m.iter().all(|&i| assign[i] == assign[m[0]]))
        .count();
    let mut by_la: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (c, a) in assign.iter().enumerate() {
        let e = by_la.entry(inst.children[c].la.as_str()).or_default();
        e.0 += 1;
        e.1 += usize::from(a.is_some());
    }
    let rates: Vec<f64> = by_la.values().map(|&(all, p)| p as f64 / all as f64).collect();
    let spread = if rates.is_empty() {
        0.0
    } else {
        rates.iter().copied().fold(f64::MIN, f64::max) - rates.iter().copied().fold(f64::MAX, f64::min)
    };
    BenchRow {
        rule,
        batch: batch.to_string(),
        batch_id: inst.batch.batch_id.clone(),
        children: ch.len(),
        objective: e.objective,
        placed: n,
        unplaced: ch.len() - n,
        weekly_spend: e.summary.weekly_spend,
        net_weekly_spend: e.summary.net_weekly_spend,
        mean_km: e.summary.mean_km,
        p90_km,
        share_over_20_miles: share(&|c| e.km[c].expect("placed") > FAR_KM),
        share_out_of_area: share(&|c| inst.out_of_area(c, assign[c].expect("placed"))),
        share_good_or_outstanding: share(&|c| inst.homes[assign[c].expect("placed")].rating <= Ofsted::Good),
        unmet_need: placed
            .iter()
            .map(|&c| unmet_need(inst, c, assign[c].expect("placed")))
            .sum(),
        sibling_groups: groups.len(),
        siblings_kept_together: together,
        placement_rate_spread: spread,
        seconds,
        pairs_seconds: 0.0,
    }
}

/// Runs every rule on every batch, in parallel (one rayon task per pair; HiGHS itself runs on
/// one thread per solver), ticking `progress` as pairs finish. Rows come batch by batch, rules
/// in the order given. Every assignment is scored by the independent evaluator; any rule it
/// breaks is returned as an error (that would be a bug in a rule).
pub fn bench(
    batches: &[(String, Instance)],
    rules: &[Rule],
    seed: u64,
    progress: &indicatif::ProgressBar,
) -> Result<Vec<BenchRow>, Vec<String>> {
    use rayon::prelude::*;
    // The eligible pairs and their costs are the same for every rule: built once per batch.
    let built: Vec<(crate::matching::model::Formulation, f64)> = batches
        .par_iter()
        .map(|(_, inst)| {
            let started = std::time::Instant::now();
            let f = crate::matching::model::Formulation::build(inst);
            (f, started.elapsed().as_secs_f64())
        })
        .collect();
    let pairs: Vec<(usize, Rule)> = (0..batches.len())
        .flat_map(|b| rules.iter().map(move |&r| (b, r)))
        .collect();
    let results: Vec<(BenchRow, Vec<String>)> = pairs
        .par_iter()
        .map(|&(b, rule)| {
            let (name, inst) = &batches[b];
            let (f, pairs_seconds) = &built[b];
            let started = std::time::Instant::now();
            let assign = crate::compare::rules::assign_with(rule, inst, f, seed);
            let seconds = started.elapsed().as_secs_f64();
            let violations = evaluate_assignment(inst, &assign)
                .violations
                .into_iter()
                .map(|v| format!("{name}, rule {rule}: {v}"))
                .collect();
            let mut row = metrics(rule, name, inst, &assign, seconds);
            row.pairs_seconds = *pairs_seconds;
            progress.inc(1);
            (row, violations)
        })
        .collect();
    let problems: Vec<String> = results.iter().flat_map(|r| r.1.iter().cloned()).collect();
    if problems.is_empty() {
        Ok(results.into_iter().map(|r| r.0).collect())
    } else {
        Err(problems)
    }
}

/// The rows as a readable table.
pub fn to_table(rows: &[BenchRow]) -> String {
    use std::fmt::Write;
    let short = |r: &BenchRow| {
        std::path::Path::new(&r.batch)
            .file_name()
            .map_or(r.batch.clone(), |n| n.to_string_lossy().into_owned())
    };
    let w = rows.iter().map(|r| short(r).len()).max().unwrap_or(0).max(5);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<w$} {:<8} {:>13} {:>6} {:>6} {:>9} {:>7} {:>7} {:>6} {:>5} {:>6} {:>6} {:>5} {:>6} {:>8} {:>8}",
        "batch",
        "rule",
        "objective",
        "placed",
        "unpl.",
        "spend/wk",
        "mean km",
        "p90 km",
        ">20mi",
        "OOA",
        "Good+",
        "unmet",
        "sibs",
        "spread",
        "match s",
        "pairs s",
    );
    let pct = |x: f64| format!("{:.0}%", 100.0 * x);
    for r in rows {
        let _ = writeln!(
            out,
            "{:<w$} {:<8} {:>13.2} {:>6} {:>6} {:>9.0} {:>7.1} {:>7.1} {:>6} {:>5} {:>6} {:>6} {:>5} {:>6.2} {:>8.3} {:>8.3}",
            short(r),
            r.rule.name(),
            r.objective,
            r.placed,
            r.unplaced,
            r.weekly_spend,
            r.mean_km,
            r.p90_km,
            pct(r.share_over_20_miles),
            pct(r.share_out_of_area),
            pct(r.share_good_or_outstanding),
            r.unmet_need,
            format!("{}/{}", r.siblings_kept_together, r.sibling_groups),
            r.placement_rate_spread,
            r.seconds,
            r.pairs_seconds,
        );
    }
    out
}

/// The rows as CSV with a header line, one column per [`BenchRow`] field.
pub fn to_csv(rows: &[BenchRow]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// The whole report as pretty JSON (`placematch/bench@1`).
pub fn to_json(seed: u64, rows: &[BenchRow]) -> String {
    let report = BenchReport {
        format: BENCH_FORMAT.to_string(),
        seed,
        rows: rows.to_vec(),
    };
    let mut text = serde_json::to_string_pretty(&report).expect("bench rows serialise");
    text.push('\n');
    text
}
