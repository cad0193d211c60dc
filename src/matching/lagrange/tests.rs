//! The knapsack bounds and the ascent against brute force.

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

/// Budget 1,000 at 0.5 per £: two children, homes at 600 (reduced cost 0) or unplaced
/// (reduced cost 300).
fn two_children_at_600() -> Group {
    Group {
        budget: 1000.0,
        price: 0.5,
        units: vec![vec![choice(0.0, 300.0), choice(600.0, 0.0)]; 2],
    }
}

#[test]
fn a_group_not_solved_by_its_deadline_is_given_up() {
    let g = two_children_at_600();
    let later = std::time::Instant::now() + std::time::Duration::from_secs(60);
    assert!(solve(&g, f64::INFINITY, Some(later)).is_some());
    assert!(solve(&g, f64::INFINITY, Some(std::time::Instant::now())).is_none());
}

#[test]
fn an_unspendable_remainder_is_charged_at_the_budgets_price() {
    // Both cannot have a 600 home: one is unplaced (300) and 400 is left unspent (200),
    // or both go unplaced (600 + 500).
    let g = two_children_at_600();
    let r = solve(&g, f64::INFINITY, None).unwrap();
    assert!((r.gap - 500.0).abs() < 1e-9, "{r:?}");
    assert!((r.forced[0][0] - 500.0).abs() < 1e-9);
    assert!((r.forced[0][1] - 500.0).abs() < 1e-9);
}

/// One to four units, each unplaced or one of up to `most - 1` homes.
fn random_group(rng: &mut impl rand::Rng, most: usize) -> Group {
    let n = rng.gen_range(1..=4);
    Group {
        budget: rng.gen_range(0..30) as f64 * 100.0,
        price: rng.gen_range(0..4) as f64 * 0.25,
        units: (0..n)
            .map(|_| {
                let mut cs = vec![choice(0.0, rng.gen_range(0..5) as f64 * 100.0)];
                for _ in 0..rng.gen_range(0..most) {
                    cs.push(choice(
                        rng.gen_range(1..20) as f64 * 100.0,
                        rng.gen_range(0..6) as f64 * 50.0,
                    ));
                }
                cs
            })
            .collect(),
    }
}

#[test]
fn best_plan_matches_brute_force_and_reaches_its_value() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    for _ in 0..400 {
        let g = random_group(&mut rng, 6);
        let want = brute(&g, None);
        let cap = [f64::INFINITY, 100.0, 300.0][rng.gen_range(0..3)];
        let (got, plan) = best_plan(&g, cap).unwrap();
        match plan {
            Some(plan) => {
                assert!((got - want).abs() < 1e-6, "{g:?} cap {cap}: {got} vs {want}");
                // The plan is within the budget and worth the value.
                let spend: f64 = plan.iter().enumerate().map(|(u, &c)| g.units[u][c].spend).sum();
                let rc: f64 = plan.iter().enumerate().map(|(u, &c)| g.units[u][c].reduced).sum();
                assert!(spend <= g.budget + 1e-9);
                assert!((rc + g.price * (g.budget - spend) - want).abs() < 1e-6);
            }
            None => assert!(got == cap && want >= cap - 1e-9, "{g:?} cap {cap}: {got} vs {want}"),
        }
    }
}

/// A problem of one budget group whose units each pick a home or stay unplaced, with home
/// capacities as moving rows: every multiplier change gives a bound no higher than the
/// best whole answer that respects the capacities.
#[test]
fn every_ascent_step_bounds_the_capacitated_optimum() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    for _ in 0..200 {
        let (n, homes) = (rng.gen_range(1..=4), rng.gen_range(1..=3));
        let price: Vec<f64> = (0..homes).map(|_| rng.gen_range(1..10) as f64 * 100.0).collect();
        let mut entries = Vec::new();
        let units: Vec<Vec<Opt>> = (0..n)
            .map(|_| {
                let mut opts = vec![Opt {
                    spend: 0.0,
                    reduced: rng.gen_range(0..5) as f64 * 100.0,
                    start: 0,
                    len: 0,
                }];
                for (h, &p) in price.iter().enumerate() {
                    entries.push((h as u32, 1.0));
                    opts.push(Opt {
                        spend: p,
                        reduced: rng.gen_range(0..6) as f64 * 50.0,
                        start: entries.len() as u32 - 1,
                        len: 1,
                    });
                }
                opts
            })
            .collect();
        let budget = rng.gen_range(0..30) as f64 * 100.0;
        let problem = Problem {
            lp: 0.0,
            roles: vec![Role::Group(0); n],
            groups: vec![(budget, 0.0, (0..n).collect())],
            units,
            entries,
            rhs: (0..homes).map(|_| rng.gen_range(0..=2) as f64).collect(),
            lowest: vec![0.0; homes],
            highest: vec![f64::INFINITY; homes],
            columns: Vec::new(),
            parallel: false,
        };
        // The capacitated optimum (with one option forced), by brute force.
        let brute_capacitated = |forced: Option<(usize, usize)>| {
            let mut best = f64::INFINITY;
            let mut idx = vec![0usize; n];
            loop {
                if forced.is_none_or(|(u, c)| idx[u] == c) {
                    let mut used = vec![0.0; homes];
                    let (mut spend, mut value) = (0.0, 0.0);
                    for (u, &c) in idx.iter().enumerate() {
                        spend += problem.units[u][c].spend;
                        value += problem.units[u][c].reduced;
                        if c > 0 {
                            used[c - 1] += 1.0;
                        }
                    }
                    if spend <= budget + 1e-9 && used.iter().zip(&problem.rhs).all(|(a, b)| a <= b) {
                        best = best.min(value);
                    }
                }
                let Some(u) = (0..n).find(|&u| idx[u] < homes) else {
                    return best;
                };
                idx[u] += 1;
                idx[..u].iter_mut().for_each(|i| *i = 0);
            }
        };
        let best = brute_capacitated(None);
        let ascent = ascend(&problem, f64::INFINITY, 30, None, None);
        assert!(ascent.bound <= best + 1e-6, "{problem:?}: {} > {best}", ascent.bound);
        let (bound, floors) = problem.floors(&ascent.multipliers, f64::INFINITY);
        assert!(bound <= best + 1e-6 && (bound - ascent.bound).abs() < 1e-6);
        // Forced bounds: no higher than the best answer with that option.
        for (u, row) in floors.iter().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                let forced_best = brute_capacitated(Some((u, c)));
                assert!(v <= forced_best + 1e-6, "forced ({u},{c}): {v} > {forced_best}");
            }
        }
    }
}

#[test]
fn matches_brute_force_on_small_groups() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    for _ in 0..400 {
        let g = random_group(&mut rng, 5);
        // Exact without a cap; with one, each value is the exact one or a lower bound of
        // at least the cap (or the choice's own reduced cost).
        let cap = [f64::INFINITY, 100.0, 300.0][rng.gen_range(0..3)];
        let r = solve(&g, cap, None).unwrap();
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
