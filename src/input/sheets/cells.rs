//! Cells as councils write them: numbers with `£` and commas, yes/no in its usual spellings,
//! dates day first or ISO. Nothing is guessed: a value that could be read two ways is an error.

/// One cell as read from a CSV file or a workbook.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing there (or only spaces).
    Empty,
    /// Text (every CSV cell; text cells of a workbook).
    Text(String),
    /// A numeric workbook cell.
    Number(f64),
    /// A TRUE/FALSE workbook cell.
    Bool(bool),
    /// A workbook cell formatted as a date: the Excel serial day number.
    Date(f64),
}

impl Cell {
    /// Whether the cell holds nothing.
    pub fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }
    /// The cell as text, as a user would see it (integral numbers without `.0`).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(x) | Cell::Date(x) => number_text(*x),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        }
    }
}

/// A number as text: whole numbers without a decimal point.
pub fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A word normalised for comparison: trimmed, lower case, spaces and hyphens as `_`.
pub fn norm_word(s: &str) -> String {
    let mut out = String::new();
    for ch in s.trim().chars() {
        let c = if ch == ' ' || ch == '-' {
            '_'
        } else {
            ch.to_ascii_lowercase()
        };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    out
}

/// A number, from a numeric cell or from text such as `5200`, `£5,200` or `5,200.50`.
pub fn number(cell: &Cell) -> Result<f64, String> {
    match cell {
        Cell::Number(x) => Ok(*x),
        Cell::Text(s) => {
            let t = s.trim();
            let t = t.strip_prefix('£').unwrap_or(t).trim();
            let plain = strip_thousands(t).ok_or_else(|| format!("`{s}` is not a number"))?;
            match plain.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(x),
                _ => Err(format!("`{s}` is not a number")),
            }
        }
        other => Err(format!("`{}` is not a number", other.text())),
    }
}

/// `12,000.50` → `12000.50`; commas only where they group thousands (`1,2` is refused: it
/// could be a decimal comma).
fn strip_thousands(t: &str) -> Option<String> {
    if !t.contains(',') {
        return Some(t.to_string());
    }
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let int = int.strip_prefix('-').unwrap_or(int);
    let groups: Vec<&str> = int.split(',').collect();
    let ok = !groups[0].is_empty()
        && groups[0].len() <= 3
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()));
    ok.then(|| {
        let sign = if t.starts_with('-') { "-" } else { "" };
        let mut s = format!("{sign}{}", groups.concat());
        if let Some(f) = frac {
            s.push('.');
            s.push_str(f);
        }
        s
    })
}

/// A whole number.
pub fn integer(cell: &Cell) -> Result<i64, String> {
    let x = number(cell)?;
    if x.fract() != 0.0 || x.abs() > 9.0e15 {
        return Err(format!("`{}` is not a whole number", cell.text()));
    }
    Ok(x as i64)
}

