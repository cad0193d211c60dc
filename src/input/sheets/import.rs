//! Spreadsheet rows to a batch: each cell read by its column's kind, each problem at
//! `file:sheet:row N:column` with the validator's codes, then the whole batch validated as
//! JSON would be and its issues mapped back to the cell they came from.

use std::path::Path;

use serde_json::{Map, Value};

use crate::errors::{ErrorCode, InvalidInput, Issue};
use crate::input::batch::{Batch, Child, Decision, Home, Offer, Provider, BATCH_FORMAT};
use crate::input::read::{parse_batch, typed};
use crate::input::sheets::cells::{self, did_you_mean, norm_word, Cell, Date};
use crate::input::sheets::columns::{columns, Column, Kind, Sheet, Words};
use crate::input::sheets::table::{read_csv, read_workbook, Table};
use crate::input::validate::batch_rules;

/// Where each record of the batch came from: its table and spreadsheet row, per sheet.
#[derive(Debug, Default)]
struct Origins {
    tables: Vec<(Sheet, Table, Vec<Column>)>,
    /// (sheet, index into `tables`, rows of the records that were read, in batch order).
    rows: Vec<(Sheet, usize, Vec<usize>)>,
}

/// Reads `children`, `homes` and `providers` (and the optional `batch`: `batch_id`, `as_of`)
/// from a folder of CSV files (`children.csv`, …) or from the sheets of one workbook (.xlsx,
/// .ods, .xls), into a batch that passes the normal validation. Every problem is reported at
/// once, at `file:sheet:row N:column` (`children.csv:row 3:age` for CSV), with the codes of the
/// JSON validator plus E1701–E1705 for spreadsheet problems.
///
/// These are the rules of the batch as read; the rules that need it located (the answers'
/// cross-record rules) are a later layer's: [`import_checked`] runs them too.
pub fn import(path: &Path) -> Result<Batch, InvalidInput> {
    import_checked(path, None, |_| Vec::new())
}

