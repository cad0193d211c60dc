//! The subgradient ascent of [`ascend`]: the multipliers of home capacity, provider
//! admission and block-bed rows moved from the LP's duals, each step a valid bound.

use super::*;

/// One way a unit can go in the Lagrangian problem of [`ascend`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Opt {
    /// Spend from its budget, £ per week.
    pub spend: f64,
    /// Reduced cost at the LP's duals (for a unit of a budget group, less the group's shift:
    /// the [`Group`] value).
    pub reduced: f64,
    /// Its entries in the rows whose multipliers move: `Problem::entries[start..start + len]`.
    pub start: u32,
    /// See `start`.
    pub len: u32,
}

/// How a unit's part of the Lagrangian is valued in [`ascend`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// In budget group n: whole plans within the budget.
    Group(usize),
    /// No budget of its own: its least option.
    Alone,
    /// A budget it shares or one too large to solve: its LP value plus the least change of
    /// any option (a lower bound).
    Bounded,
}

/// The Lagrangian problem at the LP's duals, for raising the bound by moving the
/// multipliers of some ≤ rows ("moving rows": the solver moves home capacity, provider
/// admissions and block beds) while every other relaxed row keeps its LP dual ([`ascend`]).
#[derive(Debug, Clone, Default)]
pub struct Problem {
    /// The LP's optimum.
    pub lp: f64,
    /// Per unit, its options.
    pub units: Vec<Vec<Opt>>,
    /// Per unit, how it is valued.
    pub roles: Vec<Role>,
    /// Per group: budget, the budget row's price ν, its units.
    pub groups: Vec<(f64, f64, Vec<usize>)>,
    /// (moving row, coefficient) of every option, by [`Opt::start`].
    pub entries: Vec<(u32, f64)>,
    /// Per moving row, its right-hand side.
    pub rhs: Vec<f64>,
    /// Per moving row, the least change of its multiplier: its LP dual (≤ 0), so that the
    /// multiplier it carries in the Lagrangian stays ≥ 0.
    pub lowest: Vec<f64>,
    /// Per moving row, the most change of its multiplier (+∞ for none). Any limits keep
    /// the bound valid; they let [`Problem::sifted`] drop more options.
    pub highest: Vec<f64>,
    /// Columns outside the units in moving rows (block beds used), each with its upper bound
    /// (lower 0): in the Lagrangian each sits at the bound its reduced cost prefers.
    pub columns: Vec<(Opt, f64)>,
    /// Whether groups are solved on rayon's threads.
    pub parallel: bool,
}

/// The outcome of [`ascend`].
#[derive(Debug, Clone)]
pub struct Ascent {
    /// The best bound met (at least the first, at the LP's duals).
    pub bound: f64,
    /// The change of each moving row's multiplier where it was met.
    pub multipliers: Vec<f64>,
    /// Bound evaluations.
    pub evaluations: usize,
}

impl Problem {
    /// `f` of each group, in order: on rayon's threads when [`Problem::parallel`].
    fn each_group<T: Send>(&self, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
        use rayon::prelude::*;
        if self.parallel {
            (0..self.groups.len()).into_par_iter().map(f).collect()
        } else {
            (0..self.groups.len()).map(f).collect()
        }
    }

    fn entries_of(&self, o: &Opt) -> &[(u32, f64)] {
        &self.entries[o.start as usize..(o.start + o.len) as usize]
    }

    /// How much an option's reduced cost rises at multiplier changes `lambda`.
    fn change(&self, o: &Opt, lambda: &[f64]) -> f64 {
        self.entries_of(o).iter().map(|&(r, c)| c * lambda[r as usize]).sum()
    }

    /// The least an option's reduced cost can become (−∞ with a negative coefficient).
    fn lowest_reduced(&self, o: &Opt) -> f64 {
        o.reduced
            + self
                .entries_of(o)
                .iter()
                .map(|&(r, c)| {
                    c * if c > 0.0 {
                        self.lowest[r as usize]
                    } else {
                        self.highest[r as usize]
                    }
                })
                .sum::<f64>()
    }

