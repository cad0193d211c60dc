//! The one integration-test binary: a small harness plus one module per concern.

mod harness;

mod answers;
mod branching;
mod broker_day;
mod cli;
mod conventions;
mod corpus;
mod cuts;
mod errors;
mod errors_answers;
mod forecast;
mod fuzz;
mod layers;
mod lookahead;
mod plan;
mod properties;
mod report;
mod rules;
mod sheets;
mod simulate;
mod since;
mod small;
mod solve;
mod sweep;
mod tamper;