/// [`import`] with `policy` set as the batch's own, then `later` run on the valid batch's JSON
/// (the located rules a later layer holds: `placematch import` passes the same load as
/// `validate`), each of its issues sent back to its cell where it names a record, else kept at
/// its JSON path. So a workbook that imports also validates.
pub fn import_checked(
    path: &Path,
    policy: Option<crate::input::policy::PolicyInput>,
    later: impl FnOnce(&str) -> Vec<Issue>,
) -> Result<Batch, InvalidInput> {
    let source_name = path.display().to_string();
    let fail = |issues: Vec<Issue>| InvalidInput {
        source_name: source_name.clone(),
        issues,
    };
    let tables = load(path).map_err(|i| fail(vec![i]))?;
    let mut issues = Vec::new();
    let shown = path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut origins = Origins::default();
    for (sheet, table) in Sheet::ALL.iter().zip(tables) {
        match table {
            Some(t) => origins.tables.push((*sheet, t, columns(*sheet))),
            None if sheet.required() => issues.push(Issue::new(
                shown.clone(),
                ErrorCode::MissingSheet,
                if path.is_dir() {
                    format!("no {}.csv in the folder", sheet.name())
                } else {
                    format!("no sheet named {} in the workbook", sheet.name())
                },
            )),
            None => {}
        }
    }
    let mut batch = Batch {
        format: BATCH_FORMAT.into(),
        batch_id: None,
        as_of: None,
        policy: None,
        providers: Vec::new(),
        homes: Vec::new(),
        children: Vec::new(),
        offers: Vec::new(),
        decisions: Vec::new(),
    };
    let mut as_of = None;
    for t in 0..origins.tables.len() {
        let (sheet, table, cols) = &origins.tables[t];
        let found = header(table, cols, &mut issues);
        let records = rows(table, cols, &found, as_of, &mut issues);
        match sheet {
            Sheet::Batch => {
                if records.len() > 1 {
                    issues.push(Issue::new(
                        at(table, records[1].0, ""),
                        ErrorCode::WrongType,
                        "the batch sheet has one row (batch_id, as_of) under its header",
                    ));
                }
                if let Some((_, rec)) = records.first() {
                    batch.batch_id = rec.get("batch_id").and_then(|v| v.as_str()).map(str::to_string);
                    batch.as_of = rec.get("as_of").and_then(|v| v.as_str()).map(str::to_string);
                    as_of = rec.get("as_of").and_then(|v| v.as_str()).and_then(parse_iso);
                }
            }
            _ => {
                let mut kept = Vec::new();
                for (row, rec) in records {
                    let value = Value::Object(rec);
                    let ok = match sheet {
                        Sheet::Providers => typed::<Provider>(&value, "").map(|r| batch.providers.push(r)),
                        Sheet::Homes => typed::<Home>(&value, "").map(|r| batch.homes.push(r)),
                        Sheet::Offers => typed::<Offer>(&value, "").map(|r| batch.offers.push(r)),
                        Sheet::Decisions => typed::<Decision>(&value, "").map(|r| batch.decisions.push(r)),
                        _ => typed::<Child>(&value, "").map(|r| batch.children.push(r)),
                    };
                    match ok {
                        Ok(()) => kept.push(row),
                        Err(e) => {
                            // A required column missing from the header was reported once, not per
                            // row, and a cell that could not be read is not reported again as missing.
                            let col = column_of(cols, &e.path).map_or("", |c| cols[c].name.as_str());
                            let path = at(table, row, col);
                            let whole = format!("{}:{col}", table.source);
                            if !issues.iter().any(|i| i.path == path || i.path == whole) {
                                issues.push(Issue::new(path, e.code, e.message));
                            }
                        }
                    }
                }
                origins.rows.push((*sheet, t, kept));
            }
        }
    }
    if !issues.is_empty() {
        return Err(fail(issues));
    }
    batch.policy = policy;
    // The batch is checked exactly as its JSON would be, and every issue sent back to its cell.
    let text = serde_json::to_string(&batch).expect("a batch serialises");
    let partial = parse_batch(&text).map_err(|i| fail(vec![i]))?;
    let mut found = partial.issues.clone();
    found.extend(batch_rules(&partial));
    if found.is_empty() {
        found = later(&text);
    }
    if !found.is_empty() {
        return Err(fail(found.into_iter().map(|i| origins.locate(i)).collect()));
    }
    Ok(batch)
}

fn load(path: &Path) -> Result<Vec<Option<Table>>, Issue> {
    let names: Vec<&str> = Sheet::ALL.iter().map(|s| s.name()).collect();
    if path.is_dir() {
        return names
            .iter()
            .map(|n| {
                let file = path.join(format!("{n}.csv"));
                file.is_file().then(|| read_csv(&file, &format!("{n}.csv"))).transpose()
            })
            .collect();
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !path.exists() {
        return Err(Issue::new(
            path.display().to_string(),
            ErrorCode::UnreadableSheet,
            format!("{} does not exist", path.display()),
        ));
    }
    match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => read_workbook(path, &names),
        _ => Err(Issue::new(
            path.display().to_string(),
            ErrorCode::UnreadableSheet,
            "give a folder holding children.csv, homes.csv and providers.csv, or one .xlsx or .ods workbook",
        )),
    }
}

/// The issue path of a cell: `children.csv:row 3:age`, `book.xlsx:children:row 3:age`.
fn at(table: &Table, row: usize, column: &str) -> String {
    if column.is_empty() {
        format!("{}:row {row}", table.source)
    } else {
        format!("{}:row {row}:{column}", table.source)
    }
}

