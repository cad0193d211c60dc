//! Providers' answers in a batch — `offers` (a price for one child at one home) and
//! `decisions` (accepted, declined, held) — and the rules they must meet on their own: the
//! child and home exist, one offer and one decision per pair, a price above £0 and within
//! range, a readable `at`, one acceptance per child. The rules that need the batch located
//! (an accepted pair must be eligible, beds and admissions must not be overcommitted) are in
//! `pair::answers`.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::errors::{ErrorCode, Issue};
use crate::input::batch::{Batch, DecisionKind};
use crate::input::rules::{within, Range};

/// The answers' own rules, each problem at `offers[i]…` or `decisions[i]…`. `offer_pos` and
/// `decision_pos` are the records' places in the document (see `read::Partial`).
pub fn answer_rules(b: &Batch, offer_pos: &[usize], decision_pos: &[usize], out: &mut Vec<Issue>) {
    let children: HashSet<&str> = b.children.iter().map(|c| c.id.as_str()).collect();
    let homes: HashMap<&str, usize> = b.homes.iter().enumerate().map(|(i, h)| (h.id.as_str(), i)).collect();
    let path = |kind: &str, pos: &[usize], i: usize| format!("{kind}[{}]", pos.get(i).copied().unwrap_or(i));
    let known = |at: &str, child: &str, home: &str, out: &mut Vec<Issue>| {
        if !children.contains(child) {
            out.push(Issue::new(
                format!("{at}.child"),
                ErrorCode::AnswerUnknownChild,
                format!(
                    "child \"{}\" is not in `children`",
                    crate::input::read::shorten(child, 64)
                ),
            ));
        }
        if !homes.contains_key(home) {
            out.push(Issue::new(
                format!("{at}.home"),
                ErrorCode::AnswerUnknownHome,
                format!("home \"{}\" is not in `homes`", crate::input::read::shorten(home, 64)),
            ));
        }
    };

    let mut offered: HashMap<(&str, &str), String> = HashMap::new();
    for (i, o) in b.offers.iter().enumerate() {
        let at = path("offers", offer_pos, i);
        known(&at, &o.child, &o.home, out);
        if o.weekly_price == 0.0 {
            out.push(Issue::new(
                format!("{at}.weekly_price"),
                ErrorCode::ZeroPrice,
                "the offered weekly price is £0",
            ));
        } else {
            within(o.weekly_price, Range::PoundsAWeek, &format!("{at}.weekly_price"), out);
        }
        if let Some(&h) = homes.get(o.home.as_str()) {
            if b.homes[h].block_vacancies > 0 {
                out.push(Issue::new(
                    format!("{at}.home"),
                    ErrorCode::OfferOnBlockHome,
                    format!(
                        "home {} has {} block-contract bed(s), paid at the contract price",
                        o.home, b.homes[h].block_vacancies
                    ),
                ));
            }
        }
        match offered.get(&(o.child.as_str(), o.home.as_str())) {
            Some(first) => out.push(Issue::new(
                at.clone(),
                ErrorCode::DuplicateOffer,
                format!("{} already has an offer at {} ({first})", o.child, o.home),
            )),
            None => {
                offered.insert((o.child.as_str(), o.home.as_str()), at.clone());
            }
        }
    }

    let mut decided: HashMap<(&str, &str), String> = HashMap::new();
    // Per child: (kind, home, path) of its acceptances and holds, in document order.
    let mut settled: BTreeMap<&str, Vec<(DecisionKind, &str, String)>> = BTreeMap::new();
    for (i, d) in b.decisions.iter().enumerate() {
        let at = path("decisions", decision_pos, i);
        known(&at, &d.child, &d.home, out);
        if let Some(t) = &d.at {
            if parse_time(t).is_none() {
                out.push(Issue::new(
                    format!("{at}.at"),
                    ErrorCode::UnreadableTime,
                    format!(
                        "\"{}\" is not a date or a date and time",
                        crate::input::read::shorten(t, 40)
                    ),
                ));
            }
        }
        match decided.get(&(d.child.as_str(), d.home.as_str())) {
            Some(first) => out.push(Issue::new(
                at.clone(),
                ErrorCode::DuplicateDecision,
                format!("{} already has a decision at {} ({first})", d.child, d.home),
            )),
            None => {
                decided.insert((d.child.as_str(), d.home.as_str()), at.clone());
            }
        }
        if d.decision != DecisionKind::Declined {
            settled
                .entry(d.child.as_str())
                .or_default()
                .push((d.decision, d.home.as_str(), at));
        }
    }
    for (child, list) in settled {
        let accepted: Vec<&(DecisionKind, &str, String)> =
            list.iter().filter(|x| x.0 == DecisionKind::Accepted).collect();
        let Some(first) = accepted.first() else {
            continue;
        };
        for other in accepted.iter().skip(1).filter(|x| x.1 != first.1) {
            out.push(Issue::new(
                format!("{}.decision", other.2),
                ErrorCode::AcceptedTwice,
                format!("{child} is already accepted at {} ({})", first.1, first.2),
            ));
        }
        for held in list.iter().filter(|x| x.0 == DecisionKind::Held) {
            out.push(Issue::new(
                format!("{}.decision", held.2),
                ErrorCode::ContradictoryDecisions,
                format!(
                    "{child} is accepted at {} ({}), so no bed can be held for it at {}",
                    first.1, first.2, held.1
                ),
            ));
        }
    }
}

