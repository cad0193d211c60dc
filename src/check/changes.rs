//! The `changes` of a result made with `--since`: each names a child of the batch (or one that
//! left it), its `to_home` is where this result places it, and a child said to be settled is
//! accepted at that home. (Where the earlier result placed it is that file's claim, not this
//! batch's, so `from_home` is not judged here.)

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
}
