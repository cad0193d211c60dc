//! Step 1, **read**: text to typed records, collecting every syntax, type and
//! unknown-field problem at once instead of stopping at the first.
//!
//! The document is parsed to a JSON value first (so malformed JSON reports its
//! line and column), then each record is deserialised on its own, so one bad child
//! does not hide the problems of the next.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::errors::{ErrorCode, InvalidInput, Issue};
use crate::input::batch::{Batch, BATCH_FORMAT};
use crate::input::policy::PolicyInput;

/// Parses JSON text, reporting malformed JSON with its line and column, a spreadsheet export
/// given instead of JSON, and a key given twice in one object (JSON parsers keep the last
/// value silently; placematch refuses to guess which was meant). A UTF-8 byte-order mark, as
/// spreadsheet programs write, is read and ignored.
pub fn parse_json(text: &str) -> Result<Value, Issue> {
    let text = strip_bom(text);
    let value: Value = serde_json::from_str(text).map_err(|e| {
        looks_like_csv(text).unwrap_or_else(|| {
            Issue::new(
                "",
                ErrorCode::MalformedJson,
                format!(
                    "{} (line {}, column {})",
                    strip_position(&e.to_string()),
                    e.line(),
                    e.column()
                ),
            )
        })
    })?;
    match first_duplicate_key(text) {
        Some(issue) => Err(issue),
        None => Ok(value),
    }
}

/// `text` without a leading UTF-8 byte-order mark.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// An issue naming CSV when the first line reads like a spreadsheet's header row rather than JSON.
fn looks_like_csv(text: &str) -> Option<Issue> {
    let first = text.trim_start().lines().next()?;
    let starts_json = first.starts_with('{') || first.starts_with('[');
    let cells = first.split([',', '\t', ';']).count();
    (!starts_json && cells >= 3).then(|| {
        Issue::new(
            "",
            ErrorCode::NotJson,
            "this looks like a spreadsheet export (comma- or tab-separated columns), not JSON",
        )
    })
}

/// The first key that appears twice in one object, as an issue at its path.
pub fn first_duplicate_key(text: &str) -> Option<Issue> {
    let found = std::cell::RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    // Malformed text was reported by the parse already; only duplicates matter here.
    let _ = DupSeed {
        at: &Seg::Root,
        found: &found,
    }
    .deserialize(&mut de);
    found.into_inner()
}

/// Where a value sits, as a chain up to the root (built only when a duplicate is found).
enum Seg<'a> {
    Root,
    Key(&'a Seg<'a>, &'a str),
    Index(&'a Seg<'a>, usize),
}

impl Seg<'_> {
    fn path(&self) -> String {
        match self {
            Seg::Root => String::new(),
            Seg::Key(parent, k) => join_path(&parent.path(), k),
            Seg::Index(parent, i) => format!("{}[{i}]", parent.path()),
        }
    }
}

/// Walks a JSON document checking every object's keys, keeping nothing.
struct DupSeed<'a> {
    at: &'a Seg<'a>,
    found: &'a std::cell::RefCell<Option<Issue>>,
}

impl<'de> DeserializeSeed<'de> for DupSeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// A key, borrowed from the text where it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
}

impl<'de> Visitor<'de> for DupSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys: Vec<Cow<'de, str>> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            // Objects are small (a record's fields): a scan, until one is not.
            let repeated = if keys.len() < 32 {
                keys.contains(&key)
            } else {
                if seen.is_empty() {
                    seen.extend(keys.iter().cloned());
                }
                !seen.insert(key.clone())
            };
            if repeated && self.found.borrow().is_none() {
                let path = join_path(&self.at.path(), &key);
                *self.found.borrow_mut() = Some(Issue::new(
                    path,
                    ErrorCode::DuplicateKey,
                    format!("`{}` is given more than once in one object", shorten(&key, 40)),
                ));
            }
            map.next_value_seed(DupSeed {
                at: &Seg::Key(self.at, &key),
                found: self.found,
            })?;
            keys.push(key);
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while seq
            .next_element_seed(DupSeed {
                at: &Seg::Index(self.at, i),
                found: self.found,
            })?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// At most `n` characters of `s`, with an ellipsis when cut: errors never echo a huge value.