    /// The same problem without the options that cannot matter to [`Problem::evaluate`]
    /// with reduced costs capped at `cap`: a group unit's options whose reduced cost stays
    /// above the cap at the least multipliers, an alone unit's that never undercut its
    /// options without entries, a bounded unit's that can never fall.
    pub fn sifted(&self, cap: f64) -> Problem {
        // Only the kept options' entries are copied (re-indexed), not the whole problem.
        let mut entries = Vec::new();
        let mut keep = |o: &Opt| {
            let start = entries.len() as u32;
            entries.extend_from_slice(self.entries_of(o));
            Opt { start, ..*o }
        };
        let units = self
            .units
            .iter()
            .zip(&self.roles)
            .map(|(opts, role)| {
                let fixed = opts
                    .iter()
                    .filter(|o| o.len == 0)
                    .map(|o| o.reduced)
                    .fold(f64::INFINITY, f64::min);
                opts.iter()
                    .filter(|o| match role {
                        Role::Group(_) => self.lowest_reduced(o) <= cap,
                        Role::Alone => o.len == 0 || self.lowest_reduced(o) <= fixed,
                        Role::Bounded => o.len == 0 || self.lowest_reduced(o) < o.reduced,
                    })
                    .map(&mut keep)
                    .collect()
            })
            .collect();
        let columns = self.columns.iter().map(|(o, ub)| (keep(o), *ub)).collect();
        Problem {
            lp: self.lp,
            units,
            roles: self.roles.clone(),
            groups: self.groups.clone(),
            entries,
            rhs: self.rhs.clone(),
            lowest: self.lowest.clone(),
            highest: self.highest.clone(),
            columns,
            parallel: self.parallel,
        }
    }

    /// The options of group `g` at multiplier changes `lambda`, each unit's rebased so that
    /// the least is ≥ 0 and cut at `cap`: the group, each unit's shift, and per unit the
    /// indices of the options kept.
    fn group_at(&self, g: usize, lambda: &[f64], cap: f64) -> (Group, Vec<f64>, Vec<Vec<usize>>) {
        let (budget, price, ref units) = self.groups[g];
        let mut shifts = Vec::with_capacity(units.len());
        let mut kept = Vec::with_capacity(units.len());
        let units = units
            .iter()
            .map(|&u| {
                let r: Vec<(f64, f64)> = self.units[u]
                    .iter()
                    .map(|o| (o.spend, o.reduced + self.change(o, lambda)))
                    .collect();
                let s = r.iter().map(|x| x.1).fold(0.0, f64::min);
                shifts.push(s);
                let (mut cs, mut ix) = (Vec::new(), Vec::new());
                for (i, &(spend, reduced)) in r.iter().enumerate() {
                    if reduced - s <= cap {
                        cs.push(Choice {
                            spend,
                            reduced: reduced - s,
                        });
                        ix.push(i);
                    }
                }
                kept.push(ix);
                cs
            })
            .collect();
        (Group { budget, price, units }, shifts, kept)
    }

    /// The other columns' part at `lambda`: its change from λ = 0, and the columns at their
    /// upper bound.
    fn other_columns(&self, lambda: &[f64]) -> (f64, Vec<usize>) {
        let mut value = 0.0;
        let mut up = Vec::new();
        for (i, (o, ub)) in self.columns.iter().enumerate() {
            let now = o.reduced + self.change(o, lambda);
            value += (now.min(0.0) - o.reduced.min(0.0)) * ub;
            if now < 0.0 {
                up.push(i);
            }
        }
        (value, up)
    }

    /// The units' part that is not in budget groups, at `lambda`: its value and, per unit,
    /// the option its relaxed answer takes (None for a group's).
    fn outside_groups(&self, lambda: &[f64]) -> (f64, Vec<Option<usize>>) {
        let least = |u: usize, f: &dyn Fn(&Opt) -> f64| -> (f64, usize) {
            self.units[u]
                .iter()
                .enumerate()
                .map(|(i, o)| (f(o), i))
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                .expect("an option")
        };
        let mut value = 0.0;
        let picks = (0..self.units.len())
            .map(|u| match self.roles[u] {
                Role::Group(_) => None,
                Role::Alone => {
                    let (now, i) = least(u, &|o| o.reduced + self.change(o, lambda));
                    value += now - least(u, &|o| o.reduced).0;
                    Some(i)
                }
                Role::Bounded => {
                    let (d, i) = least(u, &|o| self.change(o, lambda));
                    value += d.min(0.0);
                    Some(i)
                }
            })
            .collect();
        (value, picks)
    }

