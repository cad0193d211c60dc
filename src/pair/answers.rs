//! Providers' answers located: per child its offers, refusals and acceptance, per home the
//! children holding or accepted into its beds ([`Answers`]), read by the eligibility rules
//! and the cost terms; and the rules an answer must meet once the batch is located
//! ([`located_rules`]): an accepted or held pair meets every hard rule, beds and admissions
//! are not promised twice over, children accepted together can live together.
//!
//! What each answer means (docs/reference/batch-format.md, "Providers' answers"):
//! - **accepted**: settled. The child (with its kept-together siblings) is placed there and
//!   nowhere else; its bed, its provider's admissions and its volume-discount count are its.
//! - **declined**: the pair is never proposed again, and the refusal is named when the child is
//!   left unplaced.
//! - **held**: the provider keeps the held beds (one per child held for) while the broker
//!   decides. The home's other beds stay open to everyone else: the model lets the children
//!   who hold no bed there fill at most `vacancies − beds held − beds accepted`
//!   ([`Answers::open_beds`]). The held child may take its bed or be proposed elsewhere; either
//!   way its bed goes to no one else today, as the provider keeps it until told otherwise.
//!
//! Accepted and held beds are *reserved*: a unit placed in its own reserved bed does not count
//! against the beds open to others ([`Answers::reserves`]). An accepted unit also takes its
//! provider's admissions and its authority's weekly budget before anyone else (the model's
//! rows count the others against what is left), and no child it cannot live with is eligible
//! at its home. So it shares no limiting row with the rest of the batch, and an unplaced cost
//! a little above its placement's cost ([`accepted_unplaced`]) keeps it placed: leaving it
//! out can only lose, with no £10⁹ penalty outside the documented ranges.

use std::collections::BTreeMap;

use crate::errors::{ErrorCode, Issue};
use crate::input::batch::{Batch, DecisionKind};
use crate::pair::instance::Instance;

/// What leaving an accepted child unplaced would cost (a score, £-equivalent a week): its
/// usual unplaced cost plus what its placement costs, when that is positive. An accepted unit
/// shares no limiting row with other children (module docs), so placing it always scores
/// better by at least its usual unplaced cost, and the number stays within the sum of the
/// documented ranges (docs/reference/ranges.md) instead of a £10⁹ big-M.
pub fn accepted_unplaced(usual: f64, placed_cost: f64) -> f64 {
    usual + placed_cost.max(0.0)
}

/// The answers of a batch, indexed (all empty when it has none).
#[derive(Debug, Clone, Default)]
pub struct Answers {
    /// Whether the batch has any offer or decision (the rules skip all of this when not).
    pub any: bool,
    /// Per child, (home, offered price), by home.
    pub offers: Vec<Vec<(usize, f64)>>,
    /// Per child, the homes that declined it, ascending.
    pub declined: Vec<Vec<usize>>,
    /// Per child, the home it is accepted at (kept-together siblings share it).
    pub accepted: Vec<Option<usize>>,
    /// Per child, the homes holding beds for it (kept-together siblings share them), ascending.
    pub held: Vec<Vec<usize>>,
    /// Per home, the children holding beds there, ascending.
    pub holders: Vec<Vec<usize>>,
    /// Per home, how many children are accepted there.
    pub accepted_at: Vec<usize>,
    /// Per home, the children accepted there, ascending.
    pub accepted_here: Vec<Vec<usize>>,
    /// Per home, its free beds less those accepted and held (never below 0): what the
    /// children who reserve no bed there may fill.
    pub open: Vec<i64>,
    /// Per provider, the children accepted with it.
    pub provider_accepted: Vec<usize>,
}

impl Answers {
    /// Indexes a batch's answers. Names that do not resolve are skipped (validation reports
    /// them); `provider_of` is each home's provider index.
    pub fn new(b: &Batch, provider_of: &[usize]) -> Answers {
        let n = b.children.len();
        let mut a = Answers {
            any: !b.offers.is_empty() || !b.decisions.is_empty(),
            offers: vec![Vec::new(); n],
            declined: vec![Vec::new(); n],
            accepted: vec![None; n],
            held: vec![Vec::new(); n],
            holders: vec![Vec::new(); b.homes.len()],
            accepted_at: vec![0; b.homes.len()],
            accepted_here: vec![Vec::new(); b.homes.len()],
            open: b.homes.iter().map(|h| h.vacancies).collect(),
            provider_accepted: vec![0; b.providers.len()],
        };
        if !a.any {
            return a;
        }
        let child: BTreeMap<&str, usize> = b.children.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
        let home: BTreeMap<&str, usize> = b.homes.iter().enumerate().map(|(i, h)| (h.id.as_str(), i)).collect();
        let pair = |c: &str, h: &str| Some((*child.get(c)?, *home.get(h)?));
        for o in &b.offers {
            if let Some((c, h)) = pair(&o.child, &o.home) {
                a.offers[c].push((h, o.weekly_price));
            }
        }
        // Kept-together siblings move as one: an acceptance or a hold for one is the group's.
        let group = kept_groups(b);
        for d in &b.decisions {
            let Some((c, h)) = pair(&d.child, &d.home) else {
                continue;
            };
            match d.decision {
                DecisionKind::Declined => a.declined[c].push(h),
                DecisionKind::Accepted => group[c].iter().for_each(|&m| {
                    a.accepted[m].get_or_insert(h);
                }),
                DecisionKind::Held => group[c].iter().for_each(|&m| a.held[m].push(h)),
            }
        }
        for c in 0..n {
            a.offers[c].sort_by_key(|x| x.0);
            a.declined[c].sort_unstable();
            a.held[c].sort_unstable();
            a.held[c].dedup();
            for &h in &a.held[c] {
                if a.accepted[c] != Some(h) {
                    a.holders[h].push(c);
                }
            }
            if let Some(h) = a.accepted[c] {
                a.accepted_at[h] += 1;
                a.accepted_here[h].push(c);
                if let Some(&p) = provider_of.get(h) {
                    a.provider_accepted[p] += 1;
                }
            }
        }
        for (h, home) in b.homes.iter().enumerate() {
            a.open[h] = (home.vacancies - a.accepted_at[h] as i64 - a.holders[h].len() as i64).max(0);
        }
        a
    }