pub fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() > n {
        s.chars().take(n).chain(['…']).collect()
    } else {
        s.to_string()
    }
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Deserialises one value as `T`, turning a serde error into an issue at `base` + inner path.
pub fn typed<T: DeserializeOwned>(value: &Value, base: &str) -> Result<T, Issue> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let mut inner = e.path().to_string();
        // serde_path_to_error cannot name a map's key when the key is an enum (needs, support,
        // penalties by rating): it writes `?`. Name the entry whose value is not a number.
        if let Some(parent) = inner.strip_suffix(".?") {
            if let Some(key) = non_numeric_key(value, parent) {
                inner = format!("{parent}.{key}");
            }
        }
        let path = join_path(base, if inner == "." { "" } else { &inner });
        let msg = strip_position(&e.inner().to_string());
        classify(path, msg)
    })
}

/// Like [`typed`], but reports every problem rather than the first: after each error the
/// offending field is set aside and the rest read again. For documents whose fields are all
/// optional (a policy), where a field set aside cannot make another one wrong.
pub fn typed_all<T: DeserializeOwned>(value: &Value, base: &str) -> Result<T, Vec<Issue>> {
    let mut rest = value.clone();
    let mut issues: Vec<Issue> = Vec::new();
    // Each round removes one field, so the rounds are bounded by the document's size.
    loop {
        let issue = match typed::<T>(&rest, base) {
            Ok(v) if issues.is_empty() => return Ok(v),
            Ok(_) => return Err(issues),
            Err(i) => i,
        };
        let inner = issue
            .path
            .strip_prefix(base)
            .unwrap_or(&issue.path)
            .trim_start_matches('.')
            .to_string();
        let removed = issue.code != ErrorCode::MissingField && remove_at(&mut rest, &inner);
        issues.push(issue);
        if !removed {
            return Err(issues);
        }
    }
}

/// Removes the object field at a dotted `path` (with `[i]` indexes on the way); false when
/// there is no such field.
fn remove_at(value: &mut Value, path: &str) -> bool {
    let mut segs: Vec<&str> = path.split('.').filter(|s| !s.is_empty()).collect();
    let Some(last) = segs.pop() else { return false };
    if last.contains('[') {
        return false;
    }
    let mut v = value;
    for seg in segs {
        let (name, rest) = seg.split_once('[').unwrap_or((seg, ""));
        if !name.is_empty() {
            let Some(next) = v.get_mut(name) else { return false };
            v = next;
        }
        for ix in rest.split('[').filter(|s| !s.is_empty()) {
            let Some(next) = ix
                .trim_end_matches(']')
                .parse::<usize>()
                .ok()
                .and_then(|i| v.get_mut(i))
            else {
                return false;
            };
            v = next;
        }
    }
    v.as_object_mut().is_some_and(|m| m.remove(last).is_some())
}

