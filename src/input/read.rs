//! Step 1, **read**: text to typed records, collecting every syntax, type and
//! unknown-field problem at once instead of stopping at the first.
//!
//! The document is parsed to a JSON value first (so malformed JSON reports its
//! line and column), then each record is deserialised on its own, so one bad child
//! does not hide the problems of the next.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::errors::{ErrorCode, InvalidInput, Issue};
use crate::input::batch::{Batch, BATCH_FORMAT};
use crate::input::policy::PolicyInput;

/// Parses JSON text, reporting malformed JSON with its line and column.
pub fn parse_json(text: &str) -> Result<Value, Issue> {
    serde_json::from_str(text).map_err(|e| {
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
        let inner = e.path().to_string();
        let path = join_path(base, if inner == "." { "" } else { &inner });
        let msg = strip_position(&e.inner().to_string());
        classify(path, msg)
    })
}

fn join_path(base: &str, inner: &str) -> String {
    match (base.is_empty(), inner.is_empty()) {
        (true, _) => inner.to_string(),
        (false, true) => base.to_string(),
        (false, false) if inner.starts_with('[') => format!("{base}{inner}"),
        (false, false) => format!("{base}.{inner}"),
    }
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
}

/// Reads a batch document, collecting every structural problem.
/// Fails outright only when the text is not JSON or not an object.
pub fn parse_batch(text: &str) -> Result<Partial, Issue> {
    // A well-formed batch deserialises straight from the text: building the JSON tree first
    // was most of reading daily-national (4 MB). Any error at all falls back to the tree, which
    // reads each record on its own and so collects every problem.
    if let Ok(batch) = serde_json::from_str::<Batch>(text) {
        let every = |n: usize| (0..n).collect();
        return Ok(Partial {
            issues: wrong_format(&batch.format).into_iter().collect(),
            provider_pos: every(batch.providers.len()),
            home_pos: every(batch.homes.len()),
            child_pos: every(batch.children.len()),
            batch,
        });
    }
    let value = parse_json(text)?;
    let Value::Object(map) = &value else {
        return Err(Issue::new("", ErrorCode::WrongType, "a batch is a JSON object"));
    };
    let (mut provider_pos, mut home_pos, mut child_pos) = (Vec::new(), Vec::new(), Vec::new());
    let mut issues = Vec::new();
    let mut batch = Batch {
        format: String::new(),
        batch_id: None,
        as_of: None,
        policy: None,
        providers: Vec::new(),
        homes: Vec::new(),
        children: Vec::new(),
    };
    for (key, v) in map {
        match key.as_str() {
            "format" => match typed::<String>(v, "format") {
                Ok(f) => batch.format = f,
                Err(e) => issues.push(e),
            },
            "batch_id" => collect(typed(v, "batch_id"), &mut batch.batch_id, &mut issues),
            "as_of" => collect(typed(v, "as_of"), &mut batch.as_of, &mut issues),
            "policy" => collect(typed::<Option<PolicyInput>>(v, "policy"), &mut batch.policy, &mut issues),
            "providers" => batch.providers = records(v, "providers", &mut issues, &mut provider_pos),
            "homes" => batch.homes = records(v, "homes", &mut issues, &mut home_pos),
            "children" => batch.children = records(v, "children", &mut issues, &mut child_pos),
            other => issues.push(Issue::new(
                other,
                ErrorCode::UnknownField,
                format!("unknown field `{other}`, expected one of `format`, `batch_id`, `as_of`, `policy`, `providers`, `homes`, `children`"),
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
    })
}

/// The issue of a batch whose `format` is not [`BATCH_FORMAT`].
fn wrong_format(format: &str) -> Option<Issue> {
    (format != BATCH_FORMAT).then(|| {
        Issue::new(
            "format",
            ErrorCode::WrongFormat,
            format!("format is \"{format}\", expected \"{BATCH_FORMAT}\""),
        )
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
    typed::<PolicyInput>(&value, "").map_err(|i| fail(vec![i]))
}