/// Matches the header to the sheet's columns: the column of each header cell (None for an
/// empty header over an empty column). Unknown and repeated columns are errors.
fn header(table: &Table, cols: &[Column], issues: &mut Vec<Issue>) -> Vec<Option<usize>> {
    let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
    let mut out = Vec::new();
    for (i, h) in table.header.iter().enumerate() {
        let key = norm_word(h);
        if key.is_empty() {
            let used = table.rows.iter().any(|(_, r)| r.get(i).is_some_and(|c| !c.is_empty()));
            if used {
                issues.push(Issue::new(
                    format!("{}:column {}", table.source, i + 1),
                    ErrorCode::UnknownColumn,
                    format!("column {} has values but no header", i + 1),
                ));
            }
            out.push(None);
            continue;
        }
        match names.iter().position(|n| *n == key) {
            Some(c) if out.contains(&Some(c)) => {
                issues.push(Issue::new(
                    format!("{}:{}", table.source, cols[c].name),
                    ErrorCode::DuplicateColumn,
                    format!("the column `{h}` appears more than once"),
                ));
                out.push(None);
            }
            Some(c) => out.push(Some(c)),
            None => {
                let hint = match did_you_mean(h, names.iter().copied()) {
                    Some(m) => format!("; did you mean `{m}`?"),
                    None => format!("; the columns are {}", names.join(", ")),
                };
                issues.push(Issue::new(
                    format!("{}:{h}", table.source),
                    ErrorCode::UnknownColumn,
                    format!("unknown column `{h}`{hint}"),
                ));
                out.push(None);
            }
        }
    }
    for c in cols.iter().filter(|c| c.required) {
        if !out.iter().flatten().any(|f| cols[*f].name == c.name) {
            issues.push(Issue::new(
                format!("{}:{}", table.source, c.name),
                ErrorCode::MissingField,
                format!("the sheet has no `{}` column, which every row needs", c.name),
            ));
        }
    }
    // A location is a postcode or lat and lon: one of those columns is needed.
    let located = |n: &str| cols.iter().any(|c| c.name == n);
    if located("postcode")
        && !out
            .iter()
            .flatten()
            .any(|f| ["postcode", "lat"].contains(&cols[*f].name.as_str()))
    {
        issues.push(Issue::new(
            format!("{}:postcode", table.source),
            ErrorCode::MissingField,
            "the sheet has no `postcode` column (or `lat` and `lon`), which every row needs",
        ));
    }
    out
}

/// Reads every non-empty row into a JSON record, with its row number.
fn rows(
    table: &Table,
    cols: &[Column],
    found: &[Option<usize>],
    as_of: Option<Date>,
    issues: &mut Vec<Issue>,
) -> Vec<(usize, Map<String, Value>)> {
    let mut out = Vec::new();
    for (row, cells) in &table.rows {
        if cells.iter().all(Cell::is_empty) {
            continue;
        }
        let mut rec = Map::new();
        for (i, c) in found.iter().enumerate() {
            let Some(c) = c else { continue };
            let col = &cols[*c];
            let cell = cells.get(i).cloned().unwrap_or(Cell::Empty);
            if cell.is_empty() {
                continue;
            }
            match value(col, &cell, table.workbook, as_of) {
                Ok(v) => {
                    if col.name == "referral_date" && rec.contains_key("waiting_days") {
                        issues.push(Issue::new(
                            at(table, *row, &col.name),
                            ErrorCode::WrongType,
                            "give waiting_days or referral_date, not both",
                        ));
                    }
                    insert(&mut rec, &col.json, v)
                }
                Err((code, msg)) => issues.push(Issue::new(at(table, *row, &col.name), code, msg)),
            }
        }
        out.push((*row, rec));
    }
    out
}

fn insert(rec: &mut Map<String, Value>, json: &str, v: Value) {
    match json.split_once('.') {
        None => {
            rec.insert(json.to_string(), v);
        }
        Some((head, rest)) => {
            let inner = rec.entry(head).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = inner {
                insert(m, rest, v);
            }
        }
    }
}

type CellError = (ErrorCode, String);

