//! Layer 7, **plan**: block contracts for a co-operative. The plan [`format`], demand from
//! [`history`], the two-stage [`planner`] (second stage as a min-cost [`flow`]), its
//! [`plan_result`], the out-of-sample check [`simulate_plan`], and the demand
//! `solve --forecast` values beds against ([`forecast_demand`]).

pub mod flow;
pub mod forecast_demand;
pub mod format;
pub mod history;
pub mod plan_result;
pub mod planner;
pub mod simulate_plan;
