//! The policy: exchange rates that turn every criterion into pounds per week,
//! plus hard limits. The defaults of SPEC §5 live here and nowhere else.
//!
//! Layering (SPEC §8.15): code defaults, then the batch's `policy`, then
//! `--policy FILE`; `ofsted_penalty`, `unplaced` and `weekly_budget` merge key by key.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::input::batch::{Ofsted, Urgency};

/// A weekly budget: one figure for every responsible authority, or one per authority code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum BudgetInput {
    /// The same weekly budget for every authority.
    All(f64),
    /// Weekly budget per authority code.
    PerAuthority(BTreeMap<String, f64>),
}

/// Policy overrides as written in a batch or a `--policy` file: every field optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    /// Pounds per week per km beyond `free_km` [5.0].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_km: Option<f64>,
    /// Kilometres that cost nothing [0].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_km: Option<f64>,
    /// Pounds per week when the home is outside the child's authority [250].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_area: Option<f64>,
    /// Pounds per week per Ofsted rating [outstanding 0, good 150, not_yet_inspected 300,
    /// requires_improvement 600, inadequate 1200].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ofsted_penalty: Option<BTreeMap<Ofsted, f64>>,
    /// Pounds per week per level of unmet need [400].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unmet_need: Option<f64>,
    /// Pounds per week per position down the child's `placement_types` [500].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_rank: Option<f64>,
    /// Pounds per week credited when a step-across plan can be kept open [300].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_across_credit: Option<f64>,
    /// Pounds per week when the home shares none of the child's languages [100].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_mismatch: Option<f64>,
    /// Cost of leaving a child unplaced by urgency [emergency 100000, urgent 50000, planned 20000].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unplaced: Option<BTreeMap<Urgency, f64>>,
    /// Added to the unplaced cost per day already waited [500].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_day: Option<f64>,
    /// Furthest placement for any child, km [none].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_distance_km: Option<f64>,
    /// Lowest acceptable Ofsted rating [requires_improvement].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ofsted: Option<Ofsted>,
    /// A pair is ineligible when need − support reaches this on any indicator [2].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_need_shortfall: Option<i64>,
    /// Weekly budget per responsible authority (list prices) [none].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_budget: Option<BudgetInput>,
}

/// The resolved policy every later step reads.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Policy {
    /// £/week per km beyond `free_km`.
    pub per_km: f64,
    /// Free kilometres.
    pub free_km: f64,
    /// £/week out of area.
    pub out_of_area: f64,
    /// £/week per rating.
    pub ofsted_penalty: BTreeMap<Ofsted, f64>,
    /// £/week per unmet level.
    pub unmet_need: f64,
    /// £/week per preference position.
    pub type_rank: f64,
    /// £/week step-across credit.
    pub step_across_credit: f64,
    /// £/week language mismatch.
    pub language_mismatch: f64,
    /// Unplaced cost per urgency.
    pub unplaced: BTreeMap<Urgency, f64>,
    /// Unplaced cost per day waited.
    pub waiting_day: f64,
    /// Global distance limit.
    pub max_distance_km: Option<f64>,
    /// Lowest acceptable rating.
    pub min_ofsted: Ofsted,
    /// Need shortfall that makes a pair ineligible.
    pub max_need_shortfall: i64,
    /// Budget for every authority not named in `weekly_budget`.
    pub weekly_budget_all: Option<f64>,
    /// Budget per authority.
    pub weekly_budget: BTreeMap<String, f64>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            per_km: 5.0,
            free_km: 0.0,
            out_of_area: 250.0,
            ofsted_penalty: BTreeMap::from([
                (Ofsted::Outstanding, 0.0),
                (Ofsted::Good, 150.0),
                (Ofsted::NotYetInspected, 300.0),
                (Ofsted::RequiresImprovement, 600.0),
                (Ofsted::Inadequate, 1200.0),
            ]),
            unmet_need: 400.0,
            type_rank: 500.0,
            step_across_credit: 300.0,
            language_mismatch: 100.0,
            unplaced: BTreeMap::from([
                (Urgency::Emergency, 100_000.0),
                (Urgency::Urgent, 50_000.0),
                (Urgency::Planned, 20_000.0),
            ]),
            waiting_day: 500.0,
            max_distance_km: None,
            min_ofsted: Ofsted::RequiresImprovement,
            max_need_shortfall: 2,
            weekly_budget_all: None,
            weekly_budget: BTreeMap::new(),
        }
    }
}

impl Policy {
    /// Applies one layer of overrides on top of this policy.
    pub fn apply(&mut self, input: &PolicyInput) {
        fn set<T: Clone>(dst: &mut T, src: &Option<T>) {
            if let Some(v) = src {
                *dst = v.clone();
            }
        }
        set(&mut self.per_km, &input.per_km);
        set(&mut self.free_km, &input.free_km);
        set(&mut self.out_of_area, &input.out_of_area);
        set(&mut self.unmet_need, &input.unmet_need);
        set(&mut self.type_rank, &input.type_rank);
        set(&mut self.step_across_credit, &input.step_across_credit);
        set(&mut self.language_mismatch, &input.language_mismatch);
        set(&mut self.waiting_day, &input.waiting_day);
        set(&mut self.min_ofsted, &input.min_ofsted);
        set(&mut self.max_need_shortfall, &input.max_need_shortfall);
        if input.max_distance_km.is_some() {
            self.max_distance_km = input.max_distance_km;
        }
        if let Some(m) = &input.ofsted_penalty {
            self.ofsted_penalty.extend(m.iter().map(|(k, v)| (*k, *v)));
        }
        if let Some(m) = &input.unplaced {
            self.unplaced.extend(m.iter().map(|(k, v)| (*k, *v)));
        }
        match &input.weekly_budget {
            Some(BudgetInput::All(v)) => self.weekly_budget_all = Some(*v),
            Some(BudgetInput::PerAuthority(m)) => self.weekly_budget.extend(m.iter().map(|(k, v)| (k.clone(), *v))),
            None => {}
        }
    }

    /// Code defaults, then each layer in order.
    pub fn resolve<'a>(layers: impl IntoIterator<Item = &'a PolicyInput>) -> Policy {
        let mut p = Policy::default();
        for layer in layers {
            p.apply(layer);
        }
        p
    }

    /// The weekly budget of a responsible authority, if any.
    pub fn budget_for(&self, la: &str) -> Option<f64> {
        self.weekly_budget.get(la).copied().or(self.weekly_budget_all)
    }

    /// The `quality` term for a rating.
    pub fn ofsted_cost(&self, rating: Ofsted) -> f64 {
        self.ofsted_penalty.get(&rating).copied().unwrap_or(0.0)
    }

    /// The unplaced cost of one child.
    pub fn unplaced_cost(&self, urgency: Urgency, waiting_days: i64) -> f64 {
        self.unplaced.get(&urgency).copied().unwrap_or(0.0) + self.waiting_day * waiting_days as f64
    }
}