    /// The bound with moving rows' multipliers changed by `lambda`, and each moving row's
    /// use by its relaxed answer (for the subgradient). Each part is exact or a lower bound,
    /// so the whole is a lower bound on the full model's optimum:
    ///
    /// L(λ) = LP + Σ_groups T(λ) + Σ_alone (least(λ) − least(0)) + Σ_bounded least change
    ///        − Σ_rows λ·rhs,
    /// T(λ) the group's least plan value (Σ reduced + ν·budget unspent) at the changed reduced
    /// costs, which is Δ at λ = 0 (a group too large to solve counts as bounded).
    pub fn evaluate(&self, lambda: &[f64], cap: f64) -> (f64, Vec<f64>) {
        let (mut value, picks) = self.outside_groups(lambda);
        let (columns, up) = self.other_columns(lambda);
        value += self.lp + columns;
        let mut used = vec![0.0; self.rhs.len()];
        for i in up {
            let (o, ub) = &self.columns[i];
            for &(r, c) in self.entries_of(o) {
                used[r as usize] += c * ub;
            }
        }
        let mut take = |o: &Opt| {
            for &(r, c) in self.entries_of(o) {
                used[r as usize] += c;
            }
        };
        for (u, pick) in picks.iter().enumerate() {
            if let Some(i) = pick {
                take(&self.units[u][*i]);
            }
        }
        let solved: Vec<(f64, Option<Vec<usize>>)> = self.each_group(|g| {
            let (group, shifts, kept) = self.group_at(g, lambda, cap);
            match best_plan(&group, cap) {
                Some((v, plan)) => (
                    shifts.iter().sum::<f64>() + v,
                    plan.map(|p| p.iter().zip(&kept).map(|(&c, ix)| ix[c]).collect()),
                ),
                None => (self.bounded_group(g, lambda), None),
            }
        });
        for (g, (v, plan)) in solved.into_iter().enumerate() {
            value += v;
            for (&u, &c) in self.groups[g].2.iter().zip(plan.iter().flatten()) {
                take(&self.units[u][c]);
            }
        }
        (value - self.charged(lambda), used)
    }

    /// Σ λ·rhs over the moving rows: what the multiplier changes charge the whole.
    fn charged(&self, lambda: &[f64]) -> f64 {
        lambda.iter().zip(&self.rhs).map(|(l, v)| l * v).sum()
    }

    /// A group too large to solve: its LP value (0 at λ = 0) plus each unit's least change.
    fn bounded_group(&self, g: usize, lambda: &[f64]) -> f64 {
        self.groups[g]
            .2
            .iter()
            .map(|&u| self.units[u].iter().map(|o| self.change(o, lambda)).fold(0.0, f64::min))
            .sum()
    }

