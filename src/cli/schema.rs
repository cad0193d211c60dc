//! `placematch schema`: print the JSON Schema of one input or output format, or all of them.

use super::files::print;
use super::options::SchemaKind;
use super::{Exit, RunError};

/// Runs `schema`.
pub(super) fn run(which: Option<SchemaKind>) -> Result<Exit, RunError> {
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
        None => Ok(
            serde_json::json!({"batch": batch, "result": result, "policy": policy, "scenario": scenario, "plan": plan, "plan_result": plan_result}),
        ),
    }
    .map_err(anyhow::Error::from)?;
    let text = serde_json::to_string_pretty(&v).map_err(anyhow::Error::from)?;
    print(&(text + "\n"))?;
    Ok(Exit::Ok)
}