/// The first key of the object at `path` (dotted, with `[i]` indexes) whose value is not a number.
fn non_numeric_key(value: &Value, path: &str) -> Option<String> {
    let mut v = value;
    for seg in path.split('.').filter(|s| !s.is_empty()) {
        let (name, rest) = seg.split_once('[').unwrap_or((seg, ""));
        if !name.is_empty() {
            v = v.get(name)?;
        }
        for ix in rest.split('[').filter(|s| !s.is_empty()) {
            v = v.get(ix.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
    }
    let (k, _) = v.as_object()?.iter().find(|(_, x)| !x.is_number())?;
    Some(shorten(k, 40))
}

fn join_path(base: &str, inner: &str) -> String {
    match (base.is_empty(), inner.is_empty()) {
        (true, _) => inner.to_string(),
        (false, true) => base.to_string(),
        (false, false) if inner.starts_with('[') => format!("{base}{inner}"),
        (false, false) => format!("{base}.{inner}"),
    }
}

/// An unknown field at `path`: a likely typo gets its meaning ("did you mean `name`?") rather
/// than the whole list of fields, which is given only when nothing is close.
pub fn unknown_field(path: &str, name: &str, known: &[&str]) -> Issue {
    let message = match crate::support::words::closest(name, known.iter().copied()) {
        Some(m) => format!("unknown field `{name}`: did you mean `{m}`?"),
        None => format!(
            "unknown field `{name}`, expected one of {}",
            known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        ),
    };
    Issue::new(path, ErrorCode::UnknownField, message)
}

/// serde reports every data error as a message; its wording is stable, so the
/// message decides the code (and the path points at the offending field).
fn classify(mut path: String, msg: String) -> Issue {
    let name = msg.split('`').nth(1).unwrap_or("").to_string();
    // serde_path_to_error marks an unreadable map key with `?`: name the key instead.
    if path.ends_with('?') && !name.is_empty() {
        path = format!("{}{name}", &path[..path.len() - 1]);
    }
    let code = if msg.starts_with("unknown field") {
        if !name.is_empty() && !path.ends_with(&name) {
            path = join_path(&path, &name);
        }
        if let Some((_, list)) = msg.split_once("expected one of ") {
            let known: Vec<&str> = list.split(", ").map(|f| f.trim_matches('`')).collect();
            return unknown_field(&path, &name, &known);
        }
        ErrorCode::UnknownField
    } else if msg.starts_with("missing field") {
        if !name.is_empty() {
            path = join_path(&path, &name);
        }
        ErrorCode::MissingField
    } else if msg.starts_with("unknown variant") {
        ErrorCode::UnknownValue
    } else if msg.contains("out of range") || msg.contains("NaN") || msg.contains("infinite") {
        ErrorCode::NegativeValue
    } else {
        // Including "data did not match any variant": a value of the wrong shape.
        ErrorCode::WrongType
    };
    Issue::new(path, code, msg)
}

/// A batch as far as it could be read: the records that parsed, where each sat in
/// the document (so later checks name the right `children[i]`), and the problems so far.
#[derive(Debug, Clone)]
pub struct Partial {
    /// Records that parsed.
    pub batch: Batch,
    /// Problems found while reading.
    pub issues: Vec<Issue>,
    /// Original array position of each parsed provider.
    pub provider_pos: Vec<usize>,
    /// Original array position of each parsed home.
    pub home_pos: Vec<usize>,
    /// Original array position of each parsed child.
    pub child_pos: Vec<usize>,
    /// Original array position of each parsed offer.
    pub offer_pos: Vec<usize>,
    /// Original array position of each parsed decision.
    pub decision_pos: Vec<usize>,
}

/// Reads a batch document, collecting every structural problem.
/// Fails outright only when the text is not JSON or not an object.
pub fn parse_batch(text: &str) -> Result<Partial, Issue> {
    let text = strip_bom(text);
    // A well-formed batch deserialises straight from the text: building the JSON tree first
    // was most of reading daily-national (4 MB). Any error at all falls back to the tree, which
    // reads each record on its own and so collects every problem. serde refuses a struct's field
    // given twice, but a map (needs, support) keeps the last: the key scan catches both.
    if let Ok(batch) = serde_json::from_str::<Batch>(text) {
        if let Some(dup) = first_duplicate_key(text) {
            return Err(dup);
        }
        let every = |n: usize| (0..n).collect();
        return Ok(Partial {
            issues: wrong_format(&batch.format).into_iter().collect(),
            provider_pos: every(batch.providers.len()),
            home_pos: every(batch.homes.len()),
            child_pos: every(batch.children.len()),
            offer_pos: every(batch.offers.len()),
            decision_pos: every(batch.decisions.len()),
            batch,
        });
    }
    let value = parse_json(text)?;
    let Value::Object(map) = &value else {
        return Err(Issue::new("", ErrorCode::WrongType, "a batch is a JSON object"));
    };
    // Another placematch document: say what it is, rather than list its fields as unknown.
    if let Some(other) = map
        .get("format")
        .and_then(Value::as_str)
        .and_then(|f| other_document(f, BATCH_FORMAT))
    {
        return Err(other);
    }
    let (mut provider_pos, mut home_pos, mut child_pos) = (Vec::new(), Vec::new(), Vec::new());
    let (mut offer_pos, mut decision_pos) = (Vec::new(), Vec::new());
    let mut issues = Vec::new();
    let mut batch = Batch {
        format: String::new(),
        batch_id: None,
        as_of: None,
        policy: None,
        providers: Vec::new(),
        homes: Vec::new(),
        children: Vec::new(),
        offers: Vec::new(),
        decisions: Vec::new(),
    };
    for (key, v) in map {
        match key.as_str() {
            "format" => match typed::<String>(v, "format") {
                Ok(f) => batch.format = f,
                Err(e) => issues.push(e),
            },
            "batch_id" => collect(typed(v, "batch_id"), &mut batch.batch_id, &mut issues),
            "as_of" => collect(typed(v, "as_of"), &mut batch.as_of, &mut issues),
            "policy" => match typed_all::<Option<PolicyInput>>(v, "policy") {
                Ok(p) => batch.policy = p,
                Err(all) => issues.extend(all),
            },
            "providers" => batch.providers = records(v, "providers", &mut issues, &mut provider_pos),
            "homes" => batch.homes = records(v, "homes", &mut issues, &mut home_pos),
            "children" => batch.children = records(v, "children", &mut issues, &mut child_pos),
            "offers" => batch.offers = records(v, "offers", &mut issues, &mut offer_pos),
            "decisions" => batch.decisions = records(v, "decisions", &mut issues, &mut decision_pos),
            other => issues.push(unknown_field(
                other,
                other,
                &[
                    "format",
                    "batch_id",
                    "as_of",
                    "policy",
                    "providers",
                    "homes",
                    "children",
                    "offers",
                    "decisions",
                ],
            )),
        }
    }
    if !map.contains_key("format") {
        issues.insert(
            0,
            Issue::new(
                "format",
                ErrorCode::MissingField,
                format!("missing field `format` (expected \"{BATCH_FORMAT}\")"),
            ),
        );
    } else if let (Some(wrong), false) = (wrong_format(&batch.format), issues.iter().any(|i| i.path == "format")) {
        issues.insert(0, wrong);
    }
    Ok(Partial {
        batch,
        issues,
        provider_pos,
        home_pos,
        child_pos,
        offer_pos,
        decision_pos,
    })
}

/// Every document placematch reads or writes, by its `format`, with what it is and what reads it.
pub const DOCUMENTS: &[(&str, &str)] = &[
    (
        "placematch/batch@1",
        "a batch (read by `solve`, `validate`, `check`, `bench`)",
    ),
    (
        "placematch/result@1",
        "a result written by `solve` (read by `check` and `report`)",
    ),
    ("placematch/scenario@1", "a scenario (read by `simulate`)"),
    (
        "placematch/simulate@1",
        "a simulation written by `simulate --json` (read by `report`)",
    ),
    (
        "placematch/bench@1",
        "a rule comparison written by `bench --json` (read by `report`)",
    ),
    ("placematch/plan@1", "a plan (read by `plan`)"),
    (
        "placematch/plan-result@1",
        "a plan result written by `plan` (read by `report`)",
    ),
];

/// The issue of a document that is another of placematch's own kinds than `expected`.
pub fn other_document(format: &str, expected: &str) -> Option<Issue> {
    let (_, what) = DOCUMENTS.iter().find(|(f, _)| *f == format && *f != expected)?;
    let wanted = DOCUMENTS
        .iter()
        .find(|(f, _)| *f == expected)
        .map_or(expected.to_string(), |(_, w)| {
            w.split(" (").next().unwrap_or(w).to_string()
        });
    Some(Issue::new(
        "format",
        ErrorCode::WrongDocument,
        format!("this file is {what}, but this command reads {wanted} (\"{expected}\")"),
    ))
}

/// The issue of a batch whose `format` is not [`BATCH_FORMAT`].
fn wrong_format(format: &str) -> Option<Issue> {
    (format != BATCH_FORMAT).then(|| {
        other_document(format, BATCH_FORMAT).unwrap_or_else(|| {
            Issue::new(
                "format",
                ErrorCode::WrongFormat,
                format!("format is \"{}\", expected \"{BATCH_FORMAT}\"", shorten(format, 60)),
            )
        })
    })
}

fn collect<T>(r: Result<T, Issue>, dst: &mut T, issues: &mut Vec<Issue>) {
    match r {
        Ok(v) => *dst = v,
        Err(e) => issues.push(e),
    }
}

/// Deserialises every element of an array on its own, keeping the good ones and the
/// original position of each in `pos`.
pub fn records<T: DeserializeOwned>(v: &Value, name: &str, issues: &mut Vec<Issue>, pos: &mut Vec<usize>) -> Vec<T> {
    let Value::Array(items) = v else {
        issues.push(Issue::new(
            name,
            ErrorCode::WrongType,
            format!("`{name}` must be an array"),
        ));
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match typed::<T>(item, &format!("{name}[{i}]")) {
            Ok(r) => {
                out.push(r);
                pos.push(i);
            }
            Err(e) => issues.push(e),
        }
    }
    out
}

/// Reads a policy file (`--policy FILE`).
pub fn parse_policy(text: &str, source_name: &str) -> Result<PolicyInput, InvalidInput> {
    let fail = |issues: Vec<Issue>| InvalidInput {
        source_name: source_name.to_string(),
        issues,
    };
    let value = parse_json(text).map_err(|i| fail(vec![i]))?;
    typed_all::<PolicyInput>(&value, "").map_err(fail)
}
