//! The words: every sentence is built from numbers already found, never the reverse.

use crate::pair::cost::Terms;
use crate::pair::instance::Instance;
use crate::support::money::{pounds, score};

pub(super) fn home_name(inst: &Instance, h: usize) -> String {
    let home = &inst.batch.homes[h];
    home.name.clone().unwrap_or_else(|| home.id.clone())
}

/// An alternative's regret, whether it is exact, and the part of it borne by the rest of the batch.
pub(super) struct RegretShare {
    /// The regret's upper bound (the regret itself when exact).
    pub(super) regret: f64,
    /// Its proven lower bound.
    pub(super) lower: f64,
    pub(super) exact: bool,
    pub(super) knock_on: f64,
    /// What stopped the search, for an inexact regret's sentence.
    pub(super) stopped: &'static str,
}

/// "Oakwood is £350 a week cheaper but 61 km further from home and rated Requires Improvement
/// (regret 412 a week, score)." Price differences are spend (£); the regret and the rest of
/// the batch's share are the objective's score, so they carry no £ sign. Built from the term differences, largest first.
pub(super) fn why_alternative(
    inst: &Instance,
    child: usize,
    alt: usize,
    d: &Terms,
    dkm: f64,
    share: RegretShare,
) -> String {
    let RegretShare {
        regret,
        lower,
        exact,
        knock_on,
        stopped,
    } = share;
    let c = &inst.batch.children[child];
    let rating = inst.homes[alt].rating.label();
    let better = |x: f64| x < 0.0;
    // (pounds, predicate) for each term that differs; positive pounds = the alternative is worse.
    let mut items: Vec<(f64, String)> = Vec::new();
    let mut add = |pounds: f64, text: String| items.push((pounds, text));
    if d.price.abs() >= 0.5 {
        add(
            d.price,
            format!(
                "is {} a week {}",
                pounds(d.price.abs()),
                if better(d.price) { "cheaper" } else { "dearer" }
            ),
        );
    }
    if dkm.abs() >= 0.5 {
        add(
            d.distance,
            format!(
                "is {:.0} km {} home",
                dkm.abs(),
                if dkm < 0.0 { "nearer" } else { "further from" }
            ),
        );
    }
    if d.out_of_area != 0.0 {
        add(
            d.out_of_area,
            if better(d.out_of_area) {
                "is in the child's own authority".into()
            } else {
                "is out of area".into()
            },
        );
    }
    if d.quality != 0.0 {
        add(
            d.quality,
            if better(d.quality) {
                format!("is better rated ({rating})")
            } else {
                format!("is rated {rating}")
            },
        );
    }
    if d.needs != 0.0 {
        let levels = (d.needs / inst.policy.unmet_need.max(1e-9)).abs().round() as i64;
        let s = if levels == 1 { "" } else { "s" };
        add(
            d.needs,
            if better(d.needs) {
                format!("meets {levels} more level{s} of need")
            } else {
                format!("leaves {levels} more level{s} of need unmet")
            },
        );
    }
    if d.type_preference != 0.0 {
        let t = inst.batch.homes[alt].kind.name().replace('_', " ");
        add(
            d.type_preference,
            format!(
                "is a {} preferred type ({t})",
                if better(d.type_preference) { "more" } else { "less" }
            ),
        );
    }
    if d.step_across != 0.0 {
        add(
            d.step_across,
            if better(d.step_across) {
                "keeps the step-across option open".into()
            } else {
                "loses the step-across option".into()
            },
        );
    }
    if d.language != 0.0 {
        add(
            d.language,
            if better(d.language) {
                "shares the child's language".into()
            } else {
                "shares none of the child's languages".into()
            },
        );
    }
    items.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()).then(a.1.cmp(&b.1)));
    let pros: Vec<&str> = items
        .iter()
        .filter(|i| i.0 < 0.0)
        .take(2)
        .map(|i| i.1.as_str())
        .collect();
    let cons: Vec<&str> = items
        .iter()
        .filter(|i| i.0 > 0.0)
        .take(3)
        .map(|i| i.1.as_str())
        .collect();
    let name = home_name(inst, alt);
    let mut s = match (pros.is_empty(), cons.is_empty()) {
        (false, false) => format!("{name} {} but {}", predicates(&pros), predicates(&cons)),
        (true, false) => format!("{name} {}", predicates(&cons)),
        (false, true) => format!("{name} {}", predicates(&pros)),
        (true, true) => format!("{name} costs the same for {}", c.id),
    };
    // The rest of the regret falls on the batch: other children moved, block beds or discounts.
    if knock_on >= 0.5 {
        s.push_str(&format!(
            ", and the rest of the batch's cost score would rise by {} a week",
            score(knock_on.abs())
        ));
    } else if knock_on <= -0.5 {
        s.push_str(&format!(
            ", partly offset by the rest of the batch's cost score falling by {} a week",
            score(knock_on.abs())
        ));
    }
    if exact {
        s.push_str(&format!(" (regret {} a week, score).", score(regret.abs())));
    } else if lower >= 0.0 && regret >= 0.0 {
        s.push_str(&format!(
            " (regret {}–{} a week, score: {stopped} before it could prove which).",
            score(lower),
            score(regret)
        ));
    } else if regret >= 0.0 {
        s.push_str(&format!(
            " (regret at most {} a week, score: {stopped} before it could re-arrange the rest of the batch).",
            score(regret.abs())
        ));
    } else {
        s.push_str(&format!(
            " (moving here would save the batch {} a week of score: {stopped} before it found this).",
            score(regret.abs())
        ));
    }
    s
}

/// Joins predicates, saying "is" once per run: "is cheaper, nearer and out of area".
fn predicates(parts: &[&str]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut prev_is = false;
    for p in parts {
        let is = p.starts_with("is ");
        out.push(if is && prev_is {
            p[3..].to_string()
        } else {
            p.to_string()
        });
        prev_is = is;
    }
    let refs: Vec<&str> = out.iter().map(String::as_str).collect();
    join(&refs)
}

fn join(parts: &[&str]) -> String {
    match parts.len() {
        0 => String::new(),
        1 => parts[0].to_string(),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}
