//! A broker's day as the README walks it, command by command through the built binary:
//! templates → import the morning's sheets → solve → providers answer (two refusals, an
//! acceptance, an offer) → import the afternoon → re-solve with `--since` → workbook out.
//! Each command is run exactly as the README shows it, in a scratch folder holding a copy of
//! `instances/sheets/`, and what it claims is asserted from its files.

use std::path::Path;

use calamine::{open_workbook, Reader, Xlsx};
use serde_json::Value;

use crate::harness::{bin, instance};

/// Runs `placematch ARGS` in `dir` (split on spaces, as the README writes it); its stdout.
fn run(dir: &Path, line: &str) -> String {
    let args: Vec<&str> = line.split_whitespace().skip(1).collect();
    let out = bin().current_dir(dir).args(&args).assert().success();
    String::from_utf8_lossy(&out.get_output().stdout).to_string()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn json(dir: &Path, file: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap()
}

/// Where a result places a child.
fn home_of<'a>(r: &'a Value, child: &str) -> Option<&'a str> {
    r["placements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["child"] == child)
        .and_then(|p| p["home"].as_str())
}

#[test]
fn the_brokers_day_runs_as_the_readme_shows_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_dir(&instance("sheets"), &dir.join("instances/sheets"));

    // The README's quick start, in its order.
    run(dir, "placematch import --template templates/");
    for f in [
        "children.csv",
        "homes.csv",
        "providers.csv",
        "offers.csv",
        "decisions.csv",
        "notes.csv",
        "template.xlsx",
    ] {
        assert!(dir.join("templates").join(f).is_file(), "{f}");
    }
    run(dir, "placematch import instances/sheets/ -o morning.json");
    run(dir, "placematch solve morning.json --check -o morning-result.json");
    run(dir, "placematch import instances/sheets/afternoon/ -o afternoon.json");
    let table = run(
        dir,
        "placematch solve afternoon.json --since morning-result.json --check --format table",
    );
    run(
        dir,
        "placematch solve afternoon.json --since morning-result.json --check -o afternoon-result.json --xlsx afternoon.xlsx --html afternoon.html",
    );

    let (am, pm) = (json(dir, "morning-result.json"), json(dir, "afternoon-result.json"));
    let batch = json(dir, "afternoon.json");
    assert_eq!(batch["decisions"].as_array().unwrap().len(), 3);
    assert_eq!(batch["offers"].as_array().unwrap().len(), 1);

    // The acceptance: WSX-C07 was proposed WSX-H40 in the morning, accepted, and stays there.
    assert_eq!(home_of(&am, "WSX-C07"), Some("WSX-H40"));
    assert_eq!(home_of(&pm, "WSX-C07"), Some("WSX-H40"));
    // The refusals: neither pair is used, and neither declined home is an alternative.
    for (child, home) in [("WSX-C04", "WSX-H06"), ("WSX-C01", "WSX-H24")] {
        assert_eq!(
            home_of(&am, child),
            Some(home),
            "the morning proposed {child} at {home}"
        );
        assert_ne!(home_of(&pm, child), Some(home), "{child} refused by {home}");
        let p = pm["placements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["child"] == child)
            .unwrap();
        assert!(
            p["alternatives"].as_array().unwrap().iter().all(|a| a["home"] != home),
            "{p}"
        );
    }
    // The offer: WSX-C03 goes to WSX-H44 at the offered £1,050, not its £1,400 list price.
    assert_eq!(home_of(&am, "WSX-C03"), Some("WSX-H30"));
    let c03 = pm["placements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["child"] == "WSX-C03")
        .unwrap();
    assert_eq!(
        (c03["home"].as_str(), c03["cost"]["price"].as_f64()),
        (Some("WSX-H44"), Some(1050.0))
    );

    // The changes name the refusal, the acceptance and the offer.
    let changes = pm["changes"].as_array().unwrap();
    let change = |c: &str| {
        changes
            .iter()
            .find(|x| x["child"] == c)
            .unwrap_or_else(|| panic!("{c}: {changes:?}"))
    };
    let c01 = change("WSX-C01");
    assert_eq!(
        (c01["kind"].as_str(), c01["from_home"].as_str(), c01["to_home"].as_str()),
        (Some("moved"), Some("WSX-H24"), Some("WSX-H26"))
    );
    assert_eq!(c01["reasons"][0]["kind"], "declined");
    assert!(c01["why"].as_str().unwrap().contains("cannot meet her needs"), "{c01}");
    assert!(change("WSX-C04")["why"]
        .as_str()
        .unwrap()
        .contains("no room for a sibling"));
    assert_eq!(
        change("WSX-C05")["reasons"][0]["kind"],
        "declined",
        "the sibling's refusal moves the group"
    );
    assert_eq!(change("WSX-C07")["kind"], "settled");
    assert_eq!(change("WSX-C03")["reasons"][0]["kind"], "offer");
    assert_eq!(pm["since"], "wsx-2026-11-22");
    assert!(
        table.contains("changes since wsx-2026-11-22: ") && table.contains("declined by"),
        "{table}"
    );

    // The workbook has the changes; the report shows them.
    let mut book: Xlsx<_> = open_workbook(dir.join("afternoon.xlsx")).unwrap();
    let sheet = book.worksheet_range("Changes").unwrap();
    assert_eq!(sheet.height(), changes.len() + 1);
    let html = std::fs::read_to_string(dir.join("afternoon.html")).unwrap();
    assert!(html.contains("Changes since wsx-2026-11-22"));
    // And `check` accepts the afternoon's result on its own.
    run(dir, "placematch check afternoon.json afternoon-result.json");
}

#[test]
fn an_unplaced_child_names_its_refusals() {
    // A child every home has refused: its explanation says who refused it, when and why.
    let mut b = crate::harness::base_batch();
    b["providers"][0]["name"] = serde_json::json!("Oak Care");
    b["as_of"] = serde_json::json!("2026-12-07");
    b["decisions"] = serde_json::json!([
        {"child": "C1", "home": "H1", "decision": "declined", "reason": "no room for a sibling", "at": "2026-12-07T10:00"},
        {"child": "C1", "home": "H2", "decision": "declined", "at": "2026-12-07"}
    ]);
    let inst = placematch::pair::instance::load_batch(&b.to_string(), "t", None).unwrap();
    let r = crate::harness::solve_checked(&inst, 3);
    let u = r.unplaced.iter().find(|u| u.child == "C1").expect("C1 unplaced");
    assert!(
        u.why
            .contains("Declined by Oak Care (H1) on 7 Dec 10:00: no room for a sibling"),
        "{}",
        u.why
    );
    assert!(u.why.contains("declined by Oak Care (H2) on 7 Dec"), "{}", u.why);
    assert!(u.relaxations.iter().all(|x| x.rule != "declined"));
    assert!(u.excluded.iter().any(|x| x.reason == "declined" && x.homes == 2));
}

#[test]
fn a_held_bed_goes_to_no_one_else() {
    // H1 (one bed) holds for C2; C1 would rather have H1 but gets H2; C2 may go elsewhere.
    let mut b = crate::harness::base_batch();
    b["decisions"] = serde_json::json!([{"child": "C2", "home": "H1", "decision": "held"}]);
    let inst = placematch::pair::instance::load_batch(&b.to_string(), "t", None).unwrap();
    let r = crate::harness::solve_checked(&inst, 3);
    for p in &r.placements {
        assert!(p.home != "H1" || p.child == "C2", "{} given C2's held bed", p.child);
        assert!(p.child == "C2" || p.alternatives.iter().all(|a| a.home != "H1"));
    }
}
