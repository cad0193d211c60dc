//! The first stage: the beds per offer, by the extensive form as one MIP or by the L-shaped
//! method (Benders optimality cuts on a HiGHS master), and the solve of one first-stage rule.

use super::*;

/// Adds the first-stage variables (beds per offer, with minimum blocks) to a model.
pub(super) fn first_stage_vars(
    plan: &Plan,
    first: &FirstStage,
    vars: &mut ProblemVariables,
    objective: &mut Expression,
    constraints: &mut Vec<good_lp::Constraint>,
    hf: f64,
) -> (Vec<Variable>, usize) {
    let mut integer = 0;
    let mut y = Vec::with_capacity(plan.offers.len());
    for (i, o) in plan.offers.iter().enumerate() {
        let (lo, hi) = match first {
            FirstStage::Fixed(b) => (b[i] as f64, b[i] as f64),
            _ => (0.0, o.max_beds as f64),
        };
        let v = vars.add(variable().integer().min(lo).max(hi));
        integer += 1;
        objective.add_mul(o.price * o.contract_weeks as f64 / hf, v);
        if o.min_beds > 0 && !matches!(first, FirstStage::Fixed(_)) {
            // Either no beds, or at least the provider's minimum block.
            let z = vars.add(variable().binary());
            integer += 1;
            constraints.push((Expression::from(v) - (o.min_beds as f64) * z).geq(0.0));
            constraints.push((Expression::from(v) - (o.max_beds as f64) * z).leq(0.0));
        }
        y.push(v);
    }
    if let FirstStage::Total(k) = first {
        let mut e = Expression::with_capacity(y.len());
        for v in &y {
            e.add_mul(1.0, *v);
        }
        constraints.push(e.eq(*k as f64));
    }
    (y, integer)
}

pub(super) fn highs_model(
    vars: ProblemVariables,
    objective: Expression,
    constraints: Vec<good_lp::Constraint>,
    opts: &PlanOptions,
    gap: f64,
) -> good_lp::solvers::highs::HighsProblem {
    let mut model = vars
        .minimise(objective)
        .using(highs)
        .set_threads(opts.threads)
        .set_option("presolve", if opts.presolve { "on" } else { "off" })
        .set_option("mip_rel_gap", gap)
        .set_option("output_flag", false);
    if let Some(t) = opts.time_limit {
        model = model.set_time_limit(t);
    }
    for c in constraints {
        model.add_constraint(c);
    }
    model
}

/// The extensive form (see [`Method::Extensive`]): returns the beds and whether optimal.
pub(super) fn extensive(
    plan: &Plan,
    st: &Structure,
    smp: &Sample,
    first: &FirstStage,
    opts: &PlanOptions,
) -> anyhow::Result<(Vec<i64>, bool, PlanModelStats)> {
    let (sn, h, gn) = (smp.s, smp.h, smp.g);
    let hf = h as f64;
    let scale = 1.0 / (sn as f64 * hf);
    let mut vars = ProblemVariables::new();
    let mut objective = Expression::with_capacity(1024);
    let mut constraints = Vec::new();
    let (y, integer_variables) = first_stage_vars(plan, first, &mut vars, &mut objective, &mut constraints, hf);
    let npools = st.pools.len();
    let mut pool_rows: Vec<Expression> = Vec::new();
    for s in 0..sn {
        for w in 0..h {
            pool_rows.clear();
            pool_rows.resize_with(npools, Expression::default);
            let mut pool_used = vec![false; npools];
            for g in 0..gn {
                let i = (s * h + w) * gn + g;
                let n = smp.n[i];
                if n == 0 {
                    continue;
                }
                let grp = &st.groups[g];
                let c = &grp.costs;
                let mut row = Expression::with_capacity(grp.pairs.len() + 1);
                for &(p, cost, _) in &grp.pairs {
                    if w as u32 >= st.pool_weeks[p] {
                        continue;
                    }
                    let v = vars.add(variable().min(0.0));
                    objective.add_mul((cost - c.distant) * scale, v);
                    row.add_mul(1.0, v);
                    pool_rows[p].add_mul(1.0, v);
                    pool_used[p] = true;
                }
                let lmax = smp.local[i].min(n) as f64;
                if lmax > 0.0 && c.local < c.distant {
                    let v = vars.add(variable().min(0.0).max(lmax));
                    objective.add_mul((c.local - c.distant) * scale, v);
                    row.add_mul(1.0, v);
                }
                constraints.push(row.leq(n as f64));
            }
            for p in 0..npools {
                if pool_used[p] {
                    let mut e = std::mem::take(&mut pool_rows[p]);
                    for &o in &st.pools[p] {
                        e.add_mul(-1.0, y[o]);
                    }
                    constraints.push(e.leq(0.0));
                }
            }
        }
    }
    let stats = PlanModelStats {
        variables: vars.len(),
        integer_variables,
        constraints: constraints.len(),
        scenario_weeks: sn * h,
        groups: gn,
        pools: npools,
        pairs: st.groups.iter().map(|g| g.pairs.len()).sum(),
        iterations: 1,
        cuts: 0,
    };
    let sol = highs_model(vars, objective, constraints, opts, opts.mip_gap)
        .solve()
        .map_err(|e| anyhow::anyhow!("HiGHS could not solve the plan: {e}"))?;
    let optimal = matches!(sol.status(), SolutionStatus::Optimal | SolutionStatus::GapLimit);
    Ok((y.iter().map(|v| sol.value(*v).round() as i64).collect(), optimal, stats))
}

