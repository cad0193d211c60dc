//! # placematch
//!
//! Places a day's cohort of children in care into free beds by mixed-integer
//! optimisation (HiGHS), and explains every choice.
//!
//! The modules are layers, in the order a batch travels; each imports only the layers
//! before it (a test reads `src/` and fails on a cycle or a step backwards):
//!
//! | layer | module | what |
//! | --- | --- | --- |
//! | 0 | [`errors`], [`support`] | the error registry; the progress bar, money, random streams |
//! | 1 | [`input`] | read and validate a batch, its policy and postcodes |
//! | 2 | [`pair`] | the located [`pair::instance::Instance`], eligibility and cost of each pair |
//! | 3 | [`result`] | the result format and its writers |
//! | 4 | [`check`] | the independent checker: re-derives a result without the solver |
//! | 5 | [`matching`] | the model, its solver, regrets and explanations |
//! | 6 | [`compare`] | matching rules side by side: bench, generated batches, simulation |
//! | 7 | [`plan`] | block contracts for a co-operative |
//! | 8 | [`report`] | self-contained HTML reports |
//! | 9 | [`cli`] | the command line |
//!
//! ```no_run
//! use placematch::matching::{explain::solve_and_explain, solver::SolveOptions};
//! use placematch::pair::instance::load_batch;
//! let text = std::fs::read_to_string("instances/example.json").unwrap();
//! let inst = load_batch(&text, "example.json", None).expect("valid batch");
//! let result = solve_and_explain(&inst, &SolveOptions::default(), 3);
//! assert!(placematch::check::check(&inst, &result).is_empty());
//! ```
#![deny(missing_docs)]

pub mod errors;
pub mod support;

pub mod input;

pub mod pair;

pub mod result;

pub mod check;

pub mod matching;

pub mod compare;

pub mod plan;

pub mod report;

pub mod cli;
