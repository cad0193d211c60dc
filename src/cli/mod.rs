//! The command line: clap options, resolved into each step's settings, and `run`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

mod simulate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::errors::{ErrorCode, InvalidInput, Issue};
use crate::input::policy::PolicyInput;

/// Documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// Could not run: unreadable file, existing output without `--force`, internal error.
    Failure = 1,
    /// Bad command line (clap's own code).
    Usage = 2,
    /// The input is invalid: every problem is printed with its path and code.
    InvalidInput = 3,
    /// `check` (or `solve --check`) found a violation.
    CheckFailed = 4,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// placematch: place today's children in care into free beds, and explain why.
#[derive(Debug, Parser)]
#[command(name = "placematch", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Solve a batch: ranked, explained placements and a reason for every child not placed.
    Solve(SolveArgs),
    /// Report every problem in a batch (path, code, what to do) without solving.
    Validate(ValidateArgs),
    /// Re-verify a result against its batch without the solver.
    Check(CheckArgs),
    /// Print the JSON Schema of the batch, the result or a policy file.
    Schema {
        /// Which schema (all when omitted).
        #[arg(value_enum)]
        which: Option<SchemaKind>,
    },
    /// Write a deterministic synthetic batch.
    Generate(GenerateArgs),
    /// List every input error code with its cause and what to do.
    Codes,
    /// Simulate a scenario day by day under each matching rule, with common random numbers.
    Simulate(SimulateArgs),
    /// Compare matching rules on the same batches: one row of metrics per rule and batch.
    Bench(BenchArgs),
    /// Write a self-contained HTML report of a result (or other placematch output).
    Report(ReportArgs),
    /// Size block contracts for a co-operative: beds per offer by stochastic programming, checked out of sample.
    Plan(PlanArgs),
}

/// Output format of `solve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The JSON result (SPEC §7).
    Json,
    /// A readable summary table.
    Table,
}

/// Schemas `placematch schema` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// The batch (`placematch/batch@1`).
    Batch,
    /// The result (`placematch/result@1`).
    Result,
    /// A `--policy` file.
    Policy,
    /// A simulation scenario (`placematch/scenario@1`).
    Scenario,
    /// The plan (`placematch/plan@1`).
    Plan,
    /// The plan result (`placematch/plan-result@1`).
    PlanResult,
}

/// Options of `solve`.
#[derive(Debug, Args)]
pub struct SolveArgs {
    /// The batch file (JSON, `placematch/batch@1`).
    pub batch: PathBuf,
    /// A policy file layered over the batch's own policy.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Write the result here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Alternatives per placed child, ranked by exact regret.
    #[arg(long, default_value_t = 3, value_name = "K")]
    pub alternatives: usize,
    /// Stop searching after this many seconds and return the best solution found.
    #[arg(long, value_name = "SECONDS", value_parser = positive)]
    pub time_limit: Option<f64>,
    /// Seconds the explaining may spend proving regrets once the answer is found (default 3);
    /// past it each regret is a proven range, `regret_lower` to `regret`.
    #[arg(long, value_name = "SECONDS", value_parser = non_negative, conflicts_with = "exact_regrets")]
    pub explain_time: Option<f64>,
    /// Prove every listed regret exactly, however long it takes.
    #[arg(long)]
    pub exact_regrets: bool,
    /// Relative gap at which to stop (0 = prove optimality): once the whole batch is proven
    /// within it, the answer is written as `feasible` with the bound proved.
    #[arg(long, default_value_t = 0.0, value_parser = non_negative)]
    pub gap: f64,
    /// Turn HiGHS presolve off for the MIP, to measure what it costs (HiGHS 1.15 without it has
    /// called worse answers optimal: see docs/reference/cli.md).
    #[arg(long)]
    pub no_presolve: bool,
    /// Pairs per child in the first LP; the rest are priced back in only if they could help (0 = all).
    #[arg(long, default_value_t = 12, value_name = "N")]
    pub columns_per_unit: usize,
    /// Pairs per child kept in memory (default: all, or each child's cheapest share of 4 million
    /// on a larger batch). The rest are priced with the LP's duals and brought back wherever
    /// they could change the answer or a regret.
    #[arg(long, value_name = "N")]
    pub pairs_per_unit: Option<std::num::NonZeroUsize>,
    /// Run the independent checker on the result before writing it.
    #[arg(long)]
    pub check: bool,
    /// Also write a self-contained HTML report of the result here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// Options of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The batch file.
    pub batch: PathBuf,
    /// A policy file layered over the batch's own policy.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

/// Options of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The batch file.
    pub batch: PathBuf,
    /// The result file to verify.
    pub result: PathBuf,
    /// The policy file the result was solved with, if any.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

/// Options of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The file to report on: a result, bench or simulate output (`placematch/result@1`,
    /// `placematch/bench@1`, `placematch/simulate@1`), recognised by its `format`.
    pub input: PathBuf,
    /// The batch a result was solved from: adds the map, names and the authority filter
    /// (results only).
    #[arg(long, value_name = "BATCH")]
    pub batch: Option<PathBuf>,
    /// Write the HTML here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
}