fn value(col: &Column, cell: &Cell, workbook: bool, as_of: Option<Date>) -> Result<Value, CellError> {
    let wrong = |m: String| (ErrorCode::WrongType, m);
    Ok(match col.kind {
        Kind::Text => Value::String(cell.text()),
        Kind::Int => Value::from(cells::integer(cell).map_err(wrong)?),
        Kind::Number => Value::from(cells::number(cell).map_err(wrong)?),
        Kind::YesNo => Value::Bool(cells::yes_no(cell).map_err(|m| (ErrorCode::UnknownValue, m))?),
        Kind::Date => Value::String(date(cell, workbook)?.iso()),
        Kind::DateTime => Value::String(date_time(cell, workbook)?),
        Kind::ReferralDate => {
            let d = date(cell, workbook)?;
            let Some(as_of) = as_of else {
                return Err((
                    ErrorCode::MissingField,
                    "a referral_date needs the batch's as_of date (the batch sheet) to count the days waited".into(),
                ));
            };
            let days = as_of.days() - d.days();
            if days < 0 {
                return Err((
                    ErrorCode::NegativeValue,
                    format!("referral date {} is after the batch's as_of {}", d.iso(), as_of.iso()),
                ));
            }
            Value::from(days)
        }
        Kind::Postcode => Value::String(
            cell.text()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_uppercase(),
        ),
        Kind::Word(words) => Value::String(word(&cell.text(), words)?),
        Kind::Words(words) => Value::Array(
            list(&cell.text(), true)
                .iter()
                .map(|w| word(w, words).map(Value::String))
                .collect::<Result<_, _>>()?,
        ),
        Kind::TextList => Value::Array(list(&cell.text(), true).into_iter().map(Value::String).collect()),
        Kind::Zones => Value::Array(
            list(&cell.text(), false)
                .iter()
                .map(|z| zone(z))
                .collect::<Result<_, _>>()?,
        ),
    })
}

/// A date with an optional time, as `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`: an Excel date-time
/// cell, or text `DD/MM/YYYY HH:MM`, `YYYY-MM-DD HH:MM`, `YYYY-MM-DDTHH:MM` (the time optional).
fn date_time(cell: &Cell, workbook: bool) -> Result<String, CellError> {
    let with = |d: Date, minutes: i64| match minutes {
        0 => d.iso(),
        m => format!("{}T{:02}:{:02}", d.iso(), m / 60, m % 60),
    };
    let unreadable = || {
        (
            ErrorCode::UnreadableTime,
            format!(
                "`{}` is not a date or a date and time",
                crate::input::read::shorten(&cell.text(), 40)
            ),
        )
    };
    if let Cell::Date(x) = cell {
        let d = date(&Cell::Date(x.floor()), workbook)?;
        return Ok(with(d, ((x - x.floor()) * 1440.0).round().min(1439.0) as i64));
    }
    let text = cell.text();
    let text = text.trim();
    let (day, time) = match text.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (text, None),
    };
    let d = date(&Cell::Text(day.to_string()), false)?;
    let minutes = match time {
        None => 0,
        Some(t) => {
            let iso = format!("{}T{t}", d.iso());
            let (.., hh, mm) = crate::input::answers::parse_time(&iso).ok_or_else(unreadable)?;
            return Ok(format!("{}T{hh:02}:{mm:02}", d.iso()));
        }
    };
    Ok(with(d, minutes))
}

fn date(cell: &Cell, workbook: bool) -> Result<Date, CellError> {
    cells::date(cell, workbook).map_err(|m| (ErrorCode::UnreadableDate, m))
}

fn parse_iso(s: &str) -> Option<Date> {
    cells::date(&Cell::Text(s.into()), false).ok()
}