    /// The bound at `lambda` as [`Problem::evaluate`], with each budget group solved for
    /// every option forced ([`solve`]), and per unit, per option, a lower bound on the full
    /// model's optimum with that option forced in (−∞ for a [`Role::Bounded`] unit's).
    pub fn floors(&self, lambda: &[f64], cap: f64) -> (f64, Vec<Vec<f64>>) {
        let at = |o: &Opt| o.reduced + self.change(o, lambda);
        let (outside, _) = self.outside_groups(lambda);
        // Per group: its value and per unit, per option, the value with it forced.
        let solved: Vec<(f64, Vec<Vec<f64>>)> = self.each_group(|g| {
            let units = &self.groups[g].2;
            let (group, shifts, kept) = self.group_at(g, lambda, cap);
            let shift: f64 = shifts.iter().sum();
            let Some(r) = solve(&group, cap, None) else {
                let rows = units.iter().map(|&u| vec![f64::NEG_INFINITY; self.units[u].len()]);
                return (self.bounded_group(g, lambda), rows.collect());
            };
            let rows = units
                .iter()
                .zip(&kept)
                .zip(&r.forced)
                .zip(&shifts)
                .map(|(((&u, ix), forced), &s)| {
                    // Left out for the cap: forced, a plan pays at least its own
                    // (rebased) reduced cost.
                    let mut row: Vec<f64> = self.units[u].iter().map(|o| shift + at(o) - s).collect();
                    for (&i, &v) in ix.iter().zip(forced) {
                        row[i] = shift + v;
                    }
                    row
                })
                .collect();
            (shift + r.gap, rows)
        });
        let bound = self.lp + outside + self.other_columns(lambda).0 + solved.iter().map(|x| x.0).sum::<f64>()
            - self.charged(lambda);
        let mut floors: Vec<Vec<f64>> = self
            .units
            .iter()
            .zip(&self.roles)
            .map(|(opts, role)| match role {
                Role::Alone => {
                    let l = opts.iter().map(at).fold(f64::INFINITY, f64::min);
                    opts.iter().map(|o| bound + at(o) - l).collect()
                }
                _ => vec![f64::NEG_INFINITY; opts.len()],
            })
            .collect();
        for ((value, rows), (_, _, units)) in solved.iter().zip(&self.groups) {
            for (&u, row) in units.iter().zip(rows) {
                floors[u] = row.iter().map(|v| bound + v - value).collect();
            }
        }
        (bound, floors)
    }
}

/// Raises the Lagrangian bound above its value at the LP's duals by subgradient steps on
/// the moving rows' multipliers (Polyak's step towards a target above the best bound,
/// halved when five steps in a row find nothing better), for at most `evaluations` bound
/// evaluations or until `deadline`.
///
/// Why: the LP's duals are the best multipliers for the LP, not for whole children within
/// each budget. Where budgets make the LP split children, the relaxed answer at the LP's
/// duals piles children into the homes the LP prices cheapest; charging those beds more (and
/// the empty ones less) moves the relaxed answer towards one that fits, and the bound up.
pub fn ascend(
    p: &Problem,
    cap: f64,
    evaluations: usize,
    deadline: Option<std::time::Instant>,
    stop: Option<&std::sync::atomic::AtomicBool>,
) -> Ascent {
    let n = p.rhs.len();
    let mut lambda = vec![0.0; n];
    let (first, mut used) = p.evaluate(&lambda, cap);
    let mut best = Ascent {
        bound: first,
        multipliers: lambda.clone(),
        evaluations: 1,
    };
    let (mut current, mut theta, mut stall) = (first, 1.0, 0);
    let go_on = || {
        deadline.is_none_or(|d| std::time::Instant::now() < d)
            && stop.is_none_or(|s| !s.load(std::sync::atomic::Ordering::Relaxed))
    };
    while best.evaluations < evaluations && go_on() {
        // Projected: a multiplier at its least does not follow a step down.
        let g: Vec<f64> = (0..n)
            .map(|j| {
                let s = used[j] - p.rhs[j];
                if (lambda[j] <= p.lowest[j] + 1e-12 && s < 0.0) || (lambda[j] >= p.highest[j] - 1e-12 && s > 0.0) {
                    0.0
                } else {
                    s
                }
            })
            .collect();
        let norm: f64 = g.iter().map(|x| x * x).sum();
        if norm < 1e-12 {
            break; // the relaxed answer fits every moving row: no step helps
        }
        let target = best.bound + (best.bound - p.lp).max(1.0);
        let t = theta * (target - current) / norm;
        for j in 0..n {
            lambda[j] = (lambda[j] + t * g[j]).clamp(p.lowest[j], p.highest[j]);
        }
        let (v, u) = p.evaluate(&lambda, cap);
        best.evaluations += 1;
        (current, used) = (v, u);
        if v > best.bound + 1e-6 {
            best.bound = v;
            best.multipliers.clone_from(&lambda);
            stall = 0;
        } else {
            stall += 1;
            if stall >= 5 {
                theta /= 2.0;
                stall = 0;
            }
        }
    }
    best
}
