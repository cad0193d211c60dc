//! `solve --since EARLIER`: what changed from an earlier result, child by child, and why —
//! a refusal, an acceptance, a hold, an offer, a vacancy gone or new, or other children's moves —
//! as a structured list and a sentence each. Built from the earlier result, this batch and
//! this result alone, so every reason names something the broker can see in the files.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::errors::{ErrorCode, InvalidInput, Issue};
use crate::input::batch::DecisionKind;
use crate::pair::instance::Instance;
use crate::result::format::{MatchResult, RESULT_FORMAT};

/// What happened to one child since the earlier result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Placed at another home than before.
    Moved,
    /// Placed now, unplaced before.
    Placed,
    /// Unplaced now, placed before.
    Unplaced,
    /// At the same home, now accepted by the provider (settled).
    Settled,
    /// Not in the earlier result (a new referral).
    New,
    /// In the earlier result, not in this batch.
    Left,
}

/// What caused a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CauseKind {
    /// The earlier home declined the child.
    Declined,
    /// A provider accepted the child.
    Accepted,
    /// The earlier home now keeps its beds for other children (a hold).
    Held,
    /// A provider offered its own price for the child at the new home.
    Offer,
    /// The earlier home is no longer in the batch, or its beds are taken by accepted children.
    VacancyRemoved,
    /// The new home was not in the earlier run, or has more free beds than it had then.
    NewVacancy,
    /// Other children moved into the earlier home, or out of the new one.
    OtherChildren,
    /// The child is a new referral.
    NewReferral,
    /// The child is no longer in the batch.
    Withdrawn,
    /// Nothing above: the batch changed elsewhere (prices, rules, other referrals).
    Elsewhere,
}

/// One cause of a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cause {
    /// What kind of cause.
    pub kind: CauseKind,
    /// The home it concerns, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home: Option<String>,
    /// The other children it concerns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<String>,
    /// In words.
    pub detail: String,
}

/// One child's change since the earlier result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// Child id.
    pub child: String,
    /// Where the earlier result placed the child (none: unplaced or not there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_home: Option<String>,
    /// Where this result places the child (none: unplaced or not in the batch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_home: Option<String>,
    /// What happened.
    pub kind: ChangeKind,
    /// Why, most direct cause first.
    pub reasons: Vec<Cause>,
    /// One sentence.
    pub why: String,
}

/// Reads an earlier result for `--since`: a `placematch/result@1` document, or a clear E1721.
pub fn read_earlier(text: &str, source_name: &str) -> Result<MatchResult, InvalidInput> {
    let fail = |message: String| InvalidInput {
        source_name: source_name.to_string(),
        issues: vec![Issue::new("--since", ErrorCode::NotAResult, message)],
    };
    let value = crate::input::read::parse_json(text).map_err(|i| fail(format!("not a result: {}", i.message)))?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(RESULT_FORMAT) => {}
        Some(other) => {
            let what = crate::input::read::DOCUMENTS
                .iter()
                .find(|(f, _)| *f == other)
                .map_or_else(
                    || format!("format \"{}\"", crate::input::read::shorten(other, 40)),
                    |(_, w)| (*w).to_string(),
                );
            return Err(fail(format!("this file is {what}, not a result written by `solve`")));
        }
        None => {
            return Err(fail(
                "this file has no `format`; it is not a result written by `solve`".into(),
            ))
        }
    }
    serde_json::from_value(value).map_err(|e| fail(format!("the result cannot be read: {e}")))
}