/// Items of a `;`-separated list (`,` too where no item can hold one), blanks dropped.
fn list(s: &str, commas: bool) -> Vec<String> {
    s.split(|c| c == ';' || (commas && c == ','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn word(s: &str, words: Words) -> Result<String, CellError> {
    let key = norm_word(s);
    words
        .iter()
        .find(|(w, _)| *w == key)
        .map(|(_, v)| v.to_string())
        .ok_or_else(|| {
            let mut allowed: Vec<&str> = words.iter().map(|(w, _)| *w).collect();
            allowed.dedup();
            let hint = did_you_mean(s, allowed.iter().copied())
                .map(|m| format!(" (did you mean `{m}`?)"))
                .unwrap_or_default();
            (
                ErrorCode::UnknownValue,
                format!("`{s}` is not one of {}{hint}", allowed.join(", ")),
            )
        })
}

/// An exclusion zone: an authority code (`E06000043`) or `PLACE within R km`, the place a
/// postcode or `lat,lon`.
fn zone(s: &str) -> Result<Value, CellError> {
    let bad = || {
        (
            ErrorCode::WrongType,
            format!("`{s}` is not an exclusion zone: write an authority code (E06000043) or `RH10 1 within 4 km`"),
        )
    };
    let t = s.trim();
    let is_code = t.len() == 9
        && t[..1].eq_ignore_ascii_case("e") | t[..1].eq_ignore_ascii_case("w")
        && t[1..].chars().all(|c| c.is_ascii_digit());
    if is_code {
        return Ok(serde_json::json!({ "la": t.to_uppercase() }));
    }
    let lower = t.to_ascii_lowercase();
    let Some(i) = lower.find(" within ") else {
        return Err(bad());
    };
    let (place, rest) = (t[..i].trim(), lower[i + " within ".len()..].trim());
    let radius = rest.strip_suffix("km").ok_or_else(bad)?.trim();
    let radius: f64 = radius.parse().map_err(|_| bad())?;
    let center = match place.split_once(',') {
        Some((a, b)) => {
            let (lat, lon) = (a.trim().parse::<f64>(), b.trim().parse::<f64>());
            match (lat, lon) {
                (Ok(lat), Ok(lon)) => serde_json::json!({ "lat": lat, "lon": lon }),
                _ => return Err(bad()),
            }
        }
        None if !place.is_empty() => {
            serde_json::json!({ "postcode": place.split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase() })
        }
        None => return Err(bad()),
    };
    Ok(serde_json::json!({ "center": center, "radius_km": radius }))
}

/// The column a JSON path inside a record points at (`location.postcode` → `postcode`,
/// `exclusion_zones[1].la` → `exclusion_zones`, `location` → `postcode`).
fn column_of(cols: &[Column], path: &str) -> Option<usize> {
    let mut p = String::new();
    let mut depth = 0;
    for ch in path.chars() {
        match ch {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => p.push(ch),
            _ => {}
        }
    }
    let p = p.trim_start_matches('.');
    cols.iter()
        .position(|c| c.json == p)
        .or_else(|| cols.iter().position(|c| p.starts_with(&format!("{}.", c.json))))
        .or_else(|| cols.iter().position(|c| c.json.starts_with(&format!("{p}."))))
}

impl Origins {
    /// A validator issue (`children[3].needs.education`) at its cell
    /// (`children.csv:row 5:need_education`); record references in the message become rows too.
    fn locate(&self, issue: Issue) -> Issue {
        let mut message = issue.message.clone();
        for (sheet, t, rows) in &self.rows {
            let name = sheet.array().unwrap_or("");
            // Longest index first, so `children[1]` never rewrites part of `children[12]`.
            for (i, row) in rows.iter().enumerate().rev() {
                let table = &self.tables[*t].1;
                message = message.replace(&format!("{name}[{i}]"), &at(table, *row, ""));
            }
        }
        for (sheet, t, rows) in &self.rows {
            let name = sheet.array().unwrap_or("");
            let Some(rest) = issue.path.strip_prefix(&format!("{name}[")) else {
                continue;
            };
            let Some((i, inner)) = rest.split_once(']') else {
                continue;
            };
            let Some(row) = i.parse::<usize>().ok().and_then(|i| rows.get(i)) else {
                continue;
            };
            let (_, table, cols) = &self.tables[*t];
            let col = column_of(cols, inner).map_or("", |c| cols[c].name.as_str());
            return Issue::new(at(table, *row, col), issue.code, message);
        }
        Issue::new(issue.path, issue.code, message)
    }
}