    /// Whether any bed is accepted or held (else every capacity is plain `vacancies`).
    pub fn reserving(&self) -> bool {
        self.any && (self.accepted.iter().any(Option::is_some) || self.holders.iter().any(|h| !h.is_empty()))
    }

    /// Whether `child` has a bed of its own at `home` (accepted there, or held for it), so
    /// that placing it there takes none of the beds open to others.
    pub fn reserves(&self, child: usize, home: usize) -> bool {
        self.any && (self.accepted[child] == Some(home) || self.holders[home].binary_search(&child).is_ok())
    }

    /// The beds at `home` that children without a bed of their own there may fill:
    /// `vacancies` less the beds accepted and held.
    pub fn open_beds(&self, home: usize, vacancies: i64) -> i64 {
        if self.any {
            self.open[home]
        } else {
            vacancies
        }
    }

    /// Whether `child` is accepted somewhere (settled: it takes admissions and budget first).
    pub fn is_accepted(&self, child: usize) -> bool {
        self.any && self.accepted[child].is_some()
    }

    /// The price offered for `child` at `home`, if any.
    pub fn offer(&self, child: usize, home: usize) -> Option<f64> {
        let list = self.offers.get(child)?;
        list.binary_search_by_key(&home, |x| x.0).ok().map(|i| list[i].1)
    }

    /// Whether `home` declined `child`.
    pub fn declined(&self, child: usize, home: usize) -> bool {
        self.declined.get(child).is_some_and(|v| v.binary_search(&home).is_ok())
    }

    /// Whether `home` keeps beds for children other than `child` (and not for `child`).
    pub fn held_for_others(&self, child: usize, home: usize) -> bool {
        self.any && !self.holders[home].is_empty() && self.holders[home].binary_search(&child).is_err()
    }
}

/// Per child, the children who move with it (its kept-together sibling group, or itself).
pub fn kept_groups(b: &Batch) -> Vec<Vec<usize>> {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in b.children.iter().enumerate() {
        if let Some(g) = &c.sibling_group {
            groups.entry(g.as_str()).or_default().push(i);
        }
    }
    (0..b.children.len())
        .map(|i| {
            b.children[i]
                .sibling_group
                .as_deref()
                .map(|g| &groups[g])
                .filter(|m| m.len() > 1 && m.iter().all(|&x| b.children[x].keep_together != Some(false)))
                .cloned()
                .unwrap_or_else(|| vec![i])
        })
        .collect()
}