/// Options of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Children in the batch.
    #[arg(long, default_value_t = 150)]
    pub children: usize,
    /// Homes in the batch.
    #[arg(long, default_value_t = 6000)]
    pub homes: usize,
    /// Random seed (same seed, same batch).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Sibling groups.
    #[arg(long)]
    pub siblings: bool,
    /// Children whose risks conflict.
    #[arg(long)]
    pub conflicts: bool,
    /// Children who need a solo placement.
    #[arg(long)]
    pub solo: bool,
    /// Block-contract beds.
    #[arg(long)]
    pub block_beds: bool,
    /// Provider admission limits.
    #[arg(long)]
    pub admission_limits: bool,
    /// Provider volume discounts.
    #[arg(long)]
    pub discounts: bool,
    /// Weekly budgets per authority.
    #[arg(long)]
    pub budgets: bool,
    /// All of the side constraints above.
    #[arg(long)]
    pub side_constraints: bool,
    /// Children from one region's authorities only (a regional co-operative's backlog); homes
    /// from all of England.
    #[arg(long, value_enum)]
    pub region: Option<crate::compare::generate::Region>,
    /// Write here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
}

/// Options of `simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The scenario file (JSON, `placematch/scenario@1`).
    pub scenario: PathBuf,
    /// Days to simulate.
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u64).range(1..=36_500))]
    pub days: u64,
    /// Rules to compare, comma-separated (all when omitted).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub rules: Vec<crate::compare::rules::Rule>,
    /// Replications per rule (each a different draw of arrivals and luck).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub replications: u64,
    /// Random seed (same seed, same numbers).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write the full report (totals, intervals, daily series) as JSON here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write totals and daily series as a long CSV here.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,
    /// Check every daily assignment with the independent checker, and bed counts every day.
    #[arg(long)]
    pub check: bool,
}

/// Options of `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Batch files (JSON, `placematch/batch@1`).
    #[arg(required = true)]
    pub batches: Vec<PathBuf>,
    /// Matching rules to compare, comma-separated (all when omitted).
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = crate::compare::rules::Rule::ALL)]
    pub rules: Vec<crate::compare::rules::Rule>,
    /// A policy file layered over every batch's own policy.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Seed of the `random` rule (same seed, same rows).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also write the rows as CSV here.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Also write the rows as JSON (`placematch/bench@1`) here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,
    /// Rule runs side by side (0 = one per core).
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
}

