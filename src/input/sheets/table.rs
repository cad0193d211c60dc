//! Raw tables: a header and rows of cells, from a CSV file or a workbook sheet, each row with
//! the number a user sees in their spreadsheet.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};

use crate::errors::{ErrorCode, Issue};
use crate::input::sheets::cells::Cell;

/// One sheet as read.
#[derive(Debug, Clone)]
pub struct Table {
    /// Where it came from, as issue paths begin: `children.csv` or `book.xlsx:children`.
    pub source: String,
    /// Header cells, as written.
    pub header: Vec<String>,
    /// Data rows: the spreadsheet's row number (the header is row 1 in a CSV file) and cells.
    pub rows: Vec<(usize, Vec<Cell>)>,
    /// Whether cells come from a workbook (where a bare number in a date column is a serial).
    pub workbook: bool,
}

/// Reads a CSV file (UTF-8, with or without a byte-order mark).
pub fn read_csv(path: &Path, source: &str) -> Result<Table, Issue> {
    let unreadable = |why: String| Issue::new(source, ErrorCode::UnreadableSheet, why);
    let bytes = std::fs::read(path).map_err(|e| unreadable(format!("cannot read {}: {e}", path.display())))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        unreadable(format!(
            "the file is not UTF-8 text (byte {}): save it as \"CSV UTF-8\"",
            e.valid_up_to()
        ))
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut header = None;
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| unreadable(format!("row {}: {e}", i + 1)))?;
        let cells: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
        if header.is_none() {
            header = Some(cells);
            continue;
        }
        let row = rec.position().map(|p| p.line() as usize).unwrap_or(i + 1);
        let cells = cells
            .into_iter()
            .map(|c| if c.is_empty() { Cell::Empty } else { Cell::Text(c) })
            .collect();
        rows.push((row, cells));
    }
    Ok(Table {
        source: source.to_string(),
        header: header.unwrap_or_default(),
        rows,
        workbook: false,
    })
}

/// Reads the named sheets of a workbook (.xlsx, .xlsm, .xls, .ods); a sheet it lacks is `None`.
/// Sheet names match case-insensitively.
pub fn read_workbook(path: &Path, names: &[&str]) -> Result<Vec<Option<Table>>, Issue> {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    let unreadable = |why: String| Issue::new(file.as_str(), ErrorCode::UnreadableSheet, why);
    let mut book = open_workbook_auto(path).map_err(|e| unreadable(format!("cannot open {}: {e}", path.display())))?;
    let present = book.sheet_names();
    let mut out = Vec::new();
    for name in names {
        let Some(actual) = present.iter().find(|s| s.trim().eq_ignore_ascii_case(name)) else {
            out.push(None);
            continue;
        };
        let range = book
            .worksheet_range(actual)
            .map_err(|e| unreadable(format!("cannot read sheet {actual}: {e}")))?;
        let (top, _) = range.start().unwrap_or((0, 0));
        let mut header = None;
        let mut rows = Vec::new();
        for (i, row) in range.rows().enumerate() {
            let cells: Vec<Cell> = row.iter().map(cell).collect();
            if header.is_none() {
                if cells.iter().all(Cell::is_empty) {
                    continue;
                }
                header = Some(cells.iter().map(Cell::text).collect());
                continue;
            }
            rows.push((top as usize + i + 1, cells));
        }
        out.push(Some(Table {
            source: format!("{file}:{name}"),
            header: header.unwrap_or_default(),
            rows,
            workbook: true,
        }));
    }
    Ok(out)
}

fn cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(x) => Cell::Number(*x),
        Data::Bool(b) => Cell::Bool(*b),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            let t = s.trim();
            if t.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(t.to_string())
            }
        }
        Data::DateTime(dt) if dt.is_datetime() => Cell::Date(dt.as_f64()),
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}
