//! Self-contained HTML reports of placematch's outputs: `placematch report FILE` and
//! `placematch solve --html FILE`.
//!
//! A report is one HTML file with inline CSS, inline SVG charts drawn from `maud`
//! templates and a small inline script for sorting and filtering. A strict
//! Content-Security-Policy forbids loading anything else, so it opens on a laptop
//! with no internet and never calls out. The page a file gets is chosen by the
//! file's `format` field ([`FORMATS`]).
//!
//! A result holds ids, not coordinates: the map and the authority filter need the
//! batch the result was solved from (`--batch`). Without it the report says so and
//! leaves them out rather than guess.

mod bench_page;
mod forecast_section;
mod map;
mod page;
mod plan_page;
mod result_page;
mod simulate_page;
mod svg;
mod sweep_page;

use std::collections::HashMap;

use serde_json::Value;

use crate::compare::bench::{BenchReport, BENCH_FORMAT};
use crate::compare::simulate::{SimReport, SIMULATE_FORMAT};
use crate::errors::{ErrorCode, InvalidInput, Issue};
use crate::plan::plan_result::{PlanResult, PLAN_RESULT_FORMAT};
use crate::result::format::{MatchResult, RESULT_FORMAT};
use crate::{input::geography::Geography, pair::instance::Instance};

/// The formats `placematch report` reads, by their `format` field.
pub const FORMATS: &[&str] = &[RESULT_FORMAT, BENCH_FORMAT, SIMULATE_FORMAT, PLAN_RESULT_FORMAT];

/// Renders the report of any supported output given as JSON text.
///
/// `source` names the input in error messages; `batch` is the batch a result was
/// solved from, when known (it adds the map, names and the authority filter).
pub fn render(text: &str, source: &str, batch: Option<&Instance>) -> Result<String, InvalidInput> {
    let invalid = |issues: Vec<Issue>| InvalidInput {
        source_name: source.to_string(),
        issues,
    };
    let value = crate::input::read::parse_json(text).map_err(|i| invalid(vec![i]))?;
    let format = value.get("format").and_then(Value::as_str);
    match format {
        Some(RESULT_FORMAT) => {
            let result: MatchResult = crate::input::read::typed(&value, "").map_err(|i| invalid(vec![i]))?;
            render_result(&result, batch).map_err(invalid)
        }
        // A bench or simulation output names its batches and scenario itself: a batch given
        // with one is a mistake, said rather than ignored.
        Some(f @ (BENCH_FORMAT | SIMULATE_FORMAT | PLAN_RESULT_FORMAT)) if batch.is_some() => Err(invalid(vec![Issue::new(
            "format",
            ErrorCode::ResultMismatch,
            format!(
                "--batch applies to results only; a `{f}` file names its own batches, scenario or plan: leave --batch out"
            ),
        )])),
        Some(BENCH_FORMAT) => {
            let report: BenchReport = crate::input::read::typed(&value, "").map_err(|i| invalid(vec![i]))?;
            Ok(bench_page::render(&report))
        }
        Some(SIMULATE_FORMAT) => {
            let report: SimReport = crate::input::read::typed(&value, "").map_err(|i| invalid(vec![i]))?;
            Ok(simulate_page::render(&report))
        }
        Some(PLAN_RESULT_FORMAT) => {
            let plan: PlanResult = crate::input::read::typed(&value, "").map_err(|i| invalid(vec![i]))?;
            Ok(plan_page::render(&plan))
        }
        other => {
            let what = match other {
                Some(f) => format!("`{f}` is not a format placematch can report on"),
                None if value.is_object() => "the file has no `format` field".to_string(),
                None => "the file is not a JSON object with a `format` field".to_string(),
            };
            Err(invalid(vec![Issue::new(
                "format",
                ErrorCode::WrongFormat,
                format!("{what}; `placematch report` reads {}", FORMATS.join(", ")),
            )]))
        }
    }
}

/// Renders the report of a result. With `batch`, every child and home of the result
/// must be in it (issues name the offending path, code E1401).
pub fn render_result(result: &MatchResult, batch: Option<&Instance>) -> Result<String, Vec<Issue>> {
    let ctx = match batch {
        Some(inst) => {
            let ctx = BatchContext::new(inst);
            let issues = ctx.mismatches(result);
            if !issues.is_empty() {
                return Err(issues);
            }
            Some(ctx)
        }
        None => None,
    };
    Ok(result_page::render(result, ctx.as_ref()))
}

/// Where a child lives and who is responsible for them.
#[derive(Debug, Clone)]
struct ChildInfo {
    lat: f64,
    lon: f64,
    la: String,
}

/// A home as a reader knows it.
#[derive(Debug, Clone)]
struct HomeInfo {
    name: Option<String>,
    kind: &'static str,
    lat: f64,
    lon: f64,
}