/// Options of `plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The plan file (JSON, `placematch/plan@1`).
    pub plan: PathBuf,
    /// Write the JSON result (`placematch/plan-result@1`) here; the summary goes to standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
    /// Demand scenarios in the sample average approximation.
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub scenarios: u32,
    /// Random seed of the scenarios (same seed, same plan).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// HiGHS threads.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub threads: u32,
    /// Turn HiGHS presolve off, to measure what it costs (HiGHS 1.15's MIP without it has
    /// called worse answers optimal: see docs/reference/cli.md, `solve --no-presolve`).
    #[arg(long)]
    pub no_presolve: bool,
    /// Relative MIP gap at which the solver stops.
    #[arg(long, default_value_t = 0.005, value_parser = non_negative)]
    pub gap: f64,
    /// Time limit per solve, seconds (the best plan found is reported as `feasible`).
    #[arg(long, value_name = "SECONDS", value_parser = positive)]
    pub time_limit: Option<f64>,
    /// Points on the cost curve (0 = no curve).
    #[arg(long, default_value_t = 6, value_name = "N")]
    pub curve_points: usize,
    /// Fresh scenarios simulated with the daily matcher (0 = skip the out-of-sample check).
    #[arg(long, default_value_t = 40, value_name = "N")]
    pub check_scenarios: usize,
    /// Solve the extensive form as one MIP instead of the L-shaped decomposition (small samples only).
    #[arg(long)]
    pub extensive: bool,
}

fn non_negative(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("`{s}` is not a number ≥ 0")),
    }
}

fn positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("`{s}` is not a number > 0")),
    }
}

/// An error that carries its exit code.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Invalid input, with every issue.
    #[error("{0}")]
    Invalid(#[from] InvalidInput),
    /// The checker found violations.
    #[error("the result breaks {} rule(s):\n{}", .0.len(), .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Check(Vec<String>),
    /// Anything else.
    #[error("{0:#}")]
    Other(#[from] anyhow::Error),
}

impl RunError {
    /// The exit code for this error.
    pub fn exit(&self) -> Exit {
        match self {
            RunError::Invalid(_) => Exit::InvalidInput,
            RunError::Check(_) => Exit::CheckFailed,
            RunError::Other(_) => Exit::Failure,
        }
    }
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn load_policy(path: &Option<PathBuf>) -> Result<Option<PolicyInput>, RunError> {
    match path {
        None => Ok(None),
        Some(p) => Ok(Some(crate::input::read::parse_policy(
            &read_text(p)?,
            &p.display().to_string(),
        )?)),
    }
}

fn load(batch: &Path, policy: &Option<PathBuf>) -> Result<crate::pair::instance::Instance, RunError> {
    let extra = load_policy(policy)?;
    let text = read_text(batch)?;
    Ok(crate::pair::instance::load_batch(
        &text,
        &batch.display().to_string(),
        extra.as_ref(),
    )?)
}

fn emit(output: &Option<PathBuf>, text: &str, force: bool) -> anyhow::Result<()> {
    match output {
        Some(path) => crate::result::write::write_atomic(path, text.as_bytes(), force),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                // The reader stopped early (`placematch schema | head`): that is not a failure.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => Ok(other?),
            }
        }
    }
}

/// Printed on standard error by `solve --no-presolve` and `plan --no-presolve`.
pub const NO_PRESOLVE_WARNING: &str = "warning: --no-presolve: HiGHS 1.15's MIP without presolve has called \
worse answers optimal; use it to measure what presolve costs, not to decide";

