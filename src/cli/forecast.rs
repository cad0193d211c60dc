//! `solve --forecast FILE`: reads the forecast the bed values are computed from.
//!
//! Three kinds of file are read, told apart by content rather than by name: a simulation
//! scenario (its arrival model, compiled as `simulate` compiles it), a plan with a `history`
//! section (the demand `plan` estimates from it), or a history CSV of episodes (recognised by
//! the SSDA903 `DECOM` column of its header). Anything else is E1804; history with no bought
//! placement is E1805.

use std::path::Path;

use super::RunError;
use crate::compare::lookahead::daily::FORECAST_SEED;
use crate::compare::lookahead::demand::HISTORY_ASSUMPTION;
use crate::compare::lookahead::{Forecast, LookaheadSettings};
use crate::compare::scenario::SCENARIO_FORMAT;
use crate::errors::{ErrorCode, InvalidInput, Issue};
use crate::plan::format::PLAN_FORMAT;
use crate::result::format::ForecastSourceKind;

/// Reads `--forecast FILE` into the forecast of `settings`.
pub(super) fn read_forecast(path: &Path, settings: LookaheadSettings) -> Result<Forecast, RunError> {
    let text = super::files::read_text(path)?;
    let name = super::files::source_name(path);
    let invalid = |issues: Vec<Issue>| -> RunError {
        InvalidInput {
            source_name: name.clone(),
            issues,
        }
        .into()
    };
    let not_a_forecast = |what: &str| {
        invalid(vec![Issue::new(
            "--forecast",
            ErrorCode::ForecastNotAScenario,
            format!(
                "the forecast {what}; --forecast reads a simulation scenario (\"{SCENARIO_FORMAT}\"), a plan (\"{PLAN_FORMAT}\") with a `history` section, or a history CSV of episodes"
            ),
        )])
    };
    let from_history = |streams: Vec<_>| {
        Forecast::from_demand(
            &streams,
            ForecastSourceKind::History,
            Some(HISTORY_ASSUMPTION.to_string()),
            settings,
        )
    };
    let value = match crate::input::read::parse_json(&text) {
        Ok(v) => v,
        Err(_) => {
            // A spreadsheet's UTF-8 export may start with a byte-order mark.
            let text = text.trim_start_matches('\u{feff}');
            let header = text.lines().next().unwrap_or("");
            if !header.split(',').any(|c| c.trim().eq_ignore_ascii_case("DECOM")) {
                return Err(not_a_forecast(
                    "is neither JSON nor a history CSV (its first line has no DECOM column)",
                ));
            }
            let streams = crate::plan::forecast_demand::history_streams(text, &name).map_err(invalid)?;
            return Ok(from_history(streams));
        }
    };
    match value.get("format").and_then(serde_json::Value::as_str) {
        Some(SCENARIO_FORMAT) => {
            let world = crate::compare::scenario::load_scenario(&text, &name, 1)?;
            Ok(Forecast::from_world(&world, FORECAST_SEED, settings))
        }
        Some(PLAN_FORMAT) if value.get("history").is_none() => Err(not_a_forecast(
            "is a plan without a `history` section (a plan's forecast is the demand it estimates from history)",
        )),
        Some(PLAN_FORMAT) => {
            let plan = crate::plan::format::load_plan(&text, &name, path.parent())?;
            let streams = crate::plan::forecast_demand::plan_streams(&plan);
            if !streams.iter().any(|s| s.per_week > 0.0) {
                return Err(invalid(vec![crate::plan::forecast_demand::no_demand("history")]));
            }
            Ok(from_history(streams))
        }
        Some(f) => Err(not_a_forecast(&format!("is a `{f}` file"))),
        None => Err(not_a_forecast("has no `format` field")),
    }
}
