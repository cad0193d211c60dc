//! Spreadsheets out: a result as one workbook (Summary, Placements, Alternatives, Unplaced,
//! and Changes or Forecast when the result has them) or as CSV files, for brokers who work in
//! Excel.
//!
//! Two kinds of pounds appear and are labelled apart: prices are money spent (the home's
//! `weekly_price`, net of block beds and discounts where said), while costs, regrets and the
//! objective are the solver's score in pounds-equivalent per week, which adds weighted
//! distance, quality and need terms to the price and is never a sum of money.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use rust_xlsxwriter::{Format, Workbook};

use crate::input::batch::Batch;
use crate::result::format::{ForecastRecord, MatchResult, Status};
use crate::result::write::write_atomic;

/// The files [`result_csv_files`] writes.
pub const CSV_FILES: [&str; 4] = ["summary.csv", "placements.csv", "alternatives.csv", "unplaced.csv"];

/// The file a result with a forecast adds to [`CSV_FILES`] (its `Forecast` sheet).
pub const FORECAST_CSV: &str = "forecast.csv";

/// The file a result solved `--since` an earlier one adds to [`CSV_FILES`] (its `Changes`
/// sheet, written even when nothing changed).
pub const CHANGES_CSV: &str = "changes.csv";

/// The number format of money spent.
pub const MONEY_FORMAT: &str = "£#,##0";

/// The number format of the objective's scores: whole and grouped, without a £ sign, as
/// they are not money.
pub const SCORE_FORMAT: &str = "#,##0";

/// A cell of a result sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// Text.
    Text(String),
    /// Money spent, £ (formatted as money).
    Money(f64),
    /// The objective's score, £-equivalent per week ([`SCORE_FORMAT`], labelled as a score).
    Score(f64),
    /// A plain number with this many decimals in CSV.
    Number(f64, usize),
    /// Blank.
    Empty,
}

/// A sheet: name, header, rows.
pub type SheetData = (&'static str, Vec<&'static str>, Vec<Vec<Val>>);

fn text(s: impl Into<String>) -> Val {
    Val::Text(s.into())
}

fn yes_no(b: bool) -> Val {
    text(if b { "yes" } else { "no" })
}