/// What a report takes from the batch: places, names and authorities, by id.
#[derive(Debug)]
struct BatchContext {
    batch_id: Option<String>,
    as_of: Option<String>,
    children: HashMap<String, ChildInfo>,
    homes: HashMap<String, HomeInfo>,
    providers: HashMap<String, String>,
    /// Child ids in batch order, to find children a result leaves out.
    child_order: Vec<String>,
    home_count: usize,
}

impl BatchContext {
    fn new(inst: &Instance) -> BatchContext {
        let b = &inst.batch;
        BatchContext {
            batch_id: b.batch_id.clone(),
            as_of: b.as_of.clone(),
            children: b
                .children
                .iter()
                .zip(&inst.children)
                .map(|(c, p)| {
                    (
                        c.id.clone(),
                        ChildInfo {
                            lat: p.place.lat,
                            lon: p.place.lon,
                            la: p.la.clone(),
                        },
                    )
                })
                .collect(),
            homes: b
                .homes
                .iter()
                .zip(&inst.homes)
                .map(|(h, p)| {
                    (
                        h.id.clone(),
                        HomeInfo {
                            name: h.name.clone(),
                            kind: h.kind.name(),
                            lat: p.place.lat,
                            lon: p.place.lon,
                        },
                    )
                })
                .collect(),
            providers: b
                .providers
                .iter()
                .filter_map(|p| p.name.clone().map(|n| (p.id.clone(), n)))
                .collect(),
            child_order: b.children.iter().map(|c| c.id.clone()).collect(),
            home_count: b.homes.len(),
        }
    }

    /// Every way the result does not belong to this batch.
    fn mismatches(&self, r: &MatchResult) -> Vec<Issue> {
        let mut out = Vec::new();
        let mut bad = |path: String, what: String| out.push(Issue::new(path, ErrorCode::ResultMismatch, what));
        if let (Some(a), Some(b)) = (&r.batch_id, &self.batch_id) {
            if a != b {
                bad(
                    "batch_id".into(),
                    format!("the result is for batch `{a}` but --batch is `{b}`"),
                );
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (i, p) in r.placements.iter().enumerate() {
            seen.insert(p.child.as_str());
            if !self.children.contains_key(&p.child) {
                bad(
                    format!("placements[{i}].child"),
                    format!("child `{}` is not in the batch", p.child),
                );
            }
            if !self.homes.contains_key(&p.home) {
                bad(
                    format!("placements[{i}].home"),
                    format!("home `{}` is not in the batch", p.home),
                );
            }
            for (j, a) in p.alternatives.iter().enumerate() {
                if !self.homes.contains_key(&a.home) {
                    bad(
                        format!("placements[{i}].alternatives[{j}].home"),
                        format!("home `{}` is not in the batch", a.home),
                    );
                }
            }
        }
        for (i, u) in r.unplaced.iter().enumerate() {
            seen.insert(u.child.as_str());
            if !self.children.contains_key(&u.child) {
                bad(
                    format!("unplaced[{i}].child"),
                    format!("child `{}` is not in the batch", u.child),
                );
            }
        }
        for id in &self.child_order {
            if !seen.contains(id.as_str()) {
                bad(
                    String::new(),
                    format!("batch child `{id}` is neither placed nor unplaced in the result"),
                );
            }
        }
        out
    }

    /// "Name (id)" of a home, or the id alone.
    fn home_label(&self, id: &str) -> String {
        match self.homes.get(id).and_then(|h| h.name.as_deref()) {
            Some(n) => format!("{n} ({id})"),
            None => id.to_string(),
        }
    }

    /// The provider's name, or its id.
    fn provider_label(&self, id: &str) -> String {
        self.providers.get(id).cloned().unwrap_or_else(|| id.to_string())
    }
}

/// A readable authority name, falling back to the code.
fn authority_name(code: &str) -> String {
    Geography::get().authority_name(code).unwrap_or(code).to_string()
}

/// A share as a whole percentage.
fn percent(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_formats_are_named() {
        let e = render(r#"{"format":"placematch/batch@1"}"#, "x.json", None).unwrap_err();
        assert_eq!(e.issues[0].code, ErrorCode::WrongFormat);
        assert!(e.issues[0].message.contains("placematch/batch@1"), "{e}");
        for f in FORMATS {
            assert!(e.issues[0].message.contains(f), "{f} missing from {e}");
        }
        let e = render("[1]", "x.json", None).unwrap_err();
        assert_eq!(e.issues[0].code, ErrorCode::WrongFormat);
        let e = render("{", "x.json", None).unwrap_err();
        assert_eq!(e.issues[0].code, ErrorCode::MalformedJson);
    }
}
