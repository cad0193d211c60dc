//! Money as people read it: whole pounds with thousands separators.
//!
//! These format amounts; whether an amount is spend (money paid) or the objective's score
//! (pounds-equivalent of every weighted term) is for the caller's words to say.

/// Whole pounds with thousands separators and a minus sign when negative: `£12,345`, `−£150`.
pub fn pounds(x: f64) -> String {
    let r = x.round();
    let sign = if r < 0.0 { "−" } else { "" };
    format!("{sign}£{}", group(r.abs() as u64))
}

/// Pounds with an explicit sign: `+£400`, `−£150`, `£0`.
pub fn signed_pounds(x: f64) -> String {
    with_plus(x, pounds)
}

/// `unsigned(x)` with a `+` before it when x rounds above 0 (the minus is `unsigned`'s).
fn with_plus(x: f64, unsigned: fn(f64) -> String) -> String {
    let r = x.round();
    let plus = if r > 0.0 { "+" } else { "" };
    format!("{plus}{}", unsigned(r))
}

/// The objective's score as a person reads it: whole, grouped, no £ sign (it is not money):
/// `12,345`, `−150`.
pub fn score(x: f64) -> String {
    let r = x.round();
    if r < 0.0 {
        format!("−{}", group(r.abs() as u64))
    } else {
        group(r as u64)
    }
}

/// A score with an explicit sign, no £ sign: `+400`, `−150`, `0`.
pub fn signed_score(x: f64) -> String {
    with_plus(x, score)
}

/// Thousands separators: `1234567` → `1,234,567`.
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_group_thousands_and_sign() {
        assert_eq!(pounds(0.4), "£0");
        assert_eq!(pounds(999.5), "£1,000");
        assert_eq!(pounds(1_234_567.0), "£1,234,567");
        assert_eq!(pounds(-150.0), "−£150");
        assert_eq!(signed_pounds(400.0), "+£400");
        assert_eq!(signed_pounds(-150.0), "−£150");
        assert_eq!(signed_pounds(0.2), "£0");
        assert_eq!(signed_score(400.0), "+400");
        assert_eq!(signed_score(-150.4), "−150");
        assert_eq!(signed_score(0.2), "0");
        assert_eq!(pounds(1234.5), "£1,235");
        assert_eq!(pounds(1_000_000.0), "£1,000,000");
        assert_eq!(signed_pounds(-181.87), "−£182");
        assert_eq!(group(1005), "1,005");
        assert_eq!(group(0), "0");
    }
}