/// The sheets of a result: Summary, Placements, Alternatives, Unplaced. `batch` supplies the
/// names of homes and providers and each home's weekly price.
pub fn result_sheets(result: &MatchResult, batch: &Batch) -> Vec<SheetData> {
    let homes: HashMap<&str, &crate::input::batch::Home> = batch.homes.iter().map(|h| (h.id.as_str(), h)).collect();
    let providers: HashMap<&str, Option<&str>> = batch
        .providers
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_deref()))
        .collect();
    let home_name = |id: &str| text(homes.get(id).and_then(|h| h.name.clone()).unwrap_or_default());
    let s = &result.summary;
    let summary = vec![
        vec![text("batch"), text(result.batch_id.clone().unwrap_or_default())],
        vec![
            text("status"),
            text(match result.status {
                Status::Optimal => "optimal",
                Status::Feasible => "feasible",
            }),
        ],
        vec![text("children placed"), Val::Number(s.placed as f64, 0)],
        vec![text("children not placed"), Val::Number(s.unplaced as f64, 0)],
        vec![
            text("weekly spend at list prices (£ spent)"),
            Val::Money(s.weekly_spend),
        ],
        vec![
            text("net weekly spend after block beds and discounts (£ spent)"),
            Val::Money(s.net_weekly_spend),
        ],
        vec![
            text("objective (score, £-equivalent/week, not money)"),
            Val::Score(result.objective),
        ],
        vec![text("proven bound on the objective (score)"), Val::Score(result.bound)],
        vec![text("gap"), Val::Number(result.gap, 6)],
        vec![
            text("block-contract beds used"),
            Val::Number(s.block_beds_used as f64, 0),
        ],
        vec![text("mean km from home"), Val::Number(s.mean_km, 1)],
        vec![text("largest km from home"), Val::Number(s.max_km, 1)],
        vec![
            text("share within 32 km (20 miles)"),
            Val::Number(s.share_within_32km, 3),
        ],
        vec![text("share in own authority"), Val::Number(s.share_in_area, 3)],
        vec![
            text("share Good or Outstanding"),
            Val::Number(s.share_good_or_outstanding, 3),
        ],
    ];
    let placements = result
        .placements
        .iter()
        .map(|p| {
            let next = p.alternatives.first();
            vec![
                text(&p.child),
                text(p.urgency.name()),
                text(&p.home),
                home_name(&p.home),
                text(&p.provider),
                text(
                    providers
                        .get(p.provider.as_str())
                        .copied()
                        .flatten()
                        .unwrap_or_default(),
                ),
                text(homes.get(p.home.as_str()).map_or("", |h| h.kind.name())),
                // The pair's price: the provider's offer for this child where it made one.
                Val::Money(p.cost.terms.price),
                Val::Money(p.discount),
                yes_no(p.block_bed),
                Val::Number(p.distance_km, 1),
                text(p.placed_with.join("; ")),
                Val::Score(p.cost.total),
                next.map_or(Val::Empty, |a| text(&a.home)),
                next.map_or(Val::Empty, |a| Val::Score(a.regret)),
            ]
        })
        .collect();
    let mut alternatives = Vec::new();
    for p in &result.placements {
        for (rank, a) in p.alternatives.iter().enumerate() {
            alternatives.push(vec![
                text(&p.child),
                Val::Number(rank as f64 + 1.0, 0),
                text(&a.home),
                home_name(&a.home),
                Val::Money(a.cost.terms.price),
                Val::Number(a.distance_km, 1),
                Val::Score(a.regret),
                text(if a.regret_exact { "exact" } else { "at most" }),
                // The proven interval of an inexact regret: regret_lower to regret.
                match (a.regret_exact, a.regret_lower) {
                    (false, Some(lo)) => Val::Score(lo),
                    _ => Val::Empty,
                },
                Val::Score(a.knock_on),
                text(&a.why),
            ]);
        }
    }
    let unplaced = result
        .unplaced
        .iter()
        .map(|u| {
            let reasons: Vec<String> = u
                .excluded
                .iter()
                .map(|e| format!("{}: {} homes", e.reason, e.homes))
                .collect();
            let relax: Vec<&str> = u.relaxations.iter().map(|r| r.detail.as_str()).collect();
            let comp: Vec<&str> = u.competition.iter().map(|c| c.why.as_str()).collect();
            vec![
                text(&u.child),
                text(u.urgency.name()),
                Val::Score(u.unplaced_cost),
                Val::Number(u.eligible_homes as f64, 0),
                text(reasons.join("; ")),
                text(relax.join("; ")),
                text(comp.join(" ")),
                text(&u.why),
            ]
        })
        .collect();
    let mut sheets: Vec<SheetData> = vec![
        ("Summary", vec!["what", "value"], summary),
        (
            "Placements",
            vec![
                "child",
                "urgency",
                "home id",
                "home name",
                "provider id",
                "provider name",
                "placement type",
                "weekly price (£ spent: list price, or the provider's offer for the child)",
                "volume discount (£/week off)",
                "block bed (already paid for)",
                "distance (km)",
                "placed with",
                "cost (score, £-equivalent/week, not money)",
                "next best home",
                "next best regret (score, £-equivalent/week)",
            ],
            placements,
        ),
        (
            "Alternatives",
            vec![
                "child",
                "rank",
                "home id",
                "home name",
                "weekly price (£ spent: list price, or the provider's offer for the child)",
                "distance (km)",
                "regret (score, £-equivalent/week, not money)",
                "regret is",
                "regret at least (score; when not exact, the regret lies between this and regret)",
                "knock-on on other children (score)",
                "why",
            ],
            alternatives,
        ),
        (
            "Unplaced",
            vec![
                "child",
                "urgency",
                "cost of leaving unplaced (score, £-equivalent/week)",
                "eligible homes",
                "reasons homes were excluded",
                "relaxations that would open homes",
                "eligible homes that went to others",
                "why",
            ],
            unplaced,
        ),
    ];
    if result.since.is_some() {
        let rows = result
            .changes
            .iter()
            .map(|c| {
                let kind = serde_json::to_value(c.kind).ok();
                vec![
                    text(&c.child),
                    text(kind.as_ref().and_then(|k| k.as_str()).unwrap_or("")),
                    text(c.from_home.clone().unwrap_or_default()),
                    text(c.to_home.clone().unwrap_or_default()),
                    text(c.why.clone()),
                ]
            })
            .collect();
        sheets.push((
            "Changes",
            vec!["child", "what changed", "from home", "to home", "why"],
            rows,
        ));
    }
    if let Some(f) = &result.forecast {
        sheets.push(forecast_sheet(f));
    }
    sheets
}

