//! # placematch
//!
//! Places a day's cohort of children in care into free beds by mixed-integer
//! optimisation (HiGHS), and explains every choice.
//!
//! The path of a batch is one module per step:
//! [`read`] → [`validate`] → [`locate`] → [`eligibility`] & [`cost`] → [`model`] →
//! [`solve`] → [`explain`] → [`write`]; [`check`] re-verifies a result without the solver.
//!
//! ```no_run
//! use placematch::{solve::SolveOptions, validate::load_batch, explain::solve_and_explain};
//! let text = std::fs::read_to_string("instances/example.json").unwrap();
//! let inst = load_batch(&text, "example.json", None).expect("valid batch");
//! let result = solve_and_explain(&inst, &SolveOptions::default(), 3);
//! assert!(placematch::check::check(&inst, &result).is_empty());
//! ```
#![deny(missing_docs)]

pub mod batch;
pub mod bench;
pub mod check;
pub mod cli;
pub mod cost;
pub mod eligibility;
pub mod errors;
pub mod explain;
pub mod flow;
pub mod generate;
pub mod history;
pub mod lagrange;
pub mod lns;
pub mod locate;
pub mod model;
pub mod plan;
pub mod plan_result;
pub mod planner;
pub mod policy;
pub mod read;
pub mod regret;
pub mod report;
pub mod result;
pub mod rules;
pub mod scenario;
pub mod simulate;
pub mod simulate_plan;
pub mod small;

pub mod solve;
pub mod validate;
pub mod write;
