//! The `placematch` command: parse options, run, and print errors in one place.

use std::process::ExitCode;

use clap::Parser;
use placematch::cli::{run, Cli, Exit};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code.into(),
        Err(e) => {
            eprintln!("error: {e}");
            e.exit().into()
        }
    }
}

#[allow(dead_code)]
const _: Exit = Exit::Usage;
