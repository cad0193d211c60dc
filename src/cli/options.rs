//! The clap options of every command, and nothing else: what the user may type, with its
//! help text and defaults. Each command's file resolves its options into its settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    /// Turn spreadsheets (a folder of children/homes/providers CSVs, or one .xlsx/.ods) into a batch.
    Import(ImportArgs),
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
    /// Seconds the explaining may spend proving regrets once the answer is found (default 8);
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
    /// A demand forecast (a simulation scenario, `placematch/scenario@1`): each free bed's
    /// expected value to the children it forecasts over the next 14 days joins the objective,
    /// as the `lookahead` rule of `simulate` adds it, so a bed may be kept for expected demand.
    #[arg(long, value_name = "FILE")]
    pub forecast: Option<PathBuf>,
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
    /// Also write the result as a workbook (Summary, Placements, Alternatives, Unplaced).
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
    /// Also write the result as CSV files (summary, placements, alternatives, unplaced) into this folder.
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,
    /// Compare with an earlier result of `solve` (JSON): the result lists every child whose
    /// placement changed, or that was settled, with why (`changes`).
    #[arg(long, value_name = "EARLIER_RESULT")]
    pub since: Option<PathBuf>,
}

/// Options of `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A folder holding children.csv, homes.csv and providers.csv (and batch.csv), or one
    /// .xlsx/.ods workbook with sheets of those names.
    #[arg(required_unless_present = "template", conflicts_with = "template")]
    pub source: Option<PathBuf>,
    /// Write the batch here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// A policy file to embed as the batch's own policy.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Instead of importing, write the blank templates (CSVs, notes and template.xlsx) into DIR.
    #[arg(long, value_name = "DIR")]
    pub template: Option<PathBuf>,
    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,
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
    /// The earlier result the result's `changes` were made against (`solve --since`): each
    /// change's `from_home` is then checked against it.
    #[arg(long, value_name = "EARLIER_RESULT")]
    pub since: Option<PathBuf>,
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
    /// Write every placement of every run as CSV here (which child, which home, its price,
    /// weekly cost, bed value, how long it lasted).
    #[arg(long, value_name = "FILE")]
    pub placements: Option<PathBuf>,
    /// Days of expected arrivals the `lookahead` rule values spot beds against (0: value
    /// only block beds, over the stays of the children expected).
    #[arg(long, default_value_t = 14, value_name = "DAYS", value_parser = clap::value_parser!(u64).range(0..=365))]
    pub lookahead_days: u64,
    /// Value the `lookahead` rule's free block beds by the stay LP alone, without the floor at
    /// their weekly price (the rule before 2026-12-07; for comparison).
    #[arg(long)]
    pub no_block_floor: bool,
    /// The share of its 14-day bid price a free spot bed carries in the `lookahead` rule, from
    /// 0 (spot beds unvalued) to 1 (the fluid LP's dual in full, the rule before 2026-12-08).
    #[arg(long, default_value_t = 0.5, value_name = "W", value_parser = unit_interval)]
    pub spot_value_weight: f64,
    /// Scale the `lookahead` rule's free block-bed values by the share of the time the bed
    /// would be filled while it waits for the children it is kept for: lower spend where the
    /// block has beds to spare, longer waits in tight markets (see the analyst's guide).
    #[arg(long)]
    pub block_fill_share: bool,
    /// Compare every rule with this one, pairwise over replications (paired 95% intervals).
    #[arg(long, value_enum, value_name = "RULE")]
    pub baseline: Option<crate::compare::rules::Rule>,
    /// Rerun the comparison once per value of one policy weight, e.g. `per_km=0,5,10,20`
    /// (same seed: the values are paired), for `--rules` (default `optimal`); the table and
    /// the JSON's `sweep` give spend, days over 20 miles, unmet need, mean wait and the
    /// objective per value.
    #[arg(long, value_name = "WEIGHT=V1,V2,…", conflicts_with_all = ["baseline", "placements"])]
    pub sweep: Option<String>,
}

/// Options of `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Batch files (JSON, `placematch/batch@1`).
    #[arg(required = true)]
    pub batches: Vec<PathBuf>,
    /// Matching rules to compare, comma-separated (all when omitted): optimal, greedy, nearest,
    /// cheapest, dps, stable, random. Not lookahead: it needs a forecast of arrivals, which a
    /// batch does not have (`simulate` compares it).
    #[arg(long, value_delimiter = ',', default_values_t = crate::compare::rules::Rule::ALL, value_parser = bench_rule)]
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

fn unit_interval(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a number from 0 to 1")),
    }
}

fn positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("`{s}` is not a number > 0")),
    }
}

/// A rule `bench` can run: any but `lookahead`, which without a forecast would be the daily
/// optimum under another name.
fn bench_rule(s: &str) -> Result<crate::compare::rules::Rule, String> {
    use crate::compare::rules::Rule;
    match Rule::from_str(s, true)? {
        Rule::Lookahead => Err(
            "lookahead values beds by a forecast of arrivals, which bench's batches do not have \
(it would be the daily optimum under another name); compare it over time with \
`placematch simulate SCENARIO --rules optimal,lookahead`, or value beds in a day's solve with \
`placematch solve BATCH --forecast SCENARIO`"
                .to_string(),
        ),
        r => Ok(r),
    }
}