/// Runs one command.
pub fn run(cli: Cli) -> Result<Exit, RunError> {
    match cli.command {
        Command::Solve(a) => {
            for out in a.output.iter().chain(&a.html) {
                if out.exists() && !a.force {
                    return Err(anyhow::anyhow!("{} already exists; pass --force to replace it", out.display()).into());
                }
            }
            if a.no_presolve {
                // HiGHS 1.15's MIP without presolve is not trustworthy (docs/reference/cli.md, --no-presolve).
                eprintln!("{NO_PRESOLVE_WARNING}");
            }
            // The bar starts before reading: a national what-if takes about a second to read.
            let progress = crate::support::progress::progress_bar(0, "reading the batch");
            let inst = load(&a.batch, &a.policy)?;
            let opts = crate::matching::solver::SolveOptions {
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
            };
            let result = crate::matching::explain::solve_and_explain_with(&inst, &opts, a.alternatives, &progress);
            progress.finish_and_clear();
            if a.check {
                let problems = crate::check::check(&inst, &result);
                if !problems.is_empty() {
                    return Err(RunError::Check(problems));
                }
            }
            let text = match a.format {
                Format::Json => crate::result::write::to_json(&result),
                Format::Table => crate::result::write::to_table(&result),
            };
            emit(&a.output, &text, a.force)?;
            if let Some(html) = &a.html {
                let page = crate::report::render_result(&result, Some(&inst)).map_err(|issues| InvalidInput {
                    source_name: a.batch.display().to_string(),
                    issues,
                })?;
                crate::result::write::write_atomic(html, page.as_bytes(), a.force)?;
            }
            // Like the progress bar, only for a person watching (scripts read the result).
            if let (Some(out), true) = (&a.output, std::io::IsTerminal::is_terminal(&std::io::stderr())) {
                eprintln!(
                    "{}",
                    crate::matching::explain::run_line(&result, &out.display().to_string())
                );
            }
            Ok(Exit::Ok)
        }
        Command::Validate(a) => {
            let inst = load(&a.batch, &a.policy)?;
            println!(
                "{} is valid: {} children, {} homes, {} providers",
                a.batch.display(),
                inst.batch.children.len(),
                inst.batch.homes.len(),
                inst.batch.providers.len()
            );
            Ok(Exit::Ok)
        }
        Command::Check(a) => {
            let inst = load(&a.batch, &a.policy)?;
            let text = read_text(&a.result)?;
            let name = a.result.display().to_string();
            let value = crate::input::read::parse_json(&text).map_err(|i| InvalidInput {
                source_name: name.clone(),
                issues: vec![i],
            })?;
            let result: crate::result::format::MatchResult =
                crate::input::read::typed(&value, "").map_err(|i| InvalidInput {
                    source_name: name.clone(),
                    issues: vec![Issue::new(i.path, ErrorCode::ResultMismatch, i.message)],
                })?;
            let problems = crate::check::check(&inst, &result);
            if problems.is_empty() {
                println!(
                    "{name} is a valid result for {}: {} placed, {} unplaced, objective {} recomputed",
                    a.batch.display(),
                    result.summary.placed,
                    result.summary.unplaced,
                    result.objective
                );
                Ok(Exit::Ok)
            } else {
                Err(RunError::Check(problems))
            }
        }
        Command::Schema { which } => {
            let batch = schemars::schema_for!(crate::input::batch::Batch);
            let result = schemars::schema_for!(crate::result::format::MatchResult);
            let policy = schemars::schema_for!(crate::input::policy::PolicyInput);
            let scenario = schemars::schema_for!(crate::compare::scenario::Scenario);
            let plan = schemars::schema_for!(crate::plan::format::PlanInput);
            let plan_result = schemars::schema_for!(crate::plan::plan_result::PlanResult);
            let v = match which {
                Some(SchemaKind::Batch) => serde_json::to_value(batch),
                Some(SchemaKind::Result) => serde_json::to_value(result),
                Some(SchemaKind::Policy) => serde_json::to_value(policy),
                Some(SchemaKind::Plan) => serde_json::to_value(plan),
                Some(SchemaKind::PlanResult) => serde_json::to_value(plan_result),
                Some(SchemaKind::Scenario) => serde_json::to_value(scenario),
                None => {
                    Ok(serde_json::json!({"batch": batch, "result": result, "policy": policy, "scenario": scenario, "plan": plan, "plan_result": plan_result}))
                }
            }
            .map_err(anyhow::Error::from)?;
            let text = serde_json::to_string_pretty(&v).map_err(anyhow::Error::from)?;
            emit(&None, &(text + "\n"), false)?;
            Ok(Exit::Ok)
        }
        Command::Generate(a) => {
            if let Some(out) = &a.output {
                if out.exists() && !a.force {
                    return Err(anyhow::anyhow!("{} already exists; pass --force to replace it", out.display()).into());
                }
            }
            let all = a.side_constraints;
            let opts = crate::compare::generate::GenOptions {
                children: a.children,
                homes: a.homes,
                seed: a.seed,
                siblings: a.siblings || all,
                conflicts: a.conflicts || all,
                solo: a.solo || all,
                block_beds: a.block_beds || all,
                admission_limits: a.admission_limits || all,
                discounts: a.discounts || all,
                budgets: a.budgets || all,
                region: a.region,
            };
            let batch = crate::compare::generate::generate(&opts);
            let mut text = serde_json::to_string_pretty(&batch).map_err(anyhow::Error::from)?;
            text.push('\n');
            emit(&a.output, &text, a.force)?;
            Ok(Exit::Ok)
        }
        Command::Plan(a) => {
            if a.no_presolve {
                eprintln!("{NO_PRESOLVE_WARNING}");
            }
            if let Some(out) = &a.output {
                if out.exists() && !a.force {
                    return Err(anyhow::anyhow!("{} already exists; pass --force to replace it", out.display()).into());
                }
            }
            let text = read_text(&a.plan)?;
            let plan = crate::plan::format::load_plan(&text, &a.plan.display().to_string(), a.plan.parent())?;
            let opts = crate::plan::planner::PlanOptions {
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
                    crate::plan::planner::Method::Extensive
                } else {
                    crate::plan::planner::Method::Benders
                },
            };
            let result = crate::plan::planner::run(&plan, &opts)?;
            if let Some(out) = &a.output {
                let mut json = serde_json::to_string_pretty(&result).map_err(anyhow::Error::from)?;
                json.push('\n');
                crate::result::write::write_atomic(out, json.as_bytes(), a.force)?;
            }
            emit(&None, &crate::plan::planner::to_table(&plan, &result), false)?;
            Ok(Exit::Ok)
        }
        Command::Simulate(a) => simulate::run(&a),
        Command::Bench(a) => {
            for out in [&a.csv, &a.json].into_iter().flatten() {
                if out.exists() && !a.force {
                    return Err(anyhow::anyhow!("{} already exists; pass --force to replace it", out.display()).into());
                }
            }
            if a.csv.is_some() && a.csv == a.json {
                return Err(anyhow::anyhow!("--csv and --json name the same file").into());
            }
            let batches = a
                .batches
                .iter()
                .map(|b| Ok((b.display().to_string(), load(b, &a.policy)?)))
                .collect::<Result<Vec<_>, RunError>>()?;
            let mut rules = a.rules.clone();
            let mut seen = std::collections::HashSet::new();
            rules.retain(|r| seen.insert(*r));
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(a.jobs)
                .build()
                .map_err(anyhow::Error::from)?;
            let bar = crate::support::progress::progress_bar((batches.len() * rules.len()) as u64, "bench");
            let rows = pool
                .install(|| crate::compare::bench::bench(&batches, &rules, a.seed, &bar))
                .map_err(RunError::Check)?;
            bar.finish_and_clear();
            emit(&None, &crate::compare::bench::to_table(&rows), false)?;
            if let Some(path) = &a.csv {
                crate::result::write::write_atomic(path, crate::compare::bench::to_csv(&rows)?.as_bytes(), a.force)?;
            }
            if let Some(path) = &a.json {
                crate::result::write::write_atomic(
                    path,
                    crate::compare::bench::to_json(a.seed, &rows).as_bytes(),
                    a.force,
                )?;
            }
            Ok(Exit::Ok)
        }
        Command::Report(a) => {
            if let Some(out) = &a.output {
                if out.exists() && !a.force {
                    return Err(anyhow::anyhow!("{} already exists; pass --force to replace it", out.display()).into());
                }
            }
            let inst = match &a.batch {
                Some(b) => Some(load(b, &None)?),
                None => None,
            };
            let text = read_text(&a.input)?;
            let page = crate::report::render(&text, &a.input.display().to_string(), inst.as_ref())?;
            emit(&a.output, &page, a.force)?;
            Ok(Exit::Ok)
        }
        Command::Codes => {
            let mut text = format!("{:<6} {:<22} what to do\n", "code", "name");
            for c in ErrorCode::ALL {
                text += &format!("{:<6} {:<22} {}\n", c.code(), c.name(), c.action());
            }
            emit(&None, &text, false)?;
            Ok(Exit::Ok)
        }
    }
}