/// The changes from `before` to `now` (this batch's result), by child id.
pub fn changes(inst: &Instance, now: &MatchResult, before: &MatchResult) -> Vec<Change> {
    let b = &inst.batch;
    let placed = |r: &MatchResult| -> BTreeMap<String, String> {
        r.placements.iter().map(|p| (p.child.clone(), p.home.clone())).collect()
    };
    let (was, is) = (placed(before), placed(now));
    let known: BTreeSet<&str> = before
        .placements
        .iter()
        .map(|p| p.child.as_str())
        .chain(before.unplaced.iter().map(|u| u.child.as_str()))
        .collect();
    let homes = inst.home_index();
    let children = inst.child_index();
    // Free beds per home in the earlier run, where it recorded them (older results did not).
    let beds_before: Option<BTreeMap<&str, i64>> = before
        .vacancies
        .as_ref()
        .map(|v| v.iter().map(|(h, &n)| (h.as_str(), n)).collect());
    let groups = crate::pair::answers::kept_groups(b);
    // Who sits at each home, before and now.
    let at = |m: &BTreeMap<String, String>| {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (c, h) in m {
            out.entry(h.clone()).or_default().push(c.clone());
        }
        out
    };
    let (was_at, is_at) = (at(&was), at(&is));
    let mut ids: BTreeSet<&str> = b.children.iter().map(|c| c.id.as_str()).collect();
    ids.extend(known.iter().copied());
    let mut out = Vec::new();
    for id in ids {
        let (from, to) = (was.get(id).cloned(), is.get(id).cloned());
        let c = children.get(id).copied();
        let accepted = c.and_then(|c| inst.answers.accepted[c]);
        let kind = match (c, known.contains(id), &from, &to) {
            (None, ..) => ChangeKind::Left,
            (_, false, ..) => ChangeKind::New,
            (_, _, Some(f), Some(t)) if f == t => match accepted {
                Some(_) => ChangeKind::Settled,
                None => continue,
            },
            (_, _, None, None) => continue,
            (_, _, Some(_), Some(_)) => ChangeKind::Moved,
            (_, _, None, Some(_)) => ChangeKind::Placed,
            (_, _, Some(_), None) => ChangeKind::Unplaced,
        };
        let mut reasons = Vec::new();
        let cause = |kind, home: Option<&str>, children: Vec<String>, detail: String| Cause {
            kind,
            home: home.map(str::to_string),
            children,
            detail,
        };
        match (kind, c) {
            (ChangeKind::Left, _) => reasons.push(cause(
                CauseKind::Withdrawn,
                None,
                Vec::new(),
                format!("{id} is not in this batch"),
            )),
            (ChangeKind::New, _) => reasons.push(cause(
                CauseKind::NewReferral,
                None,
                Vec::new(),
                format!("{id} is a new referral"),
            )),
            _ => {}
        }
        if let Some(c) = c {
            // Causes at the earlier home: why the child left it.
            if let (Some(f), true) = (from.as_deref(), from != to) {
                match homes.get(f).copied() {
                    None => reasons.push(cause(
                        CauseKind::VacancyRemoved,
                        Some(f),
                        Vec::new(),
                        format!("{f}'s vacancy is no longer in the batch"),
                    )),
                    Some(h) => {
                        // A refusal of a kept-together sibling moves the whole group.
                        for &m in &groups[c] {
                            if inst.answers.declined(m, h) {
                                let mut said = refusal_of(inst, m, f).unwrap_or_else(|| format!("declined by {f}"));
                                let mut who = Vec::new();
                                if m != c {
                                    said = format!("{said} (for {id}'s sibling {})", b.children[m].id);
                                    who.push(b.children[m].id.clone());
                                }
                                reasons.push(cause(CauseKind::Declined, Some(f), who, said));
                            }
                        }
                        if inst.answers.held_for_others(c, h) {
                            let holders: Vec<String> = inst.answers.holders[h]
                                .iter()
                                .map(|&x| b.children[x].id.clone())
                                .collect();
                            let detail = format!("{f} keeps its beds for {}", holders.join(", "));
                            reasons.push(cause(CauseKind::Held, Some(f), holders, detail));
                        }
                        let newcomers: Vec<String> = is_at
                            .get(f)
                            .into_iter()
                            .flatten()
                            .filter(|x| !was_at.get(f).is_some_and(|w| w.contains(x)))
                            .cloned()
                            .collect();
                        if !newcomers.is_empty() && reasons.is_empty() {
                            let detail = format!("{f} now takes {}", newcomers.join(", "));
                            reasons.push(cause(CauseKind::OtherChildren, Some(f), newcomers, detail));
                        }
                    }
                }
            }
            // Causes at the new home: why the child goes there.
            if let Some(t) = to.as_deref() {
                if let Some(h) = homes.get(t).copied() {
                    if accepted == Some(h) {
                        let detail =
                            answer_of(inst, c, t, DecisionKind::Accepted).unwrap_or_else(|| format!("accepted by {t}"));
                        reasons.push(cause(CauseKind::Accepted, Some(t), Vec::new(), detail));
                    }
                    if let Some(price) = inst.answers.offer(c, h) {
                        let list = b.homes[h].weekly_price;
                        let detail = format!(
                            "{t} offered {} a week for {id} (list price {})",
                            crate::support::money::pounds(price),
                            crate::support::money::pounds(list)
                        );
                        reasons.push(cause(CauseKind::Offer, Some(t), Vec::new(), detail));
                    }
                    if let (Some(beds), true) = (&beds_before, matches!(kind, ChangeKind::Moved | ChangeKind::Placed)) {
                        let now = b.homes[h].vacancies;
                        let detail = match beds.get(t) {
                            None => Some(format!("a new vacancy at {t} (not in the earlier run)")),
                            Some(&then) if now > then => {
                                Some(format!("a new vacancy at {t} ({now} free beds, {then} before)"))
                            }
                            Some(_) => None,
                        };
                        if let Some(detail) = detail {
                            reasons.push(cause(CauseKind::NewVacancy, Some(t), Vec::new(), detail));
                        }
                    }
                    let leavers: Vec<String> = was_at
                        .get(t)
                        .into_iter()
                        .flatten()
                        .filter(|x| x.as_str() != id && is.get(x.as_str()) != Some(&t.to_string()))
                        .cloned()
                        .collect();
                    if !leavers.is_empty() && kind != ChangeKind::Settled {
                        let detail = format!("{t} was freed when {} moved", leavers.join(", "));
                        reasons.push(cause(CauseKind::OtherChildren, Some(t), leavers, detail));
                    }
                }
            }
            if let (ChangeKind::Unplaced, Some(f)) = (kind, from.as_deref()) {
                if reasons.is_empty() {
                    let detail = format!("{f} went to other children");
                    reasons.push(cause(CauseKind::OtherChildren, Some(f), Vec::new(), detail));
                }
            }
        }
        if reasons.is_empty() {
            reasons.push(cause(
                CauseKind::Elsewhere,
                None,
                Vec::new(),
                "the batch changed elsewhere (other referrals, vacancies, prices or rules)".into(),
            ));
        }
        let why = sentence(id, kind, from.as_deref(), to.as_deref(), &reasons);
        out.push(Change {
            child: id.to_string(),
            from_home: from,
            to_home: to,
            kind,
            reasons,
            why,
        });
    }
    out
}