/// The `Forecast` sheet of a result solved with `--forecast`: where the values came from,
/// each valued home (a score, never money) with what it is kept for, each child the values
/// moved, and the expected demand behind them. One row per fact, its kind in `what`.
fn forecast_sheet(f: &ForecastRecord) -> SheetData {
    let blank = |n: usize| std::iter::repeat_n(Val::Empty, n);
    let mut rows = vec![
        [text("source"), text(&f.source), Val::Empty]
            .into_iter()
            .chain(blank(4))
            .chain([text(format!(
                "{}: bed values for the children expected over the next {} days (a spot bed at {} of its bid price); a planned child who has waited under {} days may be held for them",
                f.source_kind.name(),
                f.horizon_days,
                f.spot_value_weight,
                f.hold_days
            ))])
            .collect(),
        [
            text("objective without the bed values"),
            Val::Empty,
            Val::Score(f.objective_without_values),
        ]
        .into_iter()
        .chain(blank(4))
        .chain([text("score, £-equivalent/week, not money")])
        .collect(),
    ];
    for b in &f.bed_values {
        let kept = b.kept_for.clone().unwrap_or_default();
        rows.push(vec![
            text("bed value"),
            text(&b.home),
            Val::Score(b.value),
            text(&kept),
            b.expected_here.map_or(Val::Empty, |x| Val::Number(x, 2)),
            Val::Empty,
            Val::Empty,
            text(if kept.is_empty() {
                format!(
                    "a bed at {} is worth {:.0} a week (score, not money) to the children expected",
                    b.home, b.value
                )
            } else {
                format!(
                    "{} is kept for the `{kept}` children expected, valued {:.0} a week (score, not money)",
                    b.home, b.value
                )
            }),
        ]);
    }
    let home = |h: &Option<String>| text(h.clone().unwrap_or_else(|| "waiting".into()));
    for m in &f.moved {
        // Why: the bed it would have had is kept for the children expected.
        let why = m
            .without
            .as_ref()
            .and_then(|h| f.bed_values.iter().find(|b| &b.home == h))
            .map_or(Val::Empty, |b| {
                text(format!(
                    "{} is kept for the `{}` children expected, valued {:.0} a week (score, not money)",
                    b.home,
                    b.kept_for.as_deref().unwrap_or("expected"),
                    b.value
                ))
            });
        rows.push(
            [text("child moved"), text(&m.child)]
                .into_iter()
                .chain(blank(3))
                .chain([home(&m.without), home(&m.with), why])
                .collect(),
        );
    }
    for d in &f.demand {
        let needs: Vec<String> = d.needs.iter().map(|(i, l)| format!("{i} {l}")).collect();
        rows.push(
            [text("expected demand"), text(&d.stream), Val::Empty, Val::Empty]
                .into_iter()
                .chain([Val::Number(d.per_week, 3), Val::Empty, Val::Empty])
                .chain([text(format!(
                    "{} in {}, ages {}–{}, needs {}{}",
                    d.placement_type,
                    d.authority,
                    d.age_min,
                    d.age_max,
                    if needs.is_empty() {
                        "none".to_string()
                    } else {
                        needs.join(", ")
                    },
                    d.episodes
                        .map_or(String::new(), |n| format!("; estimated from {n} episodes"))
                ))])
                .collect(),
        );
    }
    if let Some(a) = &f.assumed {
        rows.push([text("assumed")].into_iter().chain(blank(6)).chain([text(a)]).collect());
    }
    (
        "Forecast",
        vec![
            "what",
            "home, child or stream",
            "bed value (score, £-equivalent/week per bed, not money)",
            "kept for (expected children)",
            "expected children (sent to this home over the horizon; arrivals a week for demand)",
            "home without the bed values",
            "home with the bed values",
            "detail",
        ],
        rows,
    )
}

/// The result as an .xlsx workbook: one sheet per [`result_sheets`] entry, header row in bold
/// and frozen, money in [`MONEY_FORMAT`] and scores in [`SCORE_FORMAT`].
pub fn result_xlsx(result: &MatchResult, batch: &Batch) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_text_wrap();
    let money = Format::new().set_num_format(MONEY_FORMAT);
    let scores = Format::new().set_num_format(SCORE_FORMAT);
    for (name, header, rows) in result_sheets(result, batch) {
        let ws = book.add_worksheet();
        ws.set_name(name)?;
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
            ws.set_column_width(c as u16, (h.len() as f64 * 0.6).clamp(10.0, 40.0))?;
        }
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, v) in row.iter().enumerate() {
                let c = c as u16;
                match v {
                    Val::Text(s) => {
                        ws.write_string(r, c, s)?;
                    }
                    Val::Money(x) => {
                        ws.write_number_with_format(r, c, *x, &money)?;
                    }
                    Val::Score(x) => {
                        ws.write_number_with_format(r, c, *x, &scores)?;
                    }
                    Val::Number(x, _) => {
                        ws.write_number(r, c, *x)?;
                    }
                    Val::Empty => {}
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    Ok(book.save_to_buffer()?)
}

/// The result as CSV files, one per sheet: `summary.csv`, `placements.csv`,
/// `alternatives.csv`, `unplaced.csv`, and `changes.csv` or `forecast.csv` when the result has
/// them (money and scores as plain numbers with two decimals).
pub fn result_csv_files(result: &MatchResult, batch: &Batch) -> Vec<(String, Vec<u8>)> {
    result_sheets(result, batch)
        .into_iter()
        .map(|(name, header, rows)| {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(&header).expect("in memory");
            for row in rows {
                w.write_record(row.iter().map(|v| match v {
                    Val::Text(s) => s.clone(),
                    Val::Money(x) | Val::Score(x) => format!("{x:.2}"),
                    Val::Number(x, d) => format!("{x:.*}", d),
                    Val::Empty => String::new(),
                }))
                .expect("in memory");
            }
            (
                format!("{}.csv", name.to_lowercase()),
                w.into_inner().expect("in memory"),
            )
        })
        .collect()
}

/// Writes named files into `dir` (created if missing), each atomically. Without `force`,
/// nothing is written when any of them exists already.
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)], force: bool) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    if !force {
        if let Some((name, _)) = files.iter().find(|(n, _)| dir.join(n).exists()) {
            anyhow::bail!(
                "{} already exists; pass --force to replace it",
                dir.join(name).display()
            );
        }
    }
    for (name, bytes) in files {
        write_atomic(&dir.join(name), bytes, force)?;
    }
    Ok(())
}
