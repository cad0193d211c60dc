//! HTML reports: content, self-containment, the CLI, and a real headless Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use placematch::pair::instance::load_batch;
use placematch::pair::instance::Instance;
use placematch::result::format::MatchResult;
use predicates::prelude::*;
use scraper::{Html, Selector};

use crate::harness::{bin, instance, solve_checked};

fn example() -> (Instance, MatchResult) {
    let text = std::fs::read_to_string(instance("example.json")).unwrap();
    let inst = load_batch(&text, "example.json", None).expect("the example is valid");
    let mut result = solve_checked(&inst, 3);
    // The only field that differs between identical runs.
    result.solve_seconds = 0.0;
    (inst, result)
}

fn example_report() -> String {
    let (inst, result) = example();
    placematch::report::render_result(&result, Some(&inst)).expect("the result belongs to its batch")
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

/// The visible text of a page, one text node a line, whitespace collapsed; scripts and
/// styles left out.
fn text_content(html: &str) -> String {
    let doc = Html::parse_document(html);
    let body = select(&doc, "body")[0];
    let mut lines = Vec::new();
    for node in body.descendants() {
        let Some(text) = node.value().as_text() else { continue };
        let parent = node
            .parent()
            .and_then(|p| p.value().as_element().map(|e| e.name().to_string()));
        if matches!(parent.as_deref(), Some("script" | "style")) {
            continue;
        }
        let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !line.is_empty() {
            lines.push(line);
        }
    }
    lines.join("\n")
}

#[test]
fn example_report_has_a_card_and_a_row_for_every_child() {
    let (inst, result) = example();
    let html = placematch::report::render_result(&result, Some(&inst)).unwrap();
    let doc = Html::parse_document(&html);
    assert!(!result.unplaced.is_empty(), "the example has an unplaced child to show");
    for c in &inst.batch.children {
        let card = select(&doc, &format!("article.card[data-id=\"{}\"]", c.id));
        assert_eq!(card.len(), 1, "one card for {}", c.id);
        assert_eq!(card[0].value().attr("id"), Some(format!("c-{}", c.id).as_str()));
        let row = select(&doc, &format!("table.glance tbody tr[data-id=\"{}\"]", c.id));
        assert_eq!(row.len(), 1, "one row for {}", c.id);
        let line = select(&doc, &format!("#map g[data-child=\"{}\"]", c.id));
        assert!(!line.is_empty(), "{} is on the map", c.id);
    }
    // Placed children's cards sit under Placements, unplaced ones under Not placed, each
    // with its why; every alternative is listed.
    for p in &result.placements {
        let card = select(&doc, &format!("#c-{}", p.child))[0];
        let text: String = card.text().collect();
        assert!(text.contains(&p.home), "{} card names its home", p.child);
        for a in &p.alternatives {
            assert!(
                text.contains(&a.home) && text.contains(&a.why),
                "{} card lists {}",
                p.child,
                a.home
            );
        }
    }
    for u in &result.unplaced {
        let card = select(&doc, &format!("article.card.unplaced#c-{}", u.child));
        assert_eq!(card.len(), 1);
        let text: String = card[0].text().collect();
        assert!(text.contains(&u.why));
        for x in &u.relaxations {
            assert!(text.contains(&x.detail), "relaxation {} shown", x.rule);
        }
    }
    // Headings, table semantics, labelled charts.
    assert_eq!(select(&doc, "h1").len(), 1);
    assert!(select(&doc, "th[scope=col]").len() > 10);
    for svg in select(&doc, "svg") {
        let a = svg.value();
        assert!(
            a.attr("aria-label").is_some() || a.attr("aria-labelledby").is_some(),
            "every chart has a text alternative"
        );
        assert_eq!(a.attr("role"), Some("img"));
    }
    // The authority filter offers the batch's authority.
    assert_eq!(select(&doc, "#f-la option[value=E10000032]").len(), 1);
}

#[test]
fn example_report_text_snapshot() {
    insta::assert_snapshot!("example_report_text", text_content(&example_report()));
}

#[test]
fn report_is_deterministic() {
    assert_eq!(example_report(), example_report());
}

#[test]
fn report_loads_nothing_from_the_network() {
    assert_self_contained(&example_report());
}

/// Asserts that a page names no network URL, has nothing with a `src`, links only `data:`
/// and carries the strict Content-Security-Policy.
fn assert_self_contained(html: &str) {
    let doc = Html::parse_document(html);
    // The only URL-looking strings allowed are SVG's namespace name (never fetched).
    let stripped = html.replace("http://www.w3.org/2000/svg", "");
    for scheme in [
        "http://", "https://", "//fonts", "ws://", "wss://", "url(http", "@import",
    ] {
        assert!(!stripped.contains(scheme), "the report mentions {scheme}");
    }
    let with_src: Vec<_> = select(&doc, "[src]")
        .iter()
        .map(|e| format!("{:?}", e.value()))
        .collect();
    assert!(with_src.is_empty(), "nothing has a src: {with_src:?}");
    for el in select(&doc, "link") {
        assert!(
            el.value().attr("href").unwrap_or("").starts_with("data:"),
            "{:?}",
            el.value()
        );
    }
    let csp = select(&doc, "meta[http-equiv=Content-Security-Policy]");
    assert_eq!(csp.len(), 1);
    let policy = csp[0].value().attr("content").unwrap();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    assert!(!policy.contains("http"), "{policy}");
}

#[test]
fn report_without_the_batch_explains_the_missing_map() {
    let (_, result) = example();
    let html = placematch::report::render_result(&result, None).unwrap();
    let doc = Html::parse_document(&html);
    assert!(select(&doc, "#map").is_empty());
    assert!(text_content(&html).contains("No map: a result holds ids, not places"));
    assert!(
        select(&doc, "#f-la").is_empty(),
        "no authority filter without authorities"
    );
    for p in &result.placements {
        assert_eq!(select(&doc, &format!("#c-{}", p.child)).len(), 1);
    }
}

#[test]
fn report_of_a_result_against_another_batch_is_refused() {
    let (_, result) = example();
    let other = crate::harness::load(&crate::harness::base_batch());
    let issues = placematch::report::render_result(&result, Some(&other)).unwrap_err();
    assert!(issues.iter().all(|i| i.code.code() == "E1401"), "{issues:?}");
    assert!(issues.iter().any(|i| i.path == "batch_id"));
    assert!(issues.iter().any(|i| i.path == "placements[0].child"));
}

#[test]
fn cli_report_and_solve_html() {
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("result.json");
    let html = dir.path().join("solve.html");
    bin()
        .args(["solve", "--alternatives", "2", "-o"])
        .arg(&result)
        .arg("--html")
        .arg(&html)
        .arg(instance("example.json"))
        .assert()
        .success();
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("id=\"map\"") && page.contains("WSX-C13"));
    // Never over an existing file without --force: checked before solving.
    bin()
        .args(["solve", "--html"])
        .arg(&html)
        .arg(instance("example.json"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already exists"));

    let report = dir.path().join("report.html");
    bin()
        .arg("report")
        .arg(&result)
        .arg("--batch")
        .arg(instance("example.json"))
        .arg("-o")
        .arg(&report)
        .assert()
        .success();
    assert!(std::fs::read_to_string(&report).unwrap().contains("id=\"map\""));
    bin().arg("report").arg(&result).arg("-o").arg(&report).assert().code(1);
    bin()
        .arg("report")
        .arg(&result)
        .arg("-o")
        .arg(&report)
        .arg("--force")
        .assert()
        .success();
    assert!(std::fs::read_to_string(&report).unwrap().contains("No map"));

    // A batch is not something to report on: a clear error with a code.
    bin()
        .arg("report")
        .arg(instance("example.json"))
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("format: E1002 wrong_format").and(predicate::str::contains("placematch/result@1")),
        );
    // A result with the wrong batch.
    let other = dir.path().join("other.json");
    std::fs::write(&other, crate::harness::base_batch().to_string()).unwrap();
    bin()
        .arg("report")
        .arg(&result)
        .arg("--batch")
        .arg(&other)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("E1401"));
}

