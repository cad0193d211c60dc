//! Step 7, **explain**: the structured breakdown per placement (cost terms,
//! alternatives ranked by exact regret) and per unplaced child (exclusions,
//! one-rule relaxations, competition). Every sentence is derived from the
//! structure, never the reverse.
//!
//! The solver finds the numbers ([`crate::matching::solver::solve_with_regrets`]); here they
//! become entries: [`alternatives`] for placed children, [`unplaced`] for the others, with
//! the words in [`sentences`]; [`crate::matching::assemble`] makes the document.

use crate::check::evaluate_assignment;
use crate::matching::assemble::{assemble, Answer};
use crate::matching::solver::{solve_with_regrets, Ranked, Solution, SolveOptions};
use crate::pair::instance::Instance;
use crate::result::format::MatchResult;

mod alternatives;
mod sentences;
mod unplaced;

pub(crate) use unplaced::diagnose;

/// Solves a located batch and explains the answer: the whole back half of `solve`.
pub fn solve_and_explain(inst: &Instance, opts: &SolveOptions, alternatives: usize) -> MatchResult {
    solve_and_explain_with(inst, opts, alternatives, &indicatif::ProgressBar::hidden())
}

/// [`solve_and_explain`], reporting its stages and the children explained on `progress`.
pub fn solve_and_explain_with(
    inst: &Instance,
    opts: &SolveOptions,
    alternatives: usize,
    progress: &indicatif::ProgressBar,
) -> MatchResult {
    let started = std::time::Instant::now();
    let deadline = opts.time_limit.map(|t| started + std::time::Duration::from_secs_f64(t));
    let (f, solution, regrets) = solve_with_regrets(inst, opts, alternatives, deadline, progress);
    let solve_seconds = started.elapsed().as_secs_f64();
    let stopped = match (opts.gap > 0.0, opts.time_limit.is_some()) {
        (true, true) => "the time limit or the requested gap stopped the search",
        (true, false) => "the search stopped at the requested gap",
        (false, true) => "the time limit stopped the search",
        (false, false) => "the explaining time ran out",
    };
    let Solution {
        unit_choice,
        assign,
        optimal,
        bound,
        mut stats,
    } = solution;
    stats.path_regrets = regrets.path_regrets;
    let answer = Answer {
        eval: evaluate_assignment(inst, &assign),
        assign: &assign,
        optimal,
        bound,
        requested_gap: opts.gap,
        solve_seconds,
        stats,
    };
    assemble(
        inst,
        &f,
        answer,
        |c, _| {
            let u = f.unit_of[c];
            let k = unit_choice[u].expect("a placed child's unit is placed");
            let none = Ranked {
                list: Vec::new(),
                certain: true,
            };
            let ranked = regrets.alts.get(&u).unwrap_or(&none);
            alternatives::placed(inst, &f, c, k, ranked, stopped)
        },
        |c| {
            let competition = regrets.competition.get(&f.unit_of[c]);
            diagnose(
                inst,
                &f,
                c,
                &assign,
                competition.map(Vec::as_slice).unwrap_or(&[]),
                stopped,
            )
        },
    )
}

/// The one line `solve -o` prints on standard error when done: "placed 290, unplaced 10,
/// optimal, gap 0.00 %, regrets exact 912/912 (100 %), written to r.json".
pub fn run_line(r: &MatchResult, written_to: &str) -> String {
    let alts = r.placements.iter().flat_map(|p| &p.alternatives);
    let (exact, all) = alts.fold((0usize, 0usize), |(e, n), a| (e + usize::from(a.regret_exact), n + 1));
    let share = if all == 0 {
        100.0
    } else {
        100.0 * exact as f64 / all as f64
    };
    let status = serde_json::to_value(r.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    format!(
        "placed {}, unplaced {}, {status}, gap {:.2} %, regrets exact {exact}/{all} ({share:.0} %), written to {written_to}",
        r.summary.placed,
        r.summary.unplaced,
        r.gap * 100.0
    )
}
