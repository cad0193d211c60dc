//! `placematch plan`: size block contracts for a co-operative, print the summary and write
//! the plan result.

use std::path::PathBuf;

use super::files::{print, read_text, refuse_existing, source_name};
use super::options::PlanArgs;
use super::{Exit, RunError, NO_PRESOLVE_WARNING};
use crate::plan::planner::{Method, PlanOptions};

/// What `plan` was asked to do, resolved from its options.
pub(super) struct Settings {
    plan: PathBuf,
    output: Option<PathBuf>,
    force: bool,
    planner: PlanOptions,
}

impl From<PlanArgs> for Settings {
    fn from(a: PlanArgs) -> Self {
        Settings {
            planner: PlanOptions {
                scenarios: a.scenarios as usize,
                seed: a.seed,
                threads: a.threads,
                presolve: !a.no_presolve,
                mip_gap: a.gap,
                time_limit: a.time_limit,
                curve_points: a.curve_points,
                oos_scenarios: a.check_scenarios,
                progress: true,
                method: if a.extensive {
                    Method::Extensive
                } else {
                    Method::Benders
                },
            },
            plan: a.plan,
            output: a.output,
            force: a.force,
        }
    }
}

/// Runs `plan`.
pub(super) fn run(s: &Settings) -> Result<Exit, RunError> {
    if !s.planner.presolve {
        eprintln!("{NO_PRESOLVE_WARNING}");
    }
    refuse_existing(&s.output, s.force)?;
    let text = read_text(&s.plan)?;
    let plan = crate::plan::format::load_plan(&text, &source_name(&s.plan), s.plan.parent())?;
    let result = crate::plan::planner::run(&plan, &s.planner)?;
    if let Some(out) = &s.output {
        let mut json = serde_json::to_string_pretty(&result).map_err(anyhow::Error::from)?;
        json.push('\n');
        crate::result::write::write_atomic(out, json.as_bytes(), s.force)?;
    }
    print(&crate::plan::planner::to_table(&plan, &result))?;
    Ok(Exit::Ok)
}
