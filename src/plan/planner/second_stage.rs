//! The second stage of a first-stage decision: every scenario-week solved as a min-cost
//! flow, summed in whole pennies, and the figures of the decision from it.

use super::*;

pub(super) fn percentile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let k = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
    v[k]
}

/// Per-scenario evaluation of a first-stage decision.
#[derive(Debug, Clone)]
pub(super) struct Eval {
    /// Second-stage cost per scenario over the horizon, pennies.
    pub(super) q: Vec<i64>,
    /// Cut constant per scenario and component, pennies.
    pub(super) konst: Vec<Vec<i64>>,
    /// Cut coefficient per scenario and pool, pennies per bed.
    pub(super) coef: Vec<Vec<i64>>,
    /// Spot money per scenario, pennies.
    pub(super) spot_money: Vec<i64>,
    /// Care-weeks in block beds, in area, within 32 km; children care-weeks.
    pub(super) block: f64,
    pub(super) in_area: f64,
    pub(super) within: f64,
    pub(super) children: f64,
    /// Care-weeks used per pool over all scenarios.
    pub(super) pool_use: Vec<f64>,
}

pub(super) fn pennies(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

pub(super) fn network(st: &Structure) -> crate::plan::flow::Network {
    let mut pairs = Vec::new();
    for (g, grp) in st.groups.iter().enumerate() {
        for &(p, c, _) in &grp.pairs {
            pairs.push((g, p, pennies(c)));
        }
    }
    let local: Vec<i64> = st.groups.iter().map(|g| pennies(g.costs.local)).collect();
    let distant: Vec<i64> = st.groups.iter().map(|g| pennies(g.costs.distant)).collect();
    crate::plan::flow::Network::new(st.groups.len(), st.pools.len(), &pairs, &local, &distant)
}

/// Pool capacities of a first-stage decision.
pub(super) fn pool_beds(st: &Structure, beds: &[i64]) -> Vec<i64> {
    st.pools
        .iter()
        .map(|offers| offers.iter().map(|&o| beds[o]).sum())
        .collect()
}

/// Solves every scenario-week's second stage for `beds`, on `threads` threads (the answer
/// does not depend on how many: everything is summed in whole pennies per scenario).
pub(super) fn evaluate(st: &Structure, smp: &Sample, beds: &[i64], threads: usize) -> Eval {
    let (h, gn, np) = (smp.h, smp.g, st.pools.len());
    let yb = pool_beds(st, beds);
    let one = |s: usize, net: &mut crate::plan::flow::Network| {
        let mut out = (
            0i64,
            vec![0i64; st.components],
            vec![0i64; np],
            0i64,
            [0f64; 4],
            vec![0f64; np],
        );
        let mut y = vec![0i64; np];
        for w in 0..h {
            for p in 0..np {
                y[p] = if (w as u32) < st.pool_weeks[p] { yb[p] } else { 0 };
            }
            let i = (s * h + w) * gn;
            let n = &smp.n[i..i + gn];
            let l = &smp.local[i..i + gn];
            if n.iter().all(|&k| k == 0) {
                continue;
            }
            let sol = net.solve(n, l, &y);
            let dual = net.dual_value(n, l, &y, &sol);
            debug_assert_eq!(dual, sol.cost, "second-stage duals must be optimal");
            out.0 += sol.cost;
            for p in 0..np {
                out.2[p] += sol.pool_dual[p];
            }
            // The cut's constant is the groups' part of the dual objective, per component.
            for g in 0..gn {
                out.1[st.group_comp[g]] += net.group_dual(g, n[g], l[g]);
            }
            // Detail: where the children are.
            let mut in_block = vec![0i64; gn];
            let mut k = 0;
            for (g, grp) in st.groups.iter().enumerate() {
                for &(p, _, within) in &grp.pairs {
                    let f = sol.pair_flow[k];
                    k += 1;
                    if f == 0 {
                        continue;
                    }
                    in_block[g] += f;
                    out.4[0] += f as f64;
                    if st.pool_la[p] == grp.la {
                        out.4[1] += f as f64;
                    }
                    if within {
                        out.4[2] += f as f64;
                    }
                    out.5[p] += f as f64;
                }
            }
            for (g, grp) in st.groups.iter().enumerate() {
                let nn = n[g] as i64;
                if nn == 0 {
                    continue;
                }
                let c = &grp.costs;
                let lo = sol.local[g];
                let d = nn - in_block[g] - lo;
                out.3 += lo * pennies(c.local_money) + d * pennies(c.distant_money);
                out.4[1] += lo as f64;
                out.4[2] +=
                    if c.local_within { lo as f64 } else { 0.0 } + if c.distant_within { d as f64 } else { 0.0 };
                out.4[3] += nn as f64;
            }
        }
        out
    };
    let threads = threads.clamp(1, smp.s.max(1));
    let mut results: Vec<_> = Vec::with_capacity(smp.s);
    if threads == 1 {
        let mut net = network(st);
        for s in 0..smp.s {
            results.push(one(s, &mut net));
        }
    } else {
        let chunk = smp.s.div_ceil(threads);
        std::thread::scope(|sc| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let one = &one;
                    sc.spawn(move || {
                        let mut net = network(st);
                        (t * chunk..((t + 1) * chunk).min(smp.s))
                            .map(|s| one(s, &mut net))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for hd in handles {
                results.extend(hd.join().expect("evaluation thread"));
            }
        });
    }
    let mut e = Eval {
        q: Vec::with_capacity(smp.s),
        konst: Vec::with_capacity(smp.s),
        coef: Vec::with_capacity(smp.s),
        spot_money: Vec::with_capacity(smp.s),
        block: 0.0,
        in_area: 0.0,
        within: 0.0,
        children: 0.0,
        pool_use: vec![0.0; np],
    };
    for r in results {
        e.q.push(r.0);
        e.konst.push(r.1);
        e.coef.push(r.2);
        e.spot_money.push(r.3);
        e.block += r.4[0];
        e.in_area += r.4[1];
        e.within += r.4[2];
        e.children += r.4[3];
        for p in 0..np {
            e.pool_use[p] += r.5[p];
        }
    }
    e
}

/// Money paid for block beds over the horizon, pounds.
pub(super) fn block_money(plan: &Plan, beds: &[i64]) -> f64 {
    plan.offers
        .iter()
        .zip(beds)
        .map(|(o, &b)| b as f64 * o.price * o.contract_weeks as f64)
        .sum()
}

/// The figures of a first-stage decision from its evaluation.
pub(super) fn estimate(plan: &Plan, st: &Structure, smp: &Sample, beds: &[i64], ev: &Eval) -> (Estimate, Vec<f64>) {
    let (sf, hf) = (smp.s as f64, smp.h as f64);
    let block = block_money(plan, beds);
    let bed_weeks: f64 = plan
        .offers
        .iter()
        .zip(beds)
        .map(|(o, &b)| b as f64 * o.contract_weeks as f64)
        .sum();
    let cost: Vec<f64> = ev.q.iter().map(|&q| q as f64 / 100.0 + block).collect();
    let spend: Vec<f64> = ev.spot_money.iter().map(|&m| m as f64 / 100.0 + block).collect();
    let annual = 52.0 / hf;
    let est = Estimate {
        expected_weekly_cost: cost.iter().sum::<f64>() / (sf * hf),
        expected_weekly_spend: spend.iter().sum::<f64>() / (sf * hf),
        block_weekly_spend: block / hf,
        spot_weekly_spend: ev.spot_money.iter().sum::<i64>() as f64 / 100.0 / (sf * hf),
        children_per_week: ev.children / (sf * hf),
        block_beds: bed_weeks / hf,
        occupancy: if bed_weeks > 0.0 {
            ev.block / sf / bed_weeks
        } else {
            0.0
        },
        share_block: ratio(ev.block, ev.children),
        share_in_area: ratio(ev.in_area, ev.children),
        share_within_32km: ratio(ev.within, ev.children),
        p90_annual_cost: percentile(&mut cost.iter().map(|c| c * annual).collect::<Vec<_>>(), 0.9),
        p90_annual_spend: percentile(&mut spend.iter().map(|c| c * annual).collect::<Vec<_>>(), 0.9),
    };
    // A pool's use is shared among its offers in proportion to their beds.
    let mut used = vec![0.0; plan.offers.len()];
    for (p, offers) in st.pools.iter().enumerate() {
        let total: f64 = offers.iter().map(|&o| beds[o] as f64).sum();
        for &o in offers {
            let weeks = plan.offers[o].contract_weeks as f64;
            if total > 0.0 {
                used[o] = ev.pool_use[p] / sf * (beds[o] as f64 / total) / weeks;
            }
        }
    }
    (est, used)
}