/// Most master iterations of the L-shaped method.
pub(super) const MAX_ITERATIONS: usize = 400;

/// One optimality cut: (scenario, component, constant in pounds, (offer, pounds per bed)).
pub(super) type Cut = (usize, usize, f64, Vec<(usize, f64)>);

/// Optimality cuts collected by the L-shaped method: valid for every first stage, so the
/// cost curve's re-solves start from all the cuts of earlier solves.
#[derive(Debug, Clone, Default)]
pub struct Cuts {
    /// (scenario, component, constant in pounds, (offer, pounds per bed) of the component's offers).
    pub(super) cuts: Vec<Cut>,
}

impl Cuts {
    pub(super) fn add(&mut self, st: &Structure, plan: &Plan, ev: &Eval) {
        let _ = plan;
        for s in 0..ev.q.len() {
            for c in 0..st.components {
                let mut coef = Vec::new();
                for (p, offers) in st.pools.iter().enumerate() {
                    if st.pool_comp[p] == c && ev.coef[s][p] != 0 {
                        for &o in offers {
                            coef.push((o, ev.coef[s][p] as f64 / 100.0));
                        }
                    }
                }
                self.cuts.push((s, c, ev.konst[s][c] as f64 / 100.0, coef));
            }
        }
    }
}

/// The L-shaped method (see [`Method::Benders`]).
pub(super) fn benders(
    plan: &Plan,
    st: &Structure,
    smp: &Sample,
    first: &FirstStage,
    opts: &PlanOptions,
    cuts: &mut Cuts,
) -> anyhow::Result<(Vec<i64>, bool, PlanModelStats)> {
    let (sn, hf) = (smp.s, smp.h as f64);
    let scale = 1.0 / (sn as f64 * hf);
    let threads = opts.threads as usize;
    let start = Instant::now();
    let feasible = |b: &[i64]| -> bool {
        let ok = plan
            .offers
            .iter()
            .zip(b)
            .all(|(o, &y)| y == 0 || (y >= o.min_beds && y <= o.max_beds));
        ok && match first {
            FirstStage::Total(k) => b.iter().sum::<i64>() == *k,
            FirstStage::Fixed(f) => f.as_slice() == b,
            FirstStage::Free => true,
        }
    };
    let mut best: Option<(f64, Vec<i64>)> = None;
    let mut seen: Vec<Vec<i64>> = Vec::new();
    let visit = |b: Vec<i64>, cuts: &mut Cuts, best: &mut Option<(f64, Vec<i64>)>, seen: &mut Vec<Vec<i64>>| {
        let ev = evaluate(st, smp, &b, threads);
        let value = block_money(plan, &b) / hf + ev.q.iter().sum::<i64>() as f64 / 100.0 * scale;
        if feasible(&b) && best.as_ref().is_none_or(|(v, _)| value < *v - 1e-9) {
            *best = Some((value, b.clone()));
        }
        cuts.add(st, plan, &ev);
        seen.push(b);
    };
    if cuts.cuts.is_empty() {
        // Two cuts to start from: no block beds and every bed on offer.
        visit(vec![0; plan.offers.len()], cuts, &mut best, &mut seen);
        visit(
            plan.offers.iter().map(|o| o.max_beds).collect(),
            cuts,
            &mut best,
            &mut seen,
        );
    }
    let mut iterations = 0;
    let mut optimal = false;
    let mut master_size = (0, 0, 0);
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        let mut vars = ProblemVariables::new();
        let mut objective = Expression::with_capacity(plan.offers.len() + sn);
        let mut constraints = Vec::new();
        let (y, integer) = first_stage_vars(plan, first, &mut vars, &mut objective, &mut constraints, hf);
        let nc = st.components;
        let theta: Vec<Variable> = (0..sn * nc).map(|_| vars.add(variable().min(0.0))).collect();
        for t in &theta {
            objective.add_mul(scale, *t);
        }
        for (s, c, konst, coef) in &cuts.cuts {
            let mut e = Expression::from(theta[s * nc + c]);
            for &(o, k) in coef {
                e.add_mul(-k, y[o]);
            }
            constraints.push(e.geq(*konst));
        }
        master_size = (vars.len(), integer, constraints.len());
        let sol = highs_model(vars, objective.clone(), constraints, opts, 1e-7)
            .solve()
            .map_err(|e| anyhow::anyhow!("HiGHS could not solve the plan's master problem: {e}"))?;
        let lower = objective.eval_with(&sol);
        let b: Vec<i64> = y.iter().map(|v| sol.value(*v).round() as i64).collect();
        let repeated = seen.contains(&b);
        if !repeated {
            visit(b, cuts, &mut best, &mut seen);
        }
        let upper = best.as_ref().map(|(v, _)| *v).unwrap_or(f64::INFINITY);
        if repeated || upper - lower <= opts.mip_gap * upper.abs().max(1e-9) {
            optimal = true;
            break;
        }
        if opts.time_limit.is_some_and(|t| start.elapsed().as_secs_f64() > t) {
            break;
        }
    }
    let Some((_, beds)) = best else {
        anyhow::bail!("no plan meets the minimum blocks and the fixed total of beds");
    };
    let stats = PlanModelStats {
        variables: master_size.0,
        integer_variables: master_size.1,
        constraints: master_size.2,
        scenario_weeks: smp.s * smp.h,
        groups: smp.g,
        pools: st.pools.len(),
        pairs: st.groups.iter().map(|g| g.pairs.len()).sum(),
        iterations,
        cuts: cuts.cuts.len(),
    };
    Ok((beds, optimal, stats))
}

/// Solves the programme for one first-stage rule and evaluates the answer.
pub fn solve(
    plan: &Plan,
    st: &Structure,
    smp: &Sample,
    first: &FirstStage,
    opts: &PlanOptions,
    cuts: &mut Cuts,
) -> anyhow::Result<Solved> {
    let t0 = Instant::now();
    let (beds, optimal, stats) = match (first, opts.method) {
        (FirstStage::Fixed(b), _) => (b.clone(), true, PlanModelStats::default()),
        (_, Method::Benders) => benders(plan, st, smp, first, opts, cuts)?,
        (_, Method::Extensive) => extensive(plan, st, smp, first, opts)?,
    };
    let seconds = t0.elapsed().as_secs_f64();
    let ev = evaluate(st, smp, &beds, opts.threads as usize);
    let (estimate, used) = estimate(plan, st, smp, &beds, &ev);
    Ok(Solved {
        beds,
        optimal,
        seconds,
        stats,
        estimate,
        used,
    })
}
