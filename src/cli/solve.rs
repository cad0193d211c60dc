//! `placematch solve`: read a batch, solve and explain it, optionally check it, and write the
//! result (and its HTML page).

use std::path::PathBuf;

use super::files::{emit, load, refuse_existing};
use super::options::{Format, SolveArgs};
use super::{Exit, RunError, NO_PRESOLVE_WARNING};
use crate::errors::InvalidInput;
use crate::matching::solver::SolveOptions;

/// What `solve` was asked to do, resolved from its options.
pub(super) struct Settings {
    batch: PathBuf,
    policy: Option<PathBuf>,
    output: Option<PathBuf>,
    html: Option<PathBuf>,
    xlsx: Option<PathBuf>,
    csv: Option<PathBuf>,
    since: Option<PathBuf>,
    forecast: Option<PathBuf>,
    force: bool,
    format: Format,
    alternatives: usize,
    check: bool,
    solver: SolveOptions,
}

impl From<SolveArgs> for Settings {
    fn from(a: SolveArgs) -> Self {
        Settings {
            solver: SolveOptions {
                time_limit: a.time_limit,
                gap: a.gap,
                presolve: !a.no_presolve,
                columns_per_unit: a.columns_per_unit,
                pairs_per_unit: a.pairs_per_unit.map(usize::from),
                explain_time: (!a.exact_regrets).then(|| {
                    a.explain_time
                        .unwrap_or(crate::matching::solver::DEFAULT_EXPLAIN_SECONDS)
                }),
                ..Default::default()
            },
            batch: a.batch,
            policy: a.policy,
            output: a.output,
            html: a.html,
            xlsx: a.xlsx,
            csv: a.csv,
            since: a.since,
            forecast: a.forecast,
            force: a.force,
            format: a.format,
            alternatives: a.alternatives,
            check: a.check,
        }
    }
}

/// Reads `--forecast FILE`: a simulation scenario, compiled as `simulate` compiles it. Any
/// other kind of file is E1804, before the scenario's own rules are applied.
fn read_forecast(path: &std::path::Path) -> Result<crate::compare::scenario::World, RunError> {
    use crate::compare::scenario::SCENARIO_FORMAT;
    let text = super::files::read_text(path)?;
    let name = super::files::source_name(path);
    let what = match crate::input::read::parse_json(&text) {
        Err(_) => Some("is not JSON (a history file of episodes is a CSV)".to_string()),
        Ok(v) => match v.get("format").and_then(serde_json::Value::as_str) {
            Some(SCENARIO_FORMAT) => None,
            Some(f) => Some(format!("is a `{f}` file")),
            None => Some("has no `format` field".to_string()),
        },
    };
    if let Some(what) = what {
        return Err(InvalidInput {
            source_name: name,
            issues: vec![crate::errors::Issue::new(
                "--forecast",
                crate::errors::ErrorCode::ForecastNotAScenario,
                format!("the forecast {what}; --forecast reads a simulation scenario (\"{SCENARIO_FORMAT}\")"),
            )],
        }
        .into());
    }
    Ok(crate::compare::scenario::load_scenario(&text, &name, 1)?)
}

/// Runs `solve`.
pub(super) fn run(s: &Settings) -> Result<Exit, RunError> {
    let csv_files: Vec<PathBuf> = s
        .csv
        .iter()
        .flat_map(|d| crate::result::sheets::CSV_FILES.iter().map(|f| d.join(f)))
        .collect();
    refuse_existing(s.output.iter().chain(&s.html).chain(&s.xlsx).chain(&csv_files), s.force)?;
    if !s.solver.presolve {
        // HiGHS 1.15's MIP without presolve is not trustworthy (docs/reference/cli.md, --no-presolve).
        eprintln!("{NO_PRESOLVE_WARNING}");
    }
    // The bar starts before reading: a national what-if takes about a second to read.
    let progress = crate::support::progress::progress_bar(0, "reading the batch");
    let inst = load(&s.batch, s.policy.as_deref())?;
    // The earlier result is read before solving: a wrong file is reported at once.
    let earlier = match &s.since {
        Some(p) => Some(crate::result::changes::read_earlier(
            &super::files::read_text(p)?,
            &p.display().to_string(),
        )?),
        None => None,
    };
    let forecast = match &s.forecast {
        Some(p) => Some(read_forecast(p)?),
        None => None,
    };
    let mut result = match (&forecast, &s.forecast) {
        (Some(world), Some(path)) => crate::compare::lookahead::daily::solve_with_forecast(
            &inst,
            world,
            &super::files::source_name(path),
            Default::default(),
            &s.solver,
            s.alternatives,
            &progress,
        ),
        _ => crate::matching::explain::solve_and_explain_with(&inst, &s.solver, s.alternatives, &progress),
    };
    progress.finish_and_clear();
    if let (Some(before), Some(path)) = (&earlier, &s.since) {
        result.since = Some(before.batch_id.clone().unwrap_or_else(|| path.display().to_string()));
        result.changes = crate::result::changes::changes(&inst, &result, before);
    }
    if s.check {
        let problems = crate::check::check_since(&inst, &result, earlier.as_ref());
        if !problems.is_empty() {
            return Err(RunError::Check(problems));
        }
    }
    let text = match s.format {
        Format::Json => crate::result::write::to_json(&result),
        Format::Table => {
            let mut t = crate::result::write::to_table_named(&result, Some(&inst.batch));
            if let Some(f) = &result.forecast {
                t.push_str(&crate::compare::lookahead::daily::forecast_lines(f));
            }
            t
        }
    };
    emit(s.output.as_deref(), &text, s.force)?;
    if let Some(html) = &s.html {
        let page = crate::report::render_result(&result, Some(&inst)).map_err(|issues| InvalidInput {
            source_name: super::files::source_name(&s.batch),
            issues,
        })?;
        crate::result::write::write_atomic(html, page.as_bytes(), s.force)?;
    }
    if let Some(path) = &s.xlsx {
        let book = crate::result::sheets::result_xlsx(&result, &inst.batch)?;
        crate::result::write::write_atomic(path, &book, s.force)?;
    }
    if let Some(dir) = &s.csv {
        let files = crate::result::sheets::result_csv_files(&result, &inst.batch);
        crate::result::sheets::write_files(dir, &files, s.force)?;
    }
    // Like the progress bar, only for a person watching (scripts read the result).
    if let (Some(out), true) = (&s.output, std::io::IsTerminal::is_terminal(&std::io::stderr())) {
        eprintln!(
            "{}",
            crate::matching::explain::run_line(&result, &out.display().to_string())
        );
    }
    Ok(Exit::Ok)
}
