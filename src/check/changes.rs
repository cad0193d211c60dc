//! The `changes` of a result made with `--since`: each names a child of the batch (or one that
//! left it), its `to_home` is where this result places it, and a child said to be settled is
//! accepted at that home. Where the earlier result placed it is that file's claim, not this
//! batch's: given that file (`check --since`), each `from_home` is held to it and every child
//! placed differently must have a change. The recorded `vacancies` are the batch's.

use super::Ground;
use crate::result::changes::ChangeKind;

/// Checks every change against the batch and the placements.
pub(super) fn verify(g: &Ground, p: &mut Vec<String>) {
    let placed: std::collections::HashMap<&str, &str> =
        g.r.placements
            .iter()
            .map(|x| (x.child.as_str(), x.home.as_str()))
            .collect();
    for c in &g.r.changes {
        let Some(&ci) = g.child_ix.get(c.child.as_str()) else {
            if c.kind != ChangeKind::Left {
                p.push(format!("change for {}: not a child of the batch", c.child));
            }
            continue;
        };
        if c.kind == ChangeKind::Left {
            p.push(format!(
                "change for {}: said to have left, but is in the batch",
                c.child
            ));
        }
        if c.to_home.as_deref() != placed.get(c.child.as_str()).copied() {
            p.push(format!(
                "change for {}: to_home {:?} but the result places it at {:?}",
                c.child,
                c.to_home,
                placed.get(c.child.as_str())
            ));
        }
        if c.kind == ChangeKind::Settled {
            let accepted = g.inst.answers.accepted[ci].map(|h| g.inst.batch.homes[h].id.as_str());
            if accepted.is_none() || accepted != c.to_home.as_deref() {
                p.push(format!(
                    "change for {}: settled, but not accepted at {:?}",
                    c.child, c.to_home
                ));
            }
        }
    }
    if let Some(before) = g.earlier {
        verify_against(g, before, &placed, p);
    }
    verify_vacancies(g, p);
}

/// `from_home` is where `before` placed each child, and no child whose home differs is left out.
fn verify_against(
    g: &Ground,
    before: &crate::result::format::MatchResult,
    placed: &std::collections::HashMap<&str, &str>,
    p: &mut Vec<String>,
) {
    let was: std::collections::HashMap<&str, &str> = before
        .placements
        .iter()
        .map(|x| (x.child.as_str(), x.home.as_str()))
        .collect();
    for c in &g.r.changes {
        let earlier = was.get(c.child.as_str()).copied();
        if c.from_home.as_deref() != earlier {
            p.push(format!(
                "change for {}: from_home {:?} but the earlier result placed it at {:?}",
                c.child, c.from_home, earlier
            ));
        }
    }
    let listed: std::collections::HashSet<&str> = g.r.changes.iter().map(|c| c.child.as_str()).collect();
    for ch in &g.inst.batch.children {
        let id = ch.id.as_str();
        let known = was.contains_key(id) || before.unplaced.iter().any(|u| u.child == id);
        if known && was.get(id) != placed.get(id) && !listed.contains(id) {
            p.push(format!(
                "{id} moved from {:?} to {:?} since the earlier result, but has no change",
                was.get(id),
                placed.get(id)
            ));
        }
    }
}

/// The recorded free beds are the batch's, for every home.
fn verify_vacancies(g: &Ground, p: &mut Vec<String>) {
    let Some(v) = &g.r.vacancies else {
        return;
    };
    let homes = &g.inst.batch.homes;
    let same = v.len() == homes.len() && homes.iter().all(|h| v.get(&h.id) == Some(&h.vacancies));
    if !same {
        p.push("vacancies: not the batch's homes and their free beds".to_string());
    }
}
