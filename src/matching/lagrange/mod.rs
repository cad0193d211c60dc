//! Step 6 helper, **the Lagrangian bound of weekly budgets**: a lower bound on a budget
//! component's optimum above its LP relaxation, and for every pair a lower bound on the
//! optimum with that pair forced in.
//!
//! Why: an authority's weekly budget is a knapsack over its children's homes. The LP spends it
//! exactly with fractions of children; whole children leave some of it unspent or take homes
//! the LP prices above its own. Relaxing every row but the children's assignment rows and the
//! budget rows with the LP's optimal duals y leaves one small problem per authority: each of
//! its children takes one home or stays unplaced, within the budget, at reduced costs. The LP
//! solves that problem's relaxation at the LP's value; solved in whole children it costs
//! Δ ≥ 0 more, and LP + Σ Δ is a valid bound for the full model (Lagrangian duality: the
//! relaxed problem contains every feasible placement). With ν = −y(budget) ≥ 0 the £ price of
//! the budget, Δ is the least of Σ reduced costs + ν·(budget left unspent), over one option
//! per child within the budget (derivation: docs/how-it-works.md).
//!
//! Forcing a pair in raises its authority's Δ to Δ(pair), so LP + Σ Δ − Δ + Δ(pair) bounds
//! the forced optimum: far above LP + reduced cost where the pair breaks the authority's
//! budget plan. The solver uses it to leave out pairs no better solution can use (widening)
//! and to bound the full model while only a few of its pairs are in the MIP.
//!
//! The LP's duals are not the best multipliers for whole children: [`ascend`] moves those of
//! the home capacity, provider admissions and block-bed rows by subgradient steps, each step
//! a valid bound ([`Problem::evaluate`]). (Regional backlog, 149 budgets: docs/performance.md.)

/// One way a unit can go: a home (a pair) or unplaced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Choice {
    /// What it takes from the budget, £ per week (0 for unplaced).
    pub spend: f64,
    /// Its reduced cost at the LP optimum (≥ 0 up to tolerance).
    pub reduced: f64,
}

/// The units of one budget and the budget's price.
#[derive(Debug, Clone, Default)]
pub struct Group {
    /// The weekly budget, £.
    pub budget: f64,
    /// The budget row's dual price ν ≥ 0 (£ of objective per £ of budget).
    pub price: f64,
    /// Each unit's choices (at least one: unplaced, spend 0).
    pub units: Vec<Vec<Choice>>,
}

/// What a group's problem costs in whole units.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupBound {
    /// Δ: the least cost over one choice per unit within the budget.
    pub gap: f64,
    /// Per unit, per choice (in the order given): Δ with that choice forced (+∞ when it
    /// cannot fit the budget).
    pub forced: Vec<Vec<f64>>,
}

/// Frontier states beyond which a group is given up (its Δ then stands at 0 and each pair's
/// forced bound at its reduced cost, both still valid): spends are prices in pounds, so a
/// frontier holds at most one state per distinct spend; this caps the work on a group of
/// dozens of children with thousands of distinct prices.
const MAX_STATES: usize = 50_000;

/// A set of partial plans (spend, value = Σ reduced − ν·Σ spend), sorted by spend with values
/// strictly falling: a plan that spends more must be worth less, or it never helps.
type Frontier = Vec<(f64, f64)>;

fn prune(states: Vec<(f64, f64)>, budget: f64) -> Frontier {
    pareto(states, budget, |s| *s, |_, _| std::cmp::Ordering::Equal)
}

/// The frontier of `states` within `budget`, by their (spend, value): sorted by spend, values
/// strictly falling. Among states equal in both, the first by `tie` stays (a plan's states
/// break ties by their choices, so the plan read back is deterministic).
fn pareto<S: Copy>(
    mut states: Vec<S>,
    budget: f64,
    key: impl Fn(&S) -> (f64, f64),
    tie: impl Fn(&S, &S) -> std::cmp::Ordering,
) -> Vec<S> {
    states.retain(|s| key(s).0 <= budget + 1e-9);
    states.sort_unstable_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.total_cmp(&kb.0)
            .then(ka.1.total_cmp(&kb.1))
            .then_with(|| tie(a, b))
    });
    let mut out: Vec<S> = Vec::with_capacity(states.len());
    for s in states {
        if out.last().is_none_or(|l| key(&s).1 < key(l).1 - 1e-9) {
            out.push(s);
        }
    }
    out
}