fn sentence(id: &str, kind: ChangeKind, from: Option<&str>, to: Option<&str>, reasons: &[Cause]) -> String {
    let what = match (kind, from, to) {
        (ChangeKind::Moved, Some(f), Some(t)) => format!("{id} moves from {f} to {t}"),
        (ChangeKind::Placed, _, Some(t)) => format!("{id} is now placed at {t}"),
        (ChangeKind::Unplaced, Some(f), _) => format!("{id} is no longer placed (was {f})"),
        (ChangeKind::Settled, _, Some(t)) => format!("{id} stays at {t}, now settled"),
        (ChangeKind::New, _, Some(t)) => format!("{id} is new and placed at {t}"),
        (ChangeKind::New, ..) => format!("{id} is new and not placed"),
        (ChangeKind::Left, ..) => format!("{id} has left the batch"),
        _ => id.to_string(),
    };
    let causes: Vec<&str> = reasons.iter().map(|r| r.detail.as_str()).collect();
    format!("{what}: {}.", causes.join("; "))
}

/// The refusal of `child` by `home` in words (as an unplaced child's explanation says it).
fn refusal_of(inst: &Instance, child: usize, home: &str) -> Option<String> {
    crate::pair::answers::refusals(inst, child)
        .into_iter()
        .find(|s| s.contains(&format!("({home})")))
}

/// An acceptance or hold in words: `accepted by Beechwood (WSX-H40) on 22 Nov 14:20: reason`.
fn answer_of(inst: &Instance, child: usize, home: &str, kind: DecisionKind) -> Option<String> {
    let b = &inst.batch;
    let d = b
        .decisions
        .iter()
        .find(|d| d.decision == kind && d.home == home && d.child == b.children[child].id)?;
    let h = b.homes.iter().position(|x| x.id == home)?;
    let p = &b.providers[inst.homes[h].provider];
    let year = b
        .as_of
        .as_deref()
        .and_then(crate::input::answers::parse_date)
        .map(|d| d.0);
    let mut s = format!("{} by {} ({home})", kind.name(), p.name.as_deref().unwrap_or(&p.id));
    if let Some(t) =
        d.at.as_deref()
            .and_then(|t| crate::input::answers::spoken_time(t, year))
    {
        s.push_str(&format!(" on {t}"));
    }
    if let Some(r) = d.reason.as_deref().filter(|r| !r.trim().is_empty()) {
        s.push_str(&format!(": {}", r.trim()));
    }
    Some(s)
}
