//! Step 8, **write**: JSON and table output, written atomically and never over an
//! existing file unless asked.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};

use crate::result::format::MatchResult;

/// The file name that means standard output (for `-o`) or standard input (for an input), as
/// in most command-line tools.
pub const STDIO: &str = "-";

/// Whether `path` is `-`, standard input or output.
pub fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == STDIO
}

/// Refuses an output file that exists already, unless `force`. Commands call it for every
/// output before doing any work; [`write_atomic`] calls it again as it writes. Standard output
/// (`-`) never exists.
pub fn refuse_existing(path: &Path, force: bool) -> anyhow::Result<()> {
    if !is_stdio(path) && path.exists() && !force {
        bail!("{} already exists; pass --force to replace it", path.display());
    }
    Ok(())
}

/// Writes `bytes` to `path` via a temporary file in the same folder and a rename, so a
/// reader never sees half a file. Refuses to replace an existing file unless `force`. A path
/// of `-` writes to standard output instead.
pub fn write_atomic(path: &Path, bytes: &[u8], force: bool) -> anyhow::Result<()> {
    if is_stdio(path) {
        return write_stdout(bytes);
    }
    refuse_existing(path, force)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp =
        tempfile::NamedTempFile::new_in(dir).with_context(|| format!("cannot create a file in {}", dir.display()))?;
    tmp.write_all(bytes)?;
    // Owner-only (0600), as docs/reference/data-and-privacy.md promises: results and reports hold data about children.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    tmp.as_file().sync_all()?;
    if force {
        tmp.persist(path).map_err(|e| e.error)?;
    } else {
        // persist_noclobber fails rather than replace a file that appeared meanwhile.
        tmp.persist_noclobber(path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Writes `bytes` to standard output. A reader that stops early (`placematch schema | head`)
/// is not a failure.
pub fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// The result as pretty JSON with a trailing newline.
pub fn to_json(result: &MatchResult) -> String {
    let mut s = serde_json::to_string_pretty(result).expect("results serialise");
    s.push('\n');
    s
}

/// A readable terminal summary of a result.
pub fn to_table(result: &MatchResult) -> String {
    to_table_named(result, None)
}

/// A readable terminal summary of a result; with the batch it was solved from, homes are shown
/// with their names (children have none: their ids are pseudonyms).
pub fn to_table_named(result: &MatchResult, batch: Option<&crate::input::batch::Batch>) -> String {
    let names: std::collections::HashMap<&str, &str> = batch
        .map(|b| {
            b.homes
                .iter()
                .filter_map(|h| Some((h.id.as_str(), h.name.as_deref()?)))
                .collect()
        })
        .unwrap_or_default();
    let home = |id: &str| match names.get(id) {
        Some(n) => format!("{id} {}", crate::input::read::shorten(n, 24)),
        None => id.to_string(),
    };
    let width = result
        .placements
        .iter()
        .map(|p| home(&p.home).chars().count())
        .max()
        .unwrap_or(0)
        .max(12);
    let mut out = String::new();
    let s = &result.summary;
    out.push_str(&format!(
        "batch {}  status {}  objective {:.2} (score, £-equivalent a week; not spend)  gap {}  solved in {:.3} s\n",
        result.batch_id.as_deref().unwrap_or("-"),
        match result.status {
            crate::result::format::Status::Optimal => "optimal",
            crate::result::format::Status::Feasible => "feasible",
        },
        result.objective,
        if result.gap == 0.0 {
            "0".to_string()
        } else {
            format!("{:.2}%", 100.0 * result.gap)
        },
        result.solve_seconds
    ));
    out.push_str(&format!(
        "placed {}  unplaced {}  weekly spend £{:.0} (net £{:.0})  block beds {}  mean {:.1} km  max {:.1} km  within 32 km {:.0}%  in area {:.0}%  Good+ {:.0}%\n\n",
        s.placed,
        s.unplaced,
        s.weekly_spend,
        s.net_weekly_spend,
        s.block_beds_used,
        s.mean_km,
        s.max_km,
        100.0 * s.share_within_32km,
        100.0 * s.share_in_area,
        100.0 * s.share_good_or_outstanding
    ));
    out.push_str(&format!(
        "{:<12} {:<10} {:<width$} {:>8} {:>10} {:>9}  {}\n",
        "child", "urgency", "home", "km", "price £/wk", "score", "next best (regret, score)"
    ));
    for p in &result.placements {
        let next = p
            .alternatives
            .first()
            .map(|a| {
                // Not proven exactly: the proven range, or "at most" when only the upper is known.
                let regret = match (a.regret_exact, a.regret_lower) {
                    (true, _) => format!("+{}", a.regret.round()),
                    (false, Some(lo)) => format!("+{}–{}", lo.max(0.0).round(), a.regret.round()),
                    (false, None) => format!("≤ +{}", a.regret.round()),
                };
                format!("{} ({regret})", home(&a.home))
            })
            .unwrap_or_else(|| "-".into());
        out.push_str(&format!(
            "{:<12} {:<10} {:<width$} {:>8.1} {:>10.0} {:>9.0}  {}\n",
            p.child,
            p.urgency.name(),
            home(&p.home),
            p.distance_km,
            p.cost.terms.price,
            p.cost.total,
            next
        ));
    }
    if !result.unplaced.is_empty() {
        out.push_str("\nnot placed:\n");
        for u in &result.unplaced {
            out.push_str(&format!("{:<12} {:<10} {}\n", u.child, u.urgency.name(), u.why));
        }
    }
    if let Some(since) = &result.since {
        out.push_str(&format!("\nchanges since {since}: {}\n", result.changes.len()));
        for c in &result.changes {
            let kind = serde_json::to_value(c.kind).ok();
            let kind = kind.as_ref().and_then(|k| k.as_str()).unwrap_or("");
            out.push_str(&format!("{:<12} {:<10} {}\n", c.child, kind, c.why));
        }
    }
    out
}
