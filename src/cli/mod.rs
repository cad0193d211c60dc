//! The command line: clap options ([`options`]), one file per command that resolves its
//! options into its settings and runs it, the exit codes, and [`run`], which dispatches.

mod bench;
mod check;
mod codes;
mod files;
mod forecast;
mod generate;
mod import;
pub mod options;
mod plan;
mod report;
mod schema;
mod simulate;
mod solve;
mod validate;

use std::process::ExitCode;

use crate::errors::InvalidInput;
pub use options::{
    BenchArgs, CheckArgs, Cli, Command, Format, GenerateArgs, ImportArgs, PlanArgs, ReportArgs, SchemaKind,
    SimulateArgs, SolveArgs, ValidateArgs,
};

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

/// Printed on standard error by `solve --no-presolve` and `plan --no-presolve`.
pub const NO_PRESOLVE_WARNING: &str = "warning: --no-presolve: HiGHS 1.15's MIP without presolve has called \
worse answers optimal; use it to measure what presolve costs, not to decide";

/// Runs one command: its options become its settings, then it runs.
pub fn run(cli: Cli) -> Result<Exit, RunError> {
    match cli.command {
        Command::Solve(a) => {
            // Before any thread: the explaining stage's peak memory (support::memory).
            crate::support::memory::one_arena();
            solve::run(&solve::Settings::from(a))
        }
        Command::Validate(a) => validate::run(&a),
        Command::Check(a) => check::run(&a),
        Command::Schema { which } => schema::run(which),
        Command::Generate(a) => generate::run(&generate::Settings::from(a)),
        Command::Codes => codes::run(),
        Command::Simulate(a) => simulate::run(&simulate::Settings::from(a)),
        Command::Bench(a) => bench::run(&bench::Settings::from(a)),
        Command::Report(a) => report::run(&a),
        Command::Plan(a) => plan::run(&plan::Settings::from(a)),
        Command::Import(a) => import::run(&a),
    }
}
