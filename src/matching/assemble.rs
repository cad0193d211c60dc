//! The result document (`placematch/result@1`) of an assignment, assembled once for every
//! matching rule: the optimal one with its alternatives ([`crate::matching::explain`]) and
//! the heuristic ones, which have none.

use crate::check::Evaluation;
use crate::input::batch::Urgency;
use crate::matching::model::Formulation;
use crate::pair::instance::Instance;
use crate::result::format::{Alternative, Cost, MatchResult, ModelStats, Placement, Unplaced, RESULT_FORMAT};

/// What a solve or a rule found, before it is written up.
pub struct Answer<'a> {
    /// Per child (index into the batch's children), the chosen home index or None.
    pub assign: &'a [Option<usize>],
    /// The checker's evaluation of `assign` ([`crate::check::evaluate_assignment`]).
    pub eval: Evaluation,
    /// Proven optimal (to `requested_gap`).
    pub optimal: bool,
    /// A proven lower bound on the objective.
    pub bound: f64,
    /// The relative gap asked for (0 = optimality).
    pub requested_gap: f64,
    /// Wall-clock seconds to the answer.
    pub solve_seconds: f64,
    /// Model size and solver work.
    pub stats: ModelStats,
}

/// What a placement shows beyond the assignment: the child's cost terms, distance and
/// alternatives.
pub struct Shown {
    /// The child's cost terms at its home.
    pub cost: Cost,
    /// Distance from home, km.
    pub distance_km: f64,
    /// Alternatives, best first.
    pub alternatives: Vec<Alternative>,
    /// Whether their order (and that no other home beats them) is proven.
    pub rank_certain: bool,
}

/// The result of `answer`: `placed(child, evaluation)` says what each placed child's entry shows and
/// `unplaced(child)` diagnoses each unplaced one, children in batch order; entries sorted by
/// urgency, then id.
pub fn assemble(
    inst: &Instance,
    f: &Formulation,
    answer: Answer,
    mut placed: impl FnMut(usize, &Evaluation) -> Shown,
    mut unplaced: impl FnMut(usize) -> Unplaced,
) -> MatchResult {
    let Answer {
        assign,
        eval,
        optimal,
        bound,
        requested_gap,
        solve_seconds,
        mut stats,
    } = answer;
    let objective = eval.objective;
    let (bound, gap, status) = crate::result::format::bound_and_gap(optimal, bound, objective, requested_gap);
    let mut placements = Vec::new();
    let mut unplaced_list = Vec::new();
    for (c, child) in inst.batch.children.iter().enumerate() {
        let u = f.unit_of[c];
        match assign[c] {
            Some(h) => {
                let Shown {
                    cost,
                    distance_km,
                    alternatives,
                    rank_certain,
                } = placed(c, &eval);
                placements.push(Placement {
                    child: child.id.clone(),
                    home: inst.batch.homes[h].id.clone(),
                    provider: inst.batch.homes[h].provider.clone(),
                    urgency: child.urgency,
                    cost,
                    distance_km,
                    block_bed: eval.block_bed[c],
                    discount: eval.discount[c],
                    placed_with: f.units[u]
                        .members
                        .iter()
                        .filter(|&&m| m != c)
                        .map(|&m| inst.batch.children[m].id.clone())
                        .collect(),
                    alternatives,
                    rank_certain,
                });
            }
            None => unplaced_list.push(unplaced(c)),
        }
    }
    let key = |id: &str, urg: Urgency| (urg, id.to_string());
    placements.sort_by_key(|p| key(&p.child, p.urgency));
    unplaced_list.sort_by_key(|p| key(&p.child, p.urgency));
    stats.estimated_regrets = placements
        .iter()
        .filter(|p| p.alternatives.iter().any(|a| !a.regret_exact))
        .count();
    MatchResult {
        format: RESULT_FORMAT.to_string(),
        batch_id: inst.batch.batch_id.clone(),
        status,
        objective: round6(objective),
        bound: round6(bound),
        gap,
        solve_seconds,
        model: stats,
        summary: eval.summary,
        placements,
        unplaced: unplaced_list,
        since: None,
        changes: Vec::new(),
        vacancies: Some(inst.batch.homes.iter().map(|h| (h.id.clone(), h.vacancies)).collect()),
        forecast: None,
    }
}

/// To the penny, for regrets and their parts.
pub(crate) fn round2(x: f64) -> f64 {
    // `+ 0.0` turns a negative zero into zero, so the JSON never shows -0.0.
    (x * 100.0).round() / 100.0 + 0.0
}

/// To a millionth of a pound, for the objective and its bound.
pub(crate) fn round6(x: f64) -> f64 {
    // `+ 0.0` as in [`round2`].
    (x * 1e6).round() / 1e6 + 0.0
}