/// yes/no, y/n, true/false, 1/0 in any case, or a TRUE/FALSE cell.
pub fn yes_no(cell: &Cell) -> Result<bool, String> {
    let bad = || {
        format!(
            "`{}` is not yes or no (write yes/no, y/n, true/false or 1/0)",
            cell.text()
        )
    };
    match cell {
        Cell::Bool(b) => Ok(*b),
        Cell::Number(x) if *x == 1.0 => Ok(true),
        Cell::Number(x) if *x == 0.0 => Ok(false),
        Cell::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "1" => Ok(true),
            "no" | "n" | "false" | "0" => Ok(false),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year (four digits).
    pub year: i64,
    /// Month 1–12.
    pub month: i64,
    /// Day 1–31.
    pub day: i64,
}

impl Date {
    /// A checked date.
    pub fn new(year: i64, month: i64, day: i64) -> Option<Date> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        ((1000..=9999).contains(&year) && (1..=12).contains(&month) && day >= 1 && day <= days[month as usize - 1])
            .then_some(Date { year, month, day })
    }
    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    pub fn days(self) -> i64 {
        let y = if self.month <= 2 { self.year - 1 } else { self.year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (self.month + 9) % 12;
        let doy = (153 * mp + 2) / 5 + self.day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }
    /// The date `days` after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719468;
        let era = z.div_euclid(146097);
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
        Date { year, month, day }
    }
    /// The Excel serial day number (1900 date system): 1899-12-30 is day 0 for every date
    /// after February 1900, which is all a batch needs.
    pub fn from_excel(serial: f64) -> Option<Date> {
        (serial.fract() == 0.0 && (61.0..2_958_466.0).contains(&serial))
            .then(|| Date::from_days(serial as i64 + Date::new(1899, 12, 30).expect("a date").days()))
    }
    /// The date as Excel's serial day number.
    pub fn excel_serial(self) -> f64 {
        (self.days() - Date::new(1899, 12, 30).expect("a date").days()) as f64
    }
    /// YYYY-MM-DD.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A date: DD/MM/YYYY (day first, as councils and the SSDA903 return write it), YYYY-MM-DD, or
/// a workbook date. `allow_serial` also takes a plain whole number as an Excel serial (a date
/// cell that lost its format in a workbook; never in a CSV file, where it would be a guess).
/// A two-digit year, a month-first date or anything else is refused, never guessed.
pub fn date(cell: &Cell, allow_serial: bool) -> Result<Date, String> {
    let shown = cell.text();
    match cell {
        Cell::Date(x) => Date::from_excel(x.floor()).ok_or_else(|| format!("`{shown}` is not a date")),
        Cell::Number(x) if allow_serial => {
            Date::from_excel(*x).ok_or_else(|| format!("`{shown}` is not an Excel date"))
        }
        Cell::Text(s) => text_date(s.trim()),
        _ => Err(format!("`{shown}` is not a date")),
    }
}

fn text_date(s: &str) -> Result<Date, String> {
    // An ISO date-time from an .ods file: its date part, when the time is midnight.
    let s = s.strip_suffix("T00:00:00").unwrap_or(s);
    let nums = |parts: &[&str]| -> Option<Vec<i64>> {
        parts
            .iter()
            .map(|p| {
                (!p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
                    .then(|| p.parse().ok())
                    .flatten()
            })
            .collect()
    };
    let dash: Vec<&str> = s.split('-').collect();
    let slash: Vec<&str> = s.split('/').collect();
    let (parts, iso) = if dash.len() == 3 && dash[0].len() == 4 {
        (dash, true)
    } else if slash.len() == 3 {
        (slash, false)
    } else {
        return Err(format!("`{s}` is not a date: write DD/MM/YYYY or YYYY-MM-DD"));
    };
    let Some(n) = nums(&parts) else {
        return Err(format!("`{s}` is not a date: write DD/MM/YYYY or YYYY-MM-DD"));
    };
    let (year_text, y, m, d) = if iso {
        (parts[0], n[0], n[1], n[2])
    } else {
        (parts[2], n[2], n[1], n[0])
    };
    if year_text.len() != 4 {
        return Err(format!(
            "`{s}` has a {}-digit year, which could mean more than one century: write the year in full (DD/MM/YYYY)",
            year_text.len()
        ));
    }
    Date::new(y, m, d).ok_or_else(|| {
        if !iso && n[1] > 12 && n[0] <= 12 {
            format!(
                "`{s}` has month {}: dates are read day first (DD/MM/YYYY), so this looks month first",
                n[1]
            )
        } else {
            format!("`{s}` is not a real date")
        }
    })
}

pub use crate::support::words::edit_distance;

/// The closest known name to `word`, if close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = norm_word(word);
    let known: Vec<&str> = known.into_iter().collect();
    // A bare indicator under the need_/support_ prefix is a likely slip, whatever its length.
    let prefixed = |k: &&&str| {
        ["need_", "support_"]
            .iter()
            .any(|p| k.strip_prefix(p) == Some(word.as_str()))
    };
    if let Some(k) = known.iter().find(prefixed) {
        return Some(k);
    }
    let (best, d) = known
        .iter()
        .map(|k| (*k, edit_distance(&word, k)))
        .min_by_key(|(_, d)| *d)?;
    (d <= 2.max(word.chars().count() / 3)).then_some(best)
}
