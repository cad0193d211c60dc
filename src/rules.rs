//! TEMPORARY stand-in for the matching rules (branch issue-rules owns this file and replaces
//! it on merge). Optimal is the real model; every other rule is one simple greedy here.

use serde::{Deserialize, Serialize};

use crate::eligibility::{children_conflict, evaluate, pair_km};
use crate::locate::Instance;

/// Matching rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The MIP.
    Optimal,
    /// Greedy by full cost.
    Greedy,
    /// Nearest.
    Nearest,
    /// Cheapest.
    Cheapest,
    /// DPS shortlist.
    Dps,
    /// Deferred acceptance.
    Stable,
    /// Seeded random.
    Random,
}

impl Rule {
    /// Every rule.
    pub const ALL: [Rule; 7] = [
        Rule::Optimal,
        Rule::Greedy,
        Rule::Nearest,
        Rule::Cheapest,
        Rule::Dps,
        Rule::Stable,
        Rule::Random,
    ];
    /// Name.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Optimal => "optimal",
            Rule::Greedy => "greedy",
            Rule::Nearest => "nearest",
            Rule::Cheapest => "cheapest",
            Rule::Dps => "dps",
            Rule::Stable => "stable",
            Rule::Random => "random",
        }
    }
}

/// Per child, the home index or None.
pub fn assign(rule: Rule, inst: &Instance, _seed: u64) -> Vec<Option<usize>> {
    let n = inst.batch.children.len();
    let mut out = vec![None; n];
    if rule == Rule::Optimal {
        let f = crate::model::Formulation::build(inst);
        let opts = crate::solve::SolveOptions::default();
        for comp in &f.components {
            let mut s = crate::solve::ComponentSolver::new(inst, &f, comp, &opts, None);
            let o = s.solve(None).expect("feasible");
            for (i, &u) in comp.units.iter().enumerate() {
                if let Some(k) = o.choice[i] {
                    for &m in &f.units[u].members {
                        out[m] = Some(f.cands[k].home);
                    }
                }
            }
        }
        return out;
    }
    let ch = &inst.batch.children;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        (ch[a].urgency, -ch[a].waiting_days, &ch[a].id).cmp(&(ch[b].urgency, -ch[b].waiting_days, &ch[b].id))
    });
    let mut at: Vec<Vec<usize>> = vec![Vec::new(); inst.batch.homes.len()];
    for c in order {
        let mut cands: Vec<(f64, usize)> = (0..inst.batch.homes.len())
            .filter_map(|h| {
                let km = pair_km(inst, c, h);
                evaluate(inst, c, h, 1, km)
                    .is_empty()
                    .then(|| (crate::cost::terms(inst, c, h, km).total(), h))
            })
            .collect();
        cands.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (_, h) in cands {
            let kids = &at[h];
            if kids.len() as i64 >= inst.batch.homes[h].vacancies
                || (ch[c].requires_solo && !kids.is_empty())
                || kids
                    .iter()
                    .any(|&k| ch[k].requires_solo || children_conflict(&ch[k], &ch[c]))
            {
                continue;
            }
            at[h].push(c);
            out[c] = Some(h);
            break;
        }
    }
    out
}
