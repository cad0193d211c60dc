//! `solve --forecast FILE`: the daily solve with the `lookahead` rule's bed values.
//!
//! The forecast is a scenario's arrival model ([`Forecast::from_world`]) or demand estimated
//! from history ([`Forecast::from_demand`], built by the caller); its sample children
//! are judged against the batch's own free homes, as they are today, and the fluid LP's
//! capacity duals become each home's bed value ([`Forecast::day_values`]). The values go into
//! the batch's instance ([`BedValueTable`]), so the model, the explanations and the checker
//! all see the same objective. The batch is also solved without them, so the result can say
//! which children the forecast moved, and the sentences claim no more than that comparison.

use crate::check::{assignment_of, evaluate_assignment};
use crate::compare::lookahead::Forecast;
use crate::input::batch::Batch;
use crate::matching::solver::SolveOptions;
use crate::pair::cost::BedValueTable;
use crate::pair::instance::Instance;
use crate::result::format::{BedValue, ForecastMove, ForecastRecord, MatchResult};

/// The seed of a scenario forecast's sample children: fixed, so the same batch and forecast
/// give the same values on every run.
pub const FORECAST_SEED: u64 = 1;

/// A bed value as a sentence shows it: a whole number of the objective's pounds-equivalent.
fn shown(v: f64) -> String {
    format!(
        "{} a week (score, not money)",
        crate::support::money::group(v.round().max(0.0) as u64)
    )
}

/// Solves `inst` with the bed values of `forecast`, explains it, and records the values, the
/// demand behind them and the children they moved (`source` names the forecast file).
pub fn solve_with_forecast(
    inst: &Instance,
    forecast: &Forecast,
    source: &str,
    opts: &SolveOptions,
    alternatives: usize,
    progress: &indicatif::ProgressBar,
) -> MatchResult {
    let settings = forecast.settings;
    // Today's homes as they are (free beds, residents' risks), without the batch's children or
    // answers: what the forecast's sample children are judged against.
    let stock = Instance::new(
        Batch {
            children: Vec::new(),
            offers: Vec::new(),
            decisions: Vec::new(),
            ..inst.batch.clone()
        },
        inst.policy.clone(),
        Vec::new(),
        inst.homes.clone(),
    );
    let prepared = forecast.prepare(&stock);
    let open: Vec<usize> = (0..inst.batch.homes.len()).collect();
    let day = forecast.day_values(&prepared, inst, &open, None);
    let mut valued = inst.clone();
    valued.bed_values = BedValueTable::new(
        day.values.per_home.clone(),
        BedValueTable::holdable_children(inst, settings.hold_days),
    );
    let (_, plain) = crate::matching::solver::solve_assignment(inst, opts);
    let mut result = crate::matching::explain::solve_and_explain_with(&valued, opts, alternatives, progress);
    let with = assignment_of(inst, &result);
    let homes = &inst.batch.homes;
    let bed_values: Vec<BedValue> = (0..homes.len())
        .filter(|&h| valued.bed_values.at(h) > 0.0)
        .map(|h| BedValue {
            home: homes[h].id.clone(),
            value: valued.bed_values.at(h),
            kept_for: day.kept_for[h].as_ref().map(|k| k.0.clone()),
            expected_here: day.kept_for[h].as_ref().map(|k| (k.1 * 100.0).round() / 100.0),
            over_stay: day.over_stay[h],
        })
        .collect();
    let id = |h: Option<usize>| h.map(|h| homes[h].id.clone());
    let mut moved: Vec<ForecastMove> = (0..inst.batch.children.len())
        .filter(|&c| plain.assign[c] != with[c])
        .map(|c| ForecastMove {
            child: inst.batch.children[c].id.clone(),
            without: id(plain.assign[c]),
            with: id(with[c]),
        })
        .collect();
    moved.sort_by(|a, b| a.child.cmp(&b.child));
    let record = ForecastRecord {
        source: source.to_string(),
        source_kind: forecast.kind,
        demand: forecast.demand.clone(),
        assumed: forecast.assumed.clone(),
        horizon_days: settings.horizon_days,
        spot_value_weight: settings.spot_weight,
        hold_days: settings.hold_days,
        objective_without_values: crate::matching::assemble::round6(evaluate_assignment(inst, &with).objective),
        bed_values,
        moved,
    };
    explain(&mut result, &record, &valued);
    result.forecast = Some(record);
    result
}

