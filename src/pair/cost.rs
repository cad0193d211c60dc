//! Step 4b, **cost**: the weekly cost of a placement, term by term (SPEC §5), so
//! every trade-off reads in one currency.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::pair::eligibility::type_position;
use crate::pair::instance::Instance;

/// The cost terms of one placement, in pounds per week.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    /// The home's weekly price (list price; block beds and discounts are netted at batch level).
    pub price: f64,
    /// `per_km` × kilometres beyond `free_km`.
    pub distance: f64,
    /// Charged when the home is outside the child's authority.
    pub out_of_area: f64,
    /// Ofsted penalty.
    pub quality: f64,
    /// `unmet_need` × total unmet need.
    pub needs: f64,
    /// `type_rank` × position of the type in the child's preferences.
    pub type_preference: f64,
    /// Step-across credit (negative).
    pub step_across: f64,
    /// Language mismatch.
    pub language: f64,
}

/// Names of the terms, in SPEC order.
pub const TERM_NAMES: [&str; 8] = [
    "price",
    "distance",
    "out_of_area",
    "quality",
    "needs",
    "type_preference",
    "step_across",
    "language",
];

impl Terms {
    /// The terms as an array in [`TERM_NAMES`] order.
    pub fn values(&self) -> [f64; 8] {
        [
            self.price,
            self.distance,
            self.out_of_area,
            self.quality,
            self.needs,
            self.type_preference,
            self.step_across,
            self.language,
        ]
    }
    /// Builds terms from an array in [`TERM_NAMES`] order.
    pub fn from_values(v: [f64; 8]) -> Terms {
        Terms {
            price: v[0],
            distance: v[1],
            out_of_area: v[2],
            quality: v[3],
            needs: v[4],
            type_preference: v[5],
            step_across: v[6],
            language: v[7],
        }
    }
    /// Sum of the terms.
    pub fn total(&self) -> f64 {
        self.values().iter().sum()
    }
    /// Term-by-term `self − other`.
    pub fn minus(&self, other: &Terms) -> Terms {
        let (a, b) = (self.values(), other.values());
        Terms::from_values(std::array::from_fn(|i| a[i] - b[i]))
    }
}

/// Total unmet need of a pair (Σ max(0, need − support)).
pub fn unmet_need(inst: &Instance, child: usize, home: usize) -> i64 {
    let (needs, support) = (&inst.children[child].needs, &inst.screen(home).support);
    needs.iter().zip(support).map(|(n, &s)| (n - s as i64).max(0)).sum()
}

/// The cost terms of placing `child` in `home`, `km` apart.
pub fn terms(inst: &Instance, child: usize, home: usize, km: f64) -> Terms {
    let p = &inst.policy;
    let c = &inst.batch.children[child];
    // The packed copy of the home's fields: the terms are computed for every eligible pair.
    let h = inst.screen(home);
    let provider = &inst.batch.providers[h.provider as usize];
    let step = match &c.step_across {
        Some(s) if provider.step_across && h.kind != s.to => -p.step_across_credit,
        _ => 0.0,
    };
    let language = if inst.language_mismatch(child, home) {
        p.language_mismatch
    } else {
        0.0
    };
    Terms {
        // The provider's offer for this child, where it made one.
        price: inst.price(child, home),
        // Rounded to the penny so that reports read cleanly and recompute exactly.
        distance: (p.per_km * (km - p.free_km).max(0.0) * 100.0).round() / 100.0,
        out_of_area: if inst.out_of_area(child, home) {
            p.out_of_area
        } else {
            0.0
        },
        quality: p.ofsted_cost(h.rating),
        needs: p.unmet_need * unmet_need(inst, child, home) as f64,
        type_preference: p.type_rank * type_position(c, h.kind).unwrap_or(0) as f64,
        step_across: step,
        language,
    }
}

/// The cost of leaving a child unplaced.
/// An accepted child is settled and always placed: its cost unplaced is its usual one plus its
/// placement's cost ([`crate::pair::answers::accepted_unplaced`]), which keeps it placed as
/// it shares no limiting row with other children.
pub fn unplaced_cost(inst: &Instance, child: usize) -> f64 {
    let c = &inst.batch.children[child];
    let usual = inst.policy.unplaced_cost(c.urgency, c.waiting_days);
    match inst.answers.accepted.get(child).copied().flatten() {
        Some(h) if inst.answers.any => {
            let km = crate::pair::eligibility::pair_km(inst, child, h);
            crate::pair::answers::accepted_unplaced(usual, terms(inst, child, h, km).total())
        }
        _ => usual,
    }
}
/// Values a demand forecast puts on a batch's free beds (`solve --forecast`), as the
/// `lookahead` rule adds them to its day's costs: placing a child at home j costs its terms
/// plus v_j (a score a week, the bed's expected worth to the children forecast), and leaving a
/// child who may not be held costs its unplaced cost plus the largest v_j of the batch, so the
/// values move children between homes, or let a holdable child wait, but never make leaving
/// any other child out cheaper.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BedValueTable {
    /// Per home of the batch, the value of one bed, score a week (≥ 0); empty: no values.
    per_home: Vec<f64>,
    /// Per child of the batch, whether it may be left waiting for the forecast's sake.
    holdable: Vec<bool>,
    /// The largest value of any home: what a child that may not be held has added when unplaced.
    most: f64,
}

impl BedValueTable {
    /// A table of values per home (negative or non-finite values count as 0) and which children
    /// may be held.
    pub fn new(per_home: Vec<f64>, holdable: Vec<bool>) -> BedValueTable {
        let per_home: Vec<f64> = per_home
            .into_iter()
            .map(|v| if v.is_finite() { v.max(0.0) } else { 0.0 })
            .collect();
        let most = per_home.iter().copied().fold(0.0, f64::max);
        BedValueTable {
            per_home,
            holdable,
            most,
        }
    }

    /// Which children of `inst` may be held: `planned`, waited fewer than `hold_days` days, and
    /// not accepted anywhere (a settled child is never left waiting).
    pub fn holdable_children(inst: &Instance, hold_days: i64) -> Vec<bool> {
        inst.batch
            .children
            .iter()
            .enumerate()
            .map(|(c, ch)| {
                let accepted = inst.answers.any && inst.answers.accepted[c].is_some();
                ch.urgency == crate::input::batch::Urgency::Planned && ch.waiting_days < hold_days && !accepted
            })
            .collect()
    }

    /// Whether there are any values (an empty table changes nothing).
    pub fn is_empty(&self) -> bool {
        self.most == 0.0
    }

    /// The value of one bed at home `h`, score a week (0 without values).
    pub fn at(&self, h: usize) -> f64 {
        self.per_home.get(h).copied().unwrap_or(0.0)
    }

    /// Whether child `c` may be left waiting for the forecast's sake.
    pub fn holdable(&self, c: usize) -> bool {
        self.holdable.get(c).copied().unwrap_or(false)
    }

    /// What leaving child `c` unplaced adds to its unplaced cost: the largest bed value when
    /// it may not be held, else 0.
    pub fn unplaced_raise(&self, c: usize) -> f64 {
        if self.holdable(c) {
            0.0
        } else {
            self.most
        }
    }
}