/// What bounds a group's plans: its budget, the budget row's price ν, the most a plan's
/// reduced costs may sum to, and when to give up.
#[derive(Clone, Copy)]
struct Limits {
    budget: f64,
    nu: f64,
    cap: f64,
    until: Option<std::time::Instant>,
}

/// Adds one unit's choices to a frontier, keeping plans whose reduced costs sum to at most
/// `cap` (value + ν·spend: the rest of a plan adds reduced costs ≥ 0 and at most ν per £ it
/// spends, so a plan past the cap ends past it). None past [`MAX_STATES`] or `until`.
fn add(front: &Frontier, choices: &Frontier, k: &Limits) -> Option<Frontier> {
    if k.until.is_some_and(|t| std::time::Instant::now() >= t) {
        return None;
    }
    let mut next = Vec::with_capacity(front.len() * choices.len());
    for &(s, v) in front {
        for &(cs, cv) in choices {
            let (spend, value) = (s + cs, v + cv);
            if spend <= k.budget + 1e-9 && value + k.nu * spend <= k.cap + 1e-9 {
                next.push((spend, value));
            }
        }
    }
    let out = prune(next, k.budget);
    (out.len() <= MAX_STATES).then_some(out)
}

/// Fills `out[i]`, for each unit i in `lo..hi`, with the plans of every unit but i, given
/// `outside`, the plans of the units outside `lo..hi`: each half is added to the other's
/// before recursing, so a unit is added O(log n) times instead of n − 1 (a regional
/// backlog's 26-child authority took 0.93 s one unit at a time).
fn leave_one_out(
    choices: &[Frontier],
    lo: usize,
    hi: usize,
    outside: Frontier,
    k: &Limits,
    out: &mut [Frontier],
) -> Option<()> {
    if hi - lo <= 1 {
        if hi > lo {
            out[lo] = outside;
        }
        return Some(());
    }
    let mid = (lo + hi) / 2;
    let mut left = outside.clone();
    for cs in &choices[mid..hi] {
        left = add(&left, cs, k)?;
    }
    leave_one_out(choices, lo, mid, left, k, out)?;
    let mut right = outside;
    for cs in &choices[lo..mid] {
        right = add(&right, cs, k)?;
    }
    leave_one_out(choices, mid, hi, right, k, out)
}

/// Solves a group's problem in whole units: Δ and every choice's forced Δ, each exact where
/// below `cap` and otherwise a lower bound of at least `cap` or the choice's reduced cost.
/// Choices with a reduced cost above `cap` are left out of the plans (every value is a sum of
/// non-negative terms, so a plan with one is worth at least `cap`): on a regional backlog a
/// child has ~2,400 homes, and the plans of all of them took 6.7 s. None when the group is too
/// large to solve ([`MAX_STATES`]) or not solved by `until` (a time-limited solve's: an
/// authority of 50 children over thousands of prices can take seconds).
pub fn solve(group: &Group, cap: f64, until: Option<std::time::Instant>) -> Option<GroupBound> {
    let (b, nu) = (group.budget, group.price.max(0.0));
    let value = |c: &Choice| c.reduced - nu * c.spend;
    let choices: Vec<Frontier> = group
        .units
        .iter()
        .map(|cs| {
            let kept = cs.iter().filter(|c| c.reduced <= cap);
            prune(kept.map(|c| (c.spend, value(c))).collect(), b)
        })
        .collect();
    // Plans of every unit but one, for each unit (the whole group's from any of them).
    let n = choices.len();
    let mut without = vec![Frontier::new(); n];
    let limits = Limits {
        budget: b,
        nu,
        cap,
        until,
    };
    leave_one_out(&choices, 0, n, vec![(0.0, 0.0)], &limits, &mut without)?;
    let mut forced = Vec::with_capacity(n);
    let mut gap = if n == 0 { 0.0 } else { cap };
    for (i, others) in without.iter().enumerate() {
        // Least value among plans spending at most s: a running minimum by spend.
        let least: Vec<f64> = others
            .iter()
            .scan(f64::INFINITY, |m, s| {
                *m = m.min(s.1);
                Some(*m)
            })
            .collect();
        let best_within = |room: f64| -> f64 {
            let k = others.partition_point(|s| s.0 <= room + 1e-9);
            if k == 0 {
                f64::INFINITY
            } else {
                least[k - 1]
            }
        };
        let row: Vec<f64> = group.units[i]
            .iter()
            .map(|c| {
                if c.spend > b + 1e-9 {
                    f64::INFINITY
                } else if c.reduced > cap {
                    c.reduced
                } else {
                    (value(c) + best_within(b - c.spend) + nu * b).min(cap)
                }
            })
            .collect();
        gap = gap.min(row.iter().copied().fold(f64::INFINITY, f64::min));
        forced.push(row);
    }
    Some(GroupBound { gap, forced })
}