/// What the forecast keeps a home's bed for, in words: "WSX-H12 is kept for the `under-5`
/// children the forecast expects over the next 14 days, valued 340 a week (score, not money)".
pub fn kept_for(record: &ForecastRecord, home: &str) -> Option<String> {
    let b = record.bed_values.iter().find(|b| b.home == home)?;
    let when = if b.over_stay {
        "to need its block beds over their stays".to_string()
    } else {
        format!("over the next {} days", record.horizon_days)
    };
    Some(match &b.kept_for {
        Some(seg) => format!(
            "{home} is kept for the `{seg}` children the forecast expects {when}, valued {}",
            shown(b.value)
        ),
        None => format!(
            "{home}'s bed is valued {} for the children the forecast expects {when}",
            shown(b.value)
        ),
    })
}

/// Adds the forecast to the sentences: an unplaced child the forecast kept waiting says which
/// bed it would have had and what that bed is kept for; an alternative at a valued home says
/// how much of its regret the bed values make.
fn explain(result: &mut MatchResult, record: &ForecastRecord, valued: &Instance) {
    let home_ix = valued.home_index();
    let value = |home: &str| home_ix.get(home).map_or(0.0, |&h| valued.bed_values.at(h));
    for u in &mut result.unplaced {
        let Some(m) = record.moved.iter().find(|m| m.child == u.child) else {
            continue;
        };
        let Some(would) = &m.without else { continue };
        let kept = kept_for(record, would).unwrap_or_else(|| format!("{would}'s bed has no value in the forecast"));
        u.why.push_str(&format!(
            " Kept waiting for expected demand: without the forecast's bed values {} would go to {would}; {kept}. A planned child who has waited under {} days may wait for it.",
            u.child, record.hold_days
        ));
    }
    for p in &mut result.placements {
        let here = value(&p.home);
        for a in &mut p.alternatives {
            let d = value(&a.home) - here;
            if d.abs() < 0.005 {
                continue;
            }
            let sign = if d > 0.0 { "+" } else { "−" };
            a.why.push_str(&format!(
                " The forecast's bed values make {sign}{:.2} of this regret ({} a week at {}, {} at {}, score).",
                d.abs(),
                value(&a.home).round(),
                a.home,
                here.round(),
                p.home
            ));
            if let Some(k) = kept_for(record, &a.home) {
                a.why.push_str(&format!(" {k}."));
            }
        }
    }
}

/// The forecast's lines under the table: the values' source, the homes valued, and each child
/// the forecast moved with what its old home is kept for.
pub fn forecast_lines(record: &ForecastRecord) -> String {
    let mut out = format!(
        "\nforecast {} ({}): bed values over the next {} days at {} home(s), in the objective above (scores, not money; objective without them {:.2}); {} child(ren) placed differently than without them\n",
        record.source,
        record.source_kind.name(),
        record.horizon_days,
        record.bed_values.len(),
        record.objective_without_values,
        record.moved.len()
    );
    for m in &record.moved {
        let (from, to) = (m.without.as_deref(), m.with.as_deref());
        let what = match (from, to) {
            (Some(a), Some(b)) => format!("{} goes to {b}, not {a}", m.child),
            (Some(a), None) => format!("{} waits, not {a}", m.child),
            (None, Some(b)) => format!("{} goes to {b}, instead of waiting", m.child),
            (None, None) => continue,
        };
        let why = from.and_then(|a| kept_for(record, a));
        out.push_str(&format!(
            "{:<12} {what}{}\n",
            m.child,
            why.map(|w| format!(": {w}")).unwrap_or_default()
        ));
    }
    out
}