/// A decision time read: (year, month, day, hour, minute), from `YYYY-MM-DD` or
/// `YYYY-MM-DDTHH:MM[:SS][.fff][Z|±HH:MM]` (a space may stand for the `T`). The date must
/// exist (no 31 November).
pub fn parse_time(s: &str) -> Option<(i32, u32, u32, u32, u32)> {
    let s = s.trim();
    let (date, time) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (y, m, d) = parse_date(date)?;
    let (hh, mm) = match time {
        None => (0, 0),
        Some(t) => {
            // Drop the zone: `Z` or `+HH:MM` / `-HH:MM` after the time.
            let t = t.strip_suffix('Z').unwrap_or(t);
            let t = match t.rfind(['+', '-']) {
                Some(i) if i >= 5 => {
                    let zone = &t[i + 1..];
                    let ok = zone.len() == 5
                        && zone.as_bytes()[2] == b':'
                        && zone.replace(':', "").bytes().all(|c| c.is_ascii_digit());
                    if !ok {
                        return None;
                    }
                    &t[..i]
                }
                _ => t,
            };
            let mut parts = t.split(':');
            let hh: u32 = two_digits(parts.next()?)?;
            let mm: u32 = two_digits(parts.next()?)?;
            if let Some(sec) = parts.next() {
                let whole = sec.split('.').next()?;
                if two_digits(whole)? > 59
                    || sec
                        .split('.')
                        .nth(1)
                        .is_some_and(|f| f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit()))
                {
                    return None;
                }
            }
            if parts.next().is_some() || hh > 23 || mm > 59 {
                return None;
            }
            (hh, mm)
        }
    };
    Some((y, m, d, hh, mm))
}

fn two_digits(s: &str) -> Option<u32> {
    (s.len() == 2 && s.bytes().all(|c| c.is_ascii_digit())).then(|| s.parse().ok())?
}

/// `YYYY-MM-DD` as (year, month, day), when the day exists.
pub fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = s[..4].parse().ok()?;
    let m: u32 = two_digits(&s[5..7])?;
    let d: u32 = two_digits(&s[8..10])?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (s[..4].bytes().all(|c| c.is_ascii_digit()) && (1..=days).contains(&d)).then_some((y, m, d))
}

/// A decision's time as an explanation says it: `7 Dec`, or `7 Dec 2025` when `year` differs
/// from the batch's year (or the batch has none), and the time when one was given (`7 Dec 14:30`).
pub fn spoken_time(s: &str, batch_year: Option<i32>) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, m, d, hh, mm) = parse_time(s)?;
    let mut out = format!("{d} {}", MONTHS[m as usize - 1]);
    if batch_year != Some(y) {
        out.push_str(&format!(" {y}"));
    }
    if s.trim().len() > 10 {
        out.push_str(&format!(" {hh:02}:{mm:02}"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_strictly() {
        assert_eq!(parse_time("2026-12-07"), Some((2026, 12, 7, 0, 0)));
        assert_eq!(parse_time("2026-12-07T14:30"), Some((2026, 12, 7, 14, 30)));
        assert_eq!(parse_time("2026-12-07T14:30:05Z"), Some((2026, 12, 7, 14, 30)));
        assert_eq!(parse_time("2026-12-07 14:30:05.25+01:00"), Some((2026, 12, 7, 14, 30)));
        for bad in [
            "07/12/2026",
            "2026-11-31",
            "2026-12-07T25:00",
            "2026-12-07T14",
            "yesterday",
            "2026-12-7",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
        assert_eq!(spoken_time("2026-12-07", Some(2026)).as_deref(), Some("7 Dec"));
        assert_eq!(
            spoken_time("2026-12-07T09:05", None).as_deref(),
            Some("7 Dec 2026 09:05")
        );
    }
}
