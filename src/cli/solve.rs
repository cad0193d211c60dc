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

/// Runs `solve`.
pub(super) fn run(s: &Settings) -> Result<Exit, RunError> {
    // A forecast adds its own file (forecast.csv) to the CSV folder, and --since its changes.
    let extra = [
        s.forecast.as_ref().map(|_| crate::result::sheets::FORECAST_CSV),
        s.since.as_ref().map(|_| crate::result::sheets::CHANGES_CSV),
    ];
    let csv_files: Vec<PathBuf> = s
        .csv
        .iter()
        .flat_map(|d| {
            crate::result::sheets::CSV_FILES
                .iter()
                .chain(extra.iter().flatten())
                .map(|f| d.join(f))
        })
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
        Some(p) => Some(super::forecast::read_forecast(p, Default::default())?),
        None => None,
    };
    let mut result = match (&forecast, &s.forecast) {
        (Some(forecast), Some(path)) => crate::compare::lookahead::daily::solve_with_forecast(
            &inst,
            forecast,
            &super::files::source_name(path),
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