/// The answers' rules that need the batch located, each at the decision it concerns
/// (`decision_pos` as in `read::Partial`).
pub fn located_rules(inst: &Instance, decision_pos: &[usize]) -> Vec<Issue> {
    use crate::pair::eligibility::{children_conflict, evaluate, pair_km};
    let b = &inst.batch;
    let mut out = Vec::new();
    let a = &inst.answers;
    if b.decisions.is_empty() {
        return out;
    }
    let child: BTreeMap<&str, usize> = b.children.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    let home: BTreeMap<&str, usize> = b.homes.iter().enumerate().map(|(i, h)| (h.id.as_str(), i)).collect();
    let group = kept_groups(b);
    let path = |i: usize| format!("decisions[{}]", decision_pos.get(i).copied().unwrap_or(i));
    // Per home and provider, the last decision that adds to them (where an excess is reported).
    let mut last_at_home: BTreeMap<usize, usize> = BTreeMap::new();
    let mut last_at_provider: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, d) in b.decisions.iter().enumerate() {
        let (Some(&c), Some(&h)) = (child.get(d.child.as_str()), home.get(d.home.as_str())) else {
            continue;
        };
        if d.decision == DecisionKind::Declined {
            continue;
        }
        last_at_home.insert(h, i);
        if d.decision == DecisionKind::Accepted {
            last_at_provider.insert(inst.homes[h].provider, i);
            if a.accepted[c] != Some(h) {
                let first = a.accepted[c].map_or("", |x| b.homes[x].id.as_str());
                out.push(Issue::new(
                    format!("{}.home", path(i)),
                    ErrorCode::AcceptedTwice,
                    format!(
                        "{}'s sibling group is already accepted at {first}; siblings kept together live in one home",
                        d.child
                    ),
                ));
                continue;
            }
        }
        let size = group[c].len();
        let broken: Vec<&str> = evaluate(inst, c, h, size, pair_km(inst, c, h))
            .iter()
            .filter(|r| r.is_rule())
            .map(|r| r.code())
            .collect();
        if !broken.is_empty() {
            out.push(Issue::new(
                path(i),
                ErrorCode::DecisionNotEligible,
                format!(
                    "{} {} at {}, but the pair breaks {}",
                    d.child,
                    d.decision.name(),
                    d.home,
                    broken.join(", ")
                ),
            ));
        }
    }
    for (&h, &i) in &last_at_home {
        let taken = a.accepted_at[h] + a.holders[h].len();
        let home = &b.homes[h];
        if taken as i64 > home.vacancies {
            out.push(Issue::new(
                path(i),
                ErrorCode::BedsOvercommitted,
                format!(
                    "{} has {} vacancies, but {} child(ren) are accepted there and {} hold beds",
                    home.id,
                    home.vacancies,
                    a.accepted_at[h],
                    a.holders[h].len()
                ),
            ));
        }
        let accepted: Vec<usize> = (0..b.children.len()).filter(|&c| a.accepted[c] == Some(h)).collect();
        for (k, &x) in accepted.iter().enumerate() {
            let solo = b.children[x].requires_solo && accepted.len() > 1;
            let clash = accepted[k + 1..]
                .iter()
                .find(|&&y| children_conflict(&b.children[x], &b.children[y]));
            if solo || clash.is_some() {
                let why = match clash {
                    Some(&y) => format!("{} and {} conflict", b.children[x].id, b.children[y].id),
                    None => format!("{} needs a solo placement", b.children[x].id),
                };
                out.push(Issue::new(
                    path(i),
                    ErrorCode::ContradictoryDecisions,
                    format!("children accepted at {} cannot live together: {why}", home.id),
                ));
                break;
            }
        }
    }
    // Accepted children are paid first: their list prices must fit their authority's budget.
    let mut by: BTreeMap<usize, usize> = BTreeMap::new(); // accepted child → its decision
    for (i, d) in b.decisions.iter().enumerate() {
        let (Some(&c), Some(&h)) = (child.get(d.child.as_str()), home.get(d.home.as_str())) else {
            continue;
        };
        if d.decision == DecisionKind::Accepted && a.accepted[c] == Some(h) {
            for &m in &group[c] {
                by.insert(m, i);
            }
        }
    }
    let mut spend: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
    for (&m, &i) in &by {
        let e = spend.entry(inst.children[m].la.as_str()).or_default();
        e.0 += a.accepted[m].map_or(0.0, |h| b.homes[h].weekly_price);
        e.1 = e.1.max(i);
    }
    for (la, (total, i)) in spend {
        if let Some(budget) = inst.policy.budget_for(la).filter(|&x| total > x + 1e-9) {
            out.push(Issue::new(
                path(i),
                ErrorCode::BudgetOvercommitted,
                format!("the children accepted for {la} cost £{total} a week at list prices, above its weekly budget of £{budget}"),
            ));
        }
    }
    for (&p, &i) in &last_at_provider {
        let pr = &b.providers[p];
        if let Some(m) = pr.max_admissions {
            if a.provider_accepted[p] as i64 > m {
                out.push(Issue::new(
                    path(i),
                    ErrorCode::AdmissionsOvercommitted,
                    format!(
                        "provider {} admits at most {m} child(ren) from this batch, but {} are accepted",
                        pr.id, a.provider_accepted[p]
                    ),
                ));
            }
        }
    }
    out
}

/// The refusals of a child in words, for an unplaced child's explanation: `declined by Oak
/// Care (WSX-H12) on 7 Dec: no room for a sibling`, one per refusal, by home order.
pub fn refusals(inst: &Instance, child: usize) -> Vec<String> {
    let b = &inst.batch;
    let year = b
        .as_of
        .as_deref()
        .and_then(crate::input::answers::parse_date)
        .map(|d| d.0);
    b.decisions
        .iter()
        .filter(|d| d.decision == DecisionKind::Declined && d.child == b.children[child].id)
        .filter_map(|d| {
            let h = b.homes.iter().position(|x| x.id == d.home)?;
            let provider = &b.providers[inst.homes[h].provider];
            let by = provider.name.as_deref().unwrap_or(&provider.id);
            let mut s = format!("declined by {by} ({})", d.home);
            if let Some(t) =
                d.at.as_deref()
                    .and_then(|t| crate::input::answers::spoken_time(t, year))
            {
                s.push_str(&format!(" on {t}"));
            }
            if let Some(r) = d.reason.as_deref().filter(|r| !r.trim().is_empty()) {
                s.push_str(&format!(": {}", r.trim()));
            }
            Some(s)
        })
        .collect()
}