/// The least value of a group's problem and one plan reaching it (a choice index per unit),
/// exact when below `cap`; `(cap, None)` when no plan is. Reduced costs must be ≥ 0 (as for
/// [`solve`]). None when the group is too large ([`MAX_STATES`]).
pub fn best_plan(group: &Group, cap: f64) -> Option<(f64, Option<Vec<usize>>)> {
    let (b, nu) = (group.budget, group.price.max(0.0));
    // Stage by stage, each state (spend, value, previous state, choice); pruned like
    // `prune`, keeping the back-pointers a plan is read from.
    // A state: (spend, value, (previous state, choice)).
    type State = (f64, f64, (usize, usize));
    let mut stages: Vec<Vec<State>> = Vec::with_capacity(group.units.len());
    let mut front: Vec<State> = vec![(0.0, 0.0, (0, 0))];
    for cs in &group.units {
        // The unit's own frontier first (an option that spends more and is worth no less is
        // never in a least plan), keeping each option's index.
        let own: Vec<(f64, f64, usize)> = cs
            .iter()
            .enumerate()
            .filter(|(_, c)| c.reduced <= cap)
            .map(|(i, c)| (c.spend, c.reduced - nu * c.spend, i))
            .collect();
        let opts: Vec<(f64, f64, usize)> = pareto(own, b, |o| (o.0, o.1), |x, y| x.2.cmp(&y.2));
        let mut next = Vec::with_capacity(front.len() * opts.len());
        for (si, &(s, v, _)) in front.iter().enumerate() {
            for &(cs, cv, ci) in &opts {
                let (spend, value) = (s + cs, v + cv);
                if value + nu * spend <= cap + 1e-9 {
                    next.push((spend, value, (si, ci)));
                }
            }
        }
        let kept = pareto(next, b, |o| (o.0, o.1), |x, y| x.2.cmp(&y.2));
        if kept.len() > MAX_STATES {
            return None;
        }
        stages.push(std::mem::replace(&mut front, kept));
    }
    stages.push(front);
    let last = stages.last().expect("at least the empty plan");
    let Some((at, &(_, v, _))) = last
        .iter()
        .enumerate()
        .min_by(|x, y| x.1 .1.total_cmp(&y.1 .1).then(x.0.cmp(&y.0)))
    else {
        return Some((cap, None));
    };
    let value = v + nu * b;
    if value >= cap {
        return Some((cap, None));
    }
    let mut plan = vec![0; group.units.len()];
    let mut state = at;
    for u in (0..group.units.len()).rev() {
        let (_, _, (prev, ci)) = stages[u + 1][state];
        plan[u] = ci;
        state = prev;
    }
    Some((value, Some(plan)))
}

mod ascent;

pub use ascent::{ascend, Ascent, Opt, Problem, Role};

#[cfg(test)]
mod tests;