// ---------------------------------------------------------------------------------------
// A real browser. scripts/setup installs Debian's `chromium`; without it this test fails
// (set PLACEMATCH_SKIP_BROWSER=1 to skip it knowingly, e.g. on a machine without apt).

/// What one headless Chromium load of a page showed.
struct BrowserRun {
    /// `CONSOLE` lines Chromium logged for the page (any level).
    console: Vec<String>,
    /// URLs the page itself requested (not Chromium's own background traffic).
    requests: Vec<String>,
    /// The screenshot.
    png: PathBuf,
}

fn chromium() -> Option<String> {
    if std::env::var_os("PLACEMATCH_SKIP_BROWSER").is_some() {
        return None;
    }
    let exe = std::env::var("PLACEMATCH_CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let found = Command::new(&exe)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "`{exe}` not found: run scripts/setup (it installs Debian's chromium), or set PLACEMATCH_SKIP_BROWSER=1"
    );
    Some(exe)
}

/// Loads `page` in headless Chromium with the network log on, and screenshots it.
fn load_in_chromium(exe: &str, page: &Path, dir: &Path, height: u32) -> BrowserRun {
    let png = dir.join("shot.png");
    let net = dir.join("net.json");
    let profile = dir.join("profile");
    let mut child = Command::new(exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--log-net-log={}", net.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("--window-size=1280,{height}"))
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = reader.join().unwrap();
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    BrowserRun {
        console,
        requests: page_requests(&net),
        png,
    }
}

/// URLs requested by a page loaded from a file: requests whose network isolation key is
/// the file:// site, or that Blink's resource loader made. Chromium's own update and
/// account checks carry neither.
fn page_requests(net: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(net).expect("chromium wrote its net log");
    let log: serde_json::Value = serde_json::from_str(&text).expect("the net log is JSON");
    // Blink's resource loader's traffic annotation (`blink_resource_loader`).
    const BLINK: u64 = 101_845_102;
    let mut by_source: std::collections::BTreeMap<u64, (Option<String>, bool)> = Default::default();
    for e in log["events"].as_array().into_iter().flatten() {
        let Some(id) = e["source"]["id"].as_u64() else { continue };
        let p = &e["params"];
        let entry = by_source.entry(id).or_default();
        if let Some(url) = p["url"].as_str() {
            entry.0 = Some(url.to_string());
        }
        let from_page = p["network_isolation_key"]
            .as_str()
            .is_some_and(|k| k.contains("file://"))
            || p["traffic_annotation"].as_u64() == Some(BLINK);
        entry.1 |= from_page;
    }
    let mut urls: Vec<String> = by_source
        .into_values()
        .filter_map(|(url, page)| url.filter(|u| page && !u.starts_with("file:")))
        .collect();
    urls.sort();
    urls.dedup();
    urls
}

/// Standard deviation of the screenshot's luminance, and the share of pixels that
/// differ from the most common colour.
fn screenshot_stats(png: &Path) -> (f64, f64, u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let px: Vec<[u8; 3]> = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|c| {
            if channels >= 3 {
                [c[0], c[1], c[2]]
            } else {
                [c[0], c[0], c[0]]
            }
        })
        .collect();
    let lum: Vec<f64> = px
        .iter()
        .map(|p| 0.2126 * p[0] as f64 + 0.7152 * p[1] as f64 + 0.0722 * p[2] as f64)
        .collect();
    let mean = lum.iter().sum::<f64>() / lum.len() as f64;
    let sd = (lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lum.len() as f64).sqrt();
    let mut counts = std::collections::HashMap::new();
    for p in &px {
        *counts.entry(*p).or_insert(0usize) += 1;
    }
    let top = counts.values().copied().max().unwrap_or(0);
    (sd, 1.0 - top as f64 / px.len() as f64, info.width, info.height)
}

#[test]
fn example_report_opens_in_headless_chromium() {
    let Some(exe) = chromium() else {
        eprintln!("skipped: PLACEMATCH_SKIP_BROWSER is set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();

    // The detectors first: a page that logs an error, throws, and fetches two URLs must
    // be caught by them, or their silence about the report would prove nothing.
    let control = dir.path().join("control.html");
    std::fs::write(
        &control,
        r#"<!doctype html><title>control</title><img src="http://127.0.0.1:9/pixel.png" alt="">
<script>console.error("deliberate"); fetch("https://example.invalid/data.json").catch(function(){}); nosuchfunction();</script>"#,
    )
    .unwrap();
    let cdir = dir.path().join("control");
    std::fs::create_dir(&cdir).unwrap();
    let run = load_in_chromium(&exe, &control, &cdir, 600);
    assert!(
        run.console.iter().any(|l| l.contains("deliberate")),
        "{:?}",
        run.console
    );
    assert!(
        run.console.iter().any(|l| l.contains("nosuchfunction")),
        "{:?}",
        run.console
    );
    assert_eq!(
        run.requests,
        ["http://127.0.0.1:9/pixel.png", "https://example.invalid/data.json"],
        "the net-log filter sees a page's requests"
    );

    // The report itself.
    let page = dir.path().join("report.html");
    std::fs::write(&page, example_report()).unwrap();
    let rdir = dir.path().join("report");
    std::fs::create_dir(&rdir).unwrap();
    let run = load_in_chromium(&exe, &page, &rdir, 4000);
    assert!(run.console.is_empty(), "console messages: {:#?}", run.console);
    assert!(run.requests.is_empty(), "network requests: {:#?}", run.requests);
    let (sd, ink, w, h) = screenshot_stats(&run.png);
    assert_eq!((w, h), (1280, 4000));
    assert!(sd > 20.0, "screenshot luminance s.d. {sd:.1}: blank?");
    assert!(
        ink > 0.10,
        "only {:.1}% of the screenshot differs from the background",
        100.0 * ink
    );
}

// ---------------------------------------------------------------------------------------------
// Bench and simulate pages.

/// `placematch bench --rules optimal,greedy,nearest --json` on the example batch, as JSON text.
fn bench_json(dir: &Path) -> String {
    let out = dir.join("bench.json");
    bin()
        .args(["bench", "--rules", "optimal,greedy,nearest", "--json"])
        .arg(&out)
        .arg(instance("example.json"))
        .assert()
        .success();
    std::fs::read_to_string(out).unwrap()
}

/// `placematch simulate scenario-single --days 20 --replications 2 --rules optimal,greedy --json`.
fn simulate_json(dir: &Path, name: &str) -> String {
    let out = dir.join(name);
    bin()
        .arg("simulate")
        .arg(instance("scenario-single.json"))
        .args([
            "--days",
            "20",
            "--replications",
            "2",
            "--rules",
            "optimal,greedy",
            "--json",
        ])
        .arg(&out)
        .assert()
        .success();
    std::fs::read_to_string(out).unwrap()
}

const BENCH_LABELS: &[&str] = &[
    "Objective (score, £-eq. a week)",
    "Placed",
    "Unplaced",
    "Weekly spend",
    "Net weekly spend",
    "Mean distance",
    "90th percentile distance",
    "Over 20 miles",
    "Out of area",
    "Good or Outstanding",
    "Unmet need",
    "Siblings kept together",
    "Placement rate spread",
    "Matching time",
];

#[test]
fn bench_report_shows_every_rule_and_metric() {
    let dir = tempfile::tempdir().unwrap();
    let json = bench_json(dir.path());
    let html = placematch::report::render(&json, "bench.json", None).expect("a bench output renders");
    assert_eq!(html, placematch::report::render(&json, "bench.json", None).unwrap());
    assert_self_contained(&html);
    let doc = Html::parse_document(&html);

    // The table: one row per rule, one column per metric, real header cells.
    let heads: Vec<String> = select(&doc, "table[data-sort-table] thead th")
        .iter()
        .map(|e| e.text().collect::<String>())
        .collect();
    assert_eq!(heads.len(), 2 + BENCH_LABELS.len(), "{heads:?}");
    for l in BENCH_LABELS {
        assert!(heads.iter().any(|h| h == l), "no column `{l}` in {heads:?}");
        // A chart per metric with the metric as heading.
        assert!(
            select(&doc, ".charts figure h3")
                .iter()
                .any(|h| h.text().collect::<String>() == *l),
            "no chart for `{l}`"
        );
    }
    let row_rules: Vec<String> = select(&doc, "table[data-sort-table] tbody th[scope=row]")
        .iter()
        .map(|e| e.text().collect::<String>())
        .collect();
    assert_eq!(row_rules, ["optimal", "greedy", "nearest"]);
    assert_eq!(select(&doc, ".charts figure svg").len(), BENCH_LABELS.len());
    // The best rule per metric is one table row per metric, not a bullet per metric and batch.
    let best: Vec<Vec<String>> = select(&doc, "table#best tbody tr")
        .iter()
        .map(|tr| {
            tr.children()
                .filter_map(scraper::ElementRef::wrap)
                .map(|c| c.text().collect::<String>())
                .collect()
        })
        .collect();
    assert_eq!(best.len(), BENCH_LABELS.len());
    assert!(select(&doc, "main ul li").is_empty(), "no bullet list");
    // Each chart has a labelled bar per rule.
    for fig in select(&doc, ".charts figure") {
        let svg_text: String = fig.text().collect();
        for r in ["optimal", "greedy", "nearest"] {
            assert!(svg_text.contains(r), "a chart lacks {r}: {svg_text}");
        }
    }
    // The best rule is named in words; optimal's objective is never beaten (README).
    let objective = best
        .iter()
        .find(|r| r[0] == "Objective (score, £-eq. a week)")
        .expect("an objective row");
    assert_eq!(objective[1], "optimal", "{objective:?}");
    assert_eq!(objective.last().unwrap(), "lower");
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    let nearest_objective = rows["rows"][2]["objective"].as_f64().unwrap();
    assert!(nearest_objective > rows["rows"][0]["objective"].as_f64().unwrap());
}

#[test]
fn simulate_report_shows_totals_with_intervals_and_daily_series() {
    let dir = tempfile::tempdir().unwrap();
    let json = simulate_json(dir.path(), "a.json");
    let html = placematch::report::render(&json, "sim.json", None).expect("a simulate output renders");
    // Same seed, same simulation, same page.
    let again = simulate_json(dir.path(), "b.json");
    assert_eq!(html, placematch::report::render(&again, "sim.json", None).unwrap());
    assert_self_contained(&html);
    let doc = Html::parse_document(&html);
    let report: placematch::compare::simulate::SimReport = serde_json::from_str(&json).unwrap();
    assert_eq!(report.rules.len(), 2);

    let heads: Vec<String> = select(&doc, "#totals thead th")
        .iter()
        .map(|e| e.text().collect::<String>())
        .collect();
    assert_eq!(heads, ["Total (unit)", "optimal", "greedy"]);
    let row_labels: Vec<String> = select(&doc, "#totals tbody th[scope=row]")
        .iter()
        .map(|e| e.text().collect::<String>())
        .collect();
    // Each row heading is the label with its unit on a small line.
    let labels: Vec<String> = placematch::compare::simulate::Totals::LABELS
        .iter()
        .zip(placematch::compare::simulate::Totals::UNITS)
        .map(|(l, u)| format!("{l}{u}"))
        .collect();
    assert_eq!(row_labels, labels);
    // Cells show the mean and the 95% interval the output holds.
    let spend = placematch::compare::simulate::Totals::KEYS
        .iter()
        .position(|k| *k == "spend")
        .unwrap();
    let est = report.rules[0].totals.values()[spend];
    let (lo, hi) = (est.lo.expect("two replications"), est.hi.unwrap());
    let cell: String = select(&doc, "#totals tbody tr")[spend]
        .select(&Selector::parse("td").unwrap())
        .next()
        .unwrap()
        .text()
        .collect();
    // Money of £10,000 and more is written compactly (£48.34m, £412.3k) so eight rules fit.
    let pounds = |x: f64| {
        let sign = if x < 0.0 { "−" } else { "" };
        if x.abs() >= 1e6 {
            return format!("{sign}£{:.2}m", x.abs() / 1e6);
        } else if x.abs() >= 1e4 {
            return format!("{sign}£{:.1}k", x.abs() / 1e3);
        }
        let s = format!("{:.0}", x.round().abs());
        let mut out = String::new();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        format!("{}£{out}", if x.round() < 0.0 { "−" } else { "" })
    };
    assert_eq!(cell, format!("{}{} to {}", pounds(est.mean), pounds(lo), pounds(hi)));

    // One line chart per daily series, a path per rule with one point per day.
    let daily = [
        "Children waiting",
        "Children placed",
        "Spend per day",
        "Out of area",
        "Over 20 miles",
        "Free beds",
    ];
    let figures = select(&doc, ".charts figure");
    for d in daily {
        let fig = figures
            .iter()
            .find(|f| f.text().next().is_some_and(|t| t == d))
            .unwrap_or_else(|| panic!("no chart `{d}`"));
        let paths: Vec<_> = fig.select(&Selector::parse("path").unwrap()).collect();
        assert_eq!(paths.len(), 2, "{d}");
        for p in paths {
            let points = p.value().attr("d").unwrap().matches(['M', 'L']).count();
            assert_eq!(points, 20, "{d}: one point per day");
        }
        let t: String = fig.text().collect();
        assert!(t.contains("optimal") && t.contains("greedy"), "{d} legend: {t}");
    }
    // Two replications: the placed children's daily means carry 95% bands, drawn as shaded areas
    // with one upper and one lower vertex per day.
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let widths = v["rules"][0]["daily_half_width"].as_array().unwrap();
    assert_eq!(widths.len(), 20);
    assert!(
        widths.iter().any(|p| p["placed"].as_f64().unwrap() > 0.0),
        "some spread between replications"
    );
    let placed = figures
        .iter()
        .find(|f| f.text().next().is_some_and(|t| t == "Children placed"))
        .unwrap();
    let bands: Vec<_> = placed.select(&Selector::parse("polygon").unwrap()).collect();
    assert!(!bands.is_empty(), "a confidence band");
    for b in bands {
        assert_eq!(b.value().attr("points").unwrap().split(' ').count(), 40);
    }
}

#[test]
fn cli_report_reads_bench_and_simulate_outputs() {
    let dir = tempfile::tempdir().unwrap();
    bench_json(dir.path());
    simulate_json(dir.path(), "sim.json");
    for (input, title) in [("bench.json", "Matching rules compared"), ("sim.json", "Simulation of")] {
        let page = dir.path().join(format!("{input}.html"));
        bin()
            .arg("report")
            .arg(dir.path().join(input))
            .arg("-o")
            .arg(&page)
            .assert()
            .success();
        assert!(std::fs::read_to_string(&page).unwrap().contains(title), "{input}");
    }
    // A batch with a bench output is a mistake, said.
    bin()
        .arg("report")
        .arg(dir.path().join("bench.json"))
        .arg("--batch")
        .arg(instance("example.json"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("--batch applies to results only"));
    // An unknown format names every format the command reads.
    let other = dir.path().join("batch.json");
    std::fs::copy(instance("example.json"), &other).unwrap();
    bin()
        .arg("report")
        .arg(&other)
        .arg("-o")
        .arg(dir.path().join("x.html"))
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("placematch/result@1")
                .and(predicate::str::contains("placematch/bench@1"))
                .and(predicate::str::contains("placematch/simulate@1")),
        );
}

#[test]
fn bench_and_simulate_reports_open_in_headless_chromium() {
    let Some(exe) = chromium() else {
        eprintln!("skipped: PLACEMATCH_SKIP_BROWSER is set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pages = [
        (
            "bench",
            placematch::report::render(&bench_json(dir.path()), "b", None).unwrap(),
        ),
        (
            "simulate",
            placematch::report::render(&simulate_json(dir.path(), "s.json"), "s", None).unwrap(),
        ),
    ];
    for (name, html) in pages {
        let page = dir.path().join(format!("{name}.html"));
        std::fs::write(&page, html).unwrap();
        let rdir = dir.path().join(name);
        std::fs::create_dir(&rdir).unwrap();
        let run = load_in_chromium(&exe, &page, &rdir, 1600);
        assert!(run.console.is_empty(), "{name}: console messages: {:#?}", run.console);
        assert!(run.requests.is_empty(), "{name}: network requests: {:#?}", run.requests);
        let (sd, ink, _, _) = screenshot_stats(&run.png);
        assert!(
            sd > 20.0 && ink > 0.10,
            "{name}: blank screenshot? s.d. {sd:.1}, ink {ink:.2}"
        );
    }
}

/// A plan result renders as its own page: every offer, the cost curve, the out-of-sample
/// comparison with its intervals, the baseline — and nothing loaded from the network.
#[test]
fn plan_result_report_shows_offers_curve_and_out_of_sample_check() {
    use placematch::plan::planner::{run, PlanOptions};
    let path = instance("plan-coop.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let plan = placematch::plan::format::load_plan(&text, "plan-coop.json", path.parent()).unwrap();
    let opts = PlanOptions {
        scenarios: 4,
        seed: 3,
        curve_points: 3,
        oos_scenarios: 2,
        ..PlanOptions::default()
    };
    let result = run(&plan, &opts).unwrap();
    let json = serde_json::to_string(&result).unwrap();
    let html = placematch::report::render(&json, "plan.json", None).unwrap();
    assert_eq!(
        html,
        placematch::report::render(&json, "plan.json", None).unwrap(),
        "deterministic"
    );
    let text = text_content(&html);
    for o in &result.offers {
        assert!(text.contains(&o.offer), "offer {} missing", o.offer);
    }
    for heading in ["Beds per offer", "The cost curve", "Out-of-sample check", "spot market"] {
        assert!(text.contains(heading), "{heading} missing");
    }
    let oos = result.out_of_sample.as_ref().expect("out-of-sample run");
    assert!(oos.figures.iter().all(|f| text.contains(&f.figure.replace('_', " "))));
    // The headline leads with simulated money against all-spot, not the model's score.
    let doc = Html::parse_document(&html);
    let tiles: Vec<String> = select(&doc, "#h-summary ~ dl .tile")
        .iter()
        .map(|t| t.text().collect())
        .collect();
    let annual = oos.versus_spot.iter().find(|p| p.figure == "annual_spend").unwrap();
    let saving = placematch::support::money::pounds(annual.difference.mean.abs());
    assert!(tiles[0].contains("a year") && tiles[0].contains(&saving), "{tiles:?}");
    assert!(tiles[0].contains("money paid") && tiles[0].contains("95%"), "{tiles:?}");
    let in_area = oos.versus_spot.iter().find(|p| p.figure == "share_in_area").unwrap();
    let shown = format!("{:.1}%", 100.0 * in_area.plan.mean);
    assert!(
        tiles
            .iter()
            .any(|t| t.starts_with("Care-weeks in area") && t.contains(&shown)),
        "{tiles:?}"
    );
    assert!(
        tiles.iter().all(|t| !t.contains("Saving") || t.contains("money")),
        "{tiles:?}"
    );
    assert!(text.contains("Simulated with the daily matcher"));
    assert_eq!(
        select(&doc, "h2#h-curve ~ figure svg circle").len(),
        result.cost_curve.len()
    );
    // The out-of-sample check's cost rows are scores too; its spend rows are pounds.
    for tr in select(&doc, "h2#h-oos ~ table tbody tr") {
        let row: String = tr.text().collect();
        if row.contains("cost") {
            assert!(row.contains("(score)") && !row.contains('£'), "{row}");
        } else if row.contains("spend") {
            assert!(row.contains('£'), "{row}");
        }
    }
    // The curve's cost is a score: headed so, and never printed with a £ sign.
    let curve_cells: Vec<String> = select(&doc, "h2#h-curve ~ table tbody tr")
        .iter()
        .map(|tr| tr.text().collect::<Vec<_>>().join("|"))
        .collect();
    let head: String = select(&doc, "h2#h-curve ~ table thead")[0].text().collect();
    assert!(
        head.contains("Expected weekly cost (score)") && head.contains("Weekly spend (£)"),
        "{head}"
    );
    for (row, p) in curve_cells.iter().zip(&result.cost_curve) {
        let cost = placematch::support::money::score(p.expected_weekly_cost);
        assert!(row.contains(&cost) && !row.contains(&format!("£{cost}")), "{row}");
    }
    let stripped = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!stripped.contains("http://") && !stripped.contains("https://"));
    assert!(select(&doc, "[src]").is_empty());
}
