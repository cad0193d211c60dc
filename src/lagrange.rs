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
//! per child within the budget (derivation: README, How it works).
//!
//! Forcing a pair in raises its authority's Δ to Δ(pair), so LP + Σ Δ − Δ + Δ(pair) bounds
//! the forced optimum: far above LP + reduced cost where the pair breaks the authority's
//! budget plan. The solver uses it to leave out pairs no better solution can use (widening)
//! and to bound the full model while only a few of its pairs are in the MIP.
//! (Regional backlog, 149 budgets: README, Performance.)

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

fn prune(mut states: Vec<(f64, f64)>, budget: f64) -> Frontier {
    states.retain(|s| s.0 <= budget + 1e-9);
    states.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut out: Frontier = Vec::with_capacity(states.len());
    for s in states {
        if out.last().is_none_or(|l| s.1 < l.1 - 1e-9) {
            out.push(s);
        }
    }
    out
}

/// Adds one unit's choices to a frontier, keeping plans whose reduced costs sum to at most
/// `cap` (value + ν·spend: the rest of a plan adds reduced costs ≥ 0 and at most ν per £ it
/// spends, so a plan past the cap ends past it). None past [`MAX_STATES`].
fn add(front: &Frontier, choices: &Frontier, budget: f64, nu: f64, cap: f64) -> Option<Frontier> {
    let mut next = Vec::with_capacity(front.len() * choices.len());
    for &(s, v) in front {
        for &(cs, cv) in choices {
            let (spend, value) = (s + cs, v + cv);
            if spend <= budget + 1e-9 && value + nu * spend <= cap + 1e-9 {
                next.push((spend, value));
            }
        }
    }
    let out = prune(next, budget);
    (out.len() <= MAX_STATES).then_some(out)
}

/// Fills `out[i]`, for each unit i in `lo..hi`, with the plans of every unit but i, given
/// `outside`, the plans of the units outside `lo..hi`: each half is added to the other's
/// before recursing, so a unit is added O(log n) times instead of n − 1 (a regional
/// backlog's 26-child authority took 0.93 s one unit at a time).
#[allow(clippy::too_many_arguments)]
fn leave_one_out(
    choices: &[Frontier],
    lo: usize,
    hi: usize,
    outside: Frontier,
    budget: f64,
    nu: f64,
    cap: f64,
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
        left = add(&left, cs, budget, nu, cap)?;
    }
    leave_one_out(choices, lo, mid, left, budget, nu, cap, out)?;
    let mut right = outside;
    for cs in &choices[lo..mid] {
        right = add(&right, cs, budget, nu, cap)?;
    }
    leave_one_out(choices, mid, hi, right, budget, nu, cap, out)
}

/// Solves a group's problem in whole units: Δ and every choice's forced Δ, each exact where
/// below `cap` and otherwise a lower bound of at least `cap` or the choice's reduced cost.
/// Choices with a reduced cost above `cap` are left out of the plans (every value is a sum of
/// non-negative terms, so a plan with one is worth at least `cap`): on a regional backlog a
/// child has ~2,400 homes, and the plans of all of them took 6.7 s. None when the group is too
/// large to solve ([`MAX_STATES`]).
pub fn solve(group: &Group, cap: f64) -> Option<GroupBound> {
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
    leave_one_out(&choices, 0, n, vec![(0.0, 0.0)], b, nu, cap, &mut without)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force over every combination of choices.
    fn brute(group: &Group, fixed: Option<(usize, usize)>) -> f64 {
        let n = group.units.len();
        let mut best = f64::INFINITY;
        let mut idx = vec![0usize; n];
        loop {
            if fixed.is_none_or(|(u, c)| idx[u] == c) {
                let spend: f64 = (0..n).map(|u| group.units[u][idx[u]].spend).sum();
                if spend <= group.budget + 1e-9 {
                    let rc: f64 = (0..n).map(|u| group.units[u][idx[u]].reduced).sum();
                    best = best.min(rc + group.price * (group.budget - spend));
                }
            }
            let mut u = 0;
            while u < n {
                idx[u] += 1;
                if idx[u] < group.units[u].len() {
                    break;
                }
                idx[u] = 0;
                u += 1;
            }
            if u == n {
                return best;
            }
        }
    }

    fn choice(spend: f64, reduced: f64) -> Choice {
        Choice { spend, reduced }
    }

    #[test]
    fn an_unspendable_remainder_is_charged_at_the_budgets_price() {
        // Budget 1,000 at 0.5 per £: two children, homes at 600 (reduced cost 0) or unplaced
        // (reduced cost 300). Both cannot have a 600 home: one is unplaced (300) and 400 is
        // left unspent (200), or both go unplaced (600 + 500).
        let g = Group {
            budget: 1000.0,
            price: 0.5,
            units: vec![vec![choice(0.0, 300.0), choice(600.0, 0.0)]; 2],
        };
        let r = solve(&g, f64::INFINITY).unwrap();
        assert!((r.gap - 500.0).abs() < 1e-9, "{r:?}");
        assert!((r.forced[0][0] - 500.0).abs() < 1e-9);
        assert!((r.forced[0][1] - 500.0).abs() < 1e-9);
    }

    #[test]
    fn matches_brute_force_on_small_groups() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..400 {
            let n = rng.gen_range(1..=4);
            let g = Group {
                budget: rng.gen_range(0..30) as f64 * 100.0,
                price: rng.gen_range(0..4) as f64 * 0.25,
                units: (0..n)
                    .map(|_| {
                        let mut cs = vec![choice(0.0, rng.gen_range(0..5) as f64 * 100.0)];
                        for _ in 0..rng.gen_range(0..5) {
                            cs.push(choice(
                                rng.gen_range(1..20) as f64 * 100.0,
                                rng.gen_range(0..6) as f64 * 50.0,
                            ));
                        }
                        cs
                    })
                    .collect(),
            };
            // Exact without a cap; with one, each value is the exact one or a lower bound of
            // at least the cap (or the choice's own reduced cost).
            let cap = [f64::INFINITY, 100.0, 300.0][rng.gen_range(0..3)];
            let r = solve(&g, cap).unwrap();
            let exact_or_capped = |got: f64, want: f64, floor: f64| {
                (got - want).abs() < 1e-6 || (got <= want + 1e-6 && got >= floor.min(want) - 1e-6)
            };
            let all = brute(&g, None);
            assert!(exact_or_capped(r.gap, all, cap), "{g:?} cap {cap}: {} vs {all}", r.gap);
            for (u, row) in r.forced.iter().enumerate() {
                for (c, &v) in row.iter().enumerate() {
                    let want = brute(&g, Some((u, c)));
                    assert!(
                        v == want || exact_or_capped(v, want, cap),
                        "{g:?} cap {cap} forced ({u},{c}): {v} vs {want}"
                    );
                }
            }
        }
    }
}
