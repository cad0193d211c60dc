//! `solve --since`: a new vacancy named as a cause, `check` holding `from_home` to the earlier
//! result, and `import` running the located rules of `validate`.

use placematch::check::{check, check_since};
use placematch::pair::instance::{load_batch, Instance};
use placematch::result::changes::{changes, CauseKind, Change};
use placematch::result::format::MatchResult;
use serde_json::{json, Value};

use crate::harness::{base_batch, bin, solve_checked};

fn load(b: &Value) -> Instance {
    load_batch(&b.to_string(), "t", None).unwrap()
}

/// Base batch plus C3, a twin of C1: both would rather have H1 (one bed) than H2.
fn twins() -> Value {
    let mut b = base_batch();
    b["children"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "C3", "location": {"postcode": "RH13 5AB"}, "age": 12}));
    b
}

/// The afternoon's result with its changes since `before`, checked against it.
fn since(b: &Value, before: &MatchResult) -> (Instance, MatchResult) {
    let inst = load(b);
    let mut now = solve_checked(&inst, 1);
    now.since = before.batch_id.clone();
    now.changes = changes(&inst, &now, before);
    assert!(check_since(&inst, &now, Some(before)).is_empty());
    (inst, now)
}

fn moved_to<'a>(now: &'a MatchResult, home: &str) -> &'a Change {
    now.changes
        .iter()
        .find(|c| c.to_home.as_deref() == Some(home) && c.from_home.as_deref() != Some(home))
        .unwrap_or_else(|| panic!("no one moves to {home}: {:#?}", now.changes))
}

#[test]
fn more_free_beds_are_named_a_new_vacancy() {
    let mut b = twins();
    let before = solve_checked(&load(&b), 1);
    let sizes = before.vacancies.as_ref().expect("the result records its vacancies");
    assert_eq!(
        sizes,
        &[("H1".to_string(), 1), ("H2".to_string(), 2)].into_iter().collect()
    );
    // H1 now has a second bed: the twin at H2 moves there, and the change says why.
    b["homes"][0]["vacancies"] = json!(2);
    let (_, now) = since(&b, &before);
    let c = moved_to(&now, "H1");
    let cause = c
        .reasons
        .iter()
        .find(|r| r.kind == CauseKind::NewVacancy)
        .expect("new vacancy");
    assert_eq!(cause.home.as_deref(), Some("H1"));
    assert!(
        c.why.contains("a new vacancy at H1 (2 free beds, 1 before)"),
        "{}",
        c.why
    );
    // An older result, without `vacancies`, still reads and names none.
    let mut old = serde_json::to_value(&before).unwrap();
    old.as_object_mut().unwrap().remove("vacancies");
    let old: MatchResult = serde_json::from_value(old).unwrap();
    assert!(old.vacancies.is_none());
    let (_, now) = since(&b, &old);
    assert!(moved_to(&now, "H1")
        .reasons
        .iter()
        .all(|r| r.kind != CauseKind::NewVacancy));
}

#[test]
fn a_home_not_in_the_earlier_run_is_a_new_vacancy() {
    let mut b = base_batch();
    let before = solve_checked(&load(&b), 1);
    // A foster home in C2's own sector, cheaper than its residential H2.
    b["homes"].as_array_mut().unwrap().push(json!(
        {"id": "H3", "provider": "P1", "type": "foster", "location": {"postcode": "BN1 1"}, "vacancies": 1, "weekly_price": 500}
    ));
    let (_, now) = since(&b, &before);
    let c = moved_to(&now, "H3");
    assert_eq!(c.child, "C2");
    assert!(
        c.why.contains("a new vacancy at H3 (not in the earlier run)"),
        "{}",
        c.why
    );
    // The HTML report shows the sentence.
    let page = placematch::report::render_result(&now, None).unwrap();
    assert!(page.contains("a new vacancy at H3"), "the report names the new vacancy");
}

#[test]
fn the_checker_holds_from_home_to_the_earlier_result() {
    let mut b = twins();
    let before = solve_checked(&load(&b), 1);
    b["homes"][0]["vacancies"] = json!(2);
    let (inst, now) = since(&b, &before);
    // A change claiming the child came from the other home is refused, with the earlier file.
    let mut tampered = now.clone();
    let c = tampered
        .changes
        .iter_mut()
        .find(|c| c.to_home.as_deref() == Some("H1"))
        .unwrap();
    c.from_home = Some("H1".into());
    assert!(
        check(&inst, &tampered).is_empty(),
        "without the earlier result it cannot tell"
    );
    let problems = check_since(&inst, &tampered, Some(&before));
    assert!(
        problems
            .iter()
            .any(|p| p.contains("from_home") && p.contains("earlier result placed it")),
        "{problems:#?}"
    );
    // And a move left out of the changes is refused too.
    let mut dropped = now.clone();
    dropped.changes.retain(|c| c.to_home.as_deref() != Some("H1"));
    let problems = check_since(&inst, &dropped, Some(&before));
    assert!(
        problems.iter().any(|p| p.contains("but has no change")),
        "{problems:#?}"
    );
    // The command line: `check --since`.
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "batch.json", &b);
    put(dir.path(), "before.json", &before);
    put(dir.path(), "tampered.json", &tampered);
    put(dir.path(), "now.json", &now);
    let run = |r: &str| {
        bin()
            .current_dir(dir.path())
            .args(["check", "batch.json", r, "--since", "before.json"])
            .assert()
    };
    run("now.json").success();
    let out = run("tampered.json").failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("from_home"), "{err}");
}

/// `--since` adds `changes.csv` to the CSV folder, so one already there stops the run before
/// anything is written, as every other output does, and `--force` replaces it.
#[test]
fn since_refuses_an_existing_changes_csv_before_writing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("instances/example.json");
    let before = dir.path().join("before.json");
    bin()
        .arg("solve")
        .arg(&example)
        .arg("-o")
        .arg(&before)
        .assert()
        .success();
    let csv = dir.path().join("csv");
    std::fs::create_dir(&csv).unwrap();
    std::fs::write(csv.join("changes.csv"), "keep me").unwrap();
    let solve = || {
        let mut c = bin();
        c.arg("solve")
            .arg(&example)
            .arg("--since")
            .arg(&before)
            .arg("--csv")
            .arg(&csv);
        c.arg("-o").arg(dir.path().join("now.json"));
        c
    };
    let out = solve().assert().code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("changes.csv"), "{err}");
    assert_eq!(std::fs::read_to_string(csv.join("changes.csv")).unwrap(), "keep me");
    assert!(!csv.join("summary.csv").exists(), "nothing written before the refusal");
    assert!(!dir.path().join("now.json").exists());
    solve().arg("--force").assert().success();
    let changes = std::fs::read_to_string(csv.join("changes.csv")).unwrap();
    assert!(changes.starts_with("child,what changed"), "{changes}");
}

fn put(dir: &std::path::Path, name: &str, v: &impl serde::Serialize) {
    std::fs::write(dir.join(name), serde_json::to_string(v).unwrap()).unwrap();
}

#[test]
fn import_runs_the_located_rules_of_validate() {
    // The afternoon's sheets with one more decision: WSX-C02 held at the secure home WSX-H40,
    // which breaks its hard rules (E1715). Every cell reads, so only the located rules see it.
    let dir = tempfile::tempdir().unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("instances/sheets/afternoon");
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    let decisions = dir.path().join("decisions.csv");
    let mut text = std::fs::read_to_string(&decisions).unwrap();
    text.push_str("WSX-C02,WSX-H40,held,bed kept until Friday,22/11/2026 15:00\n");
    std::fs::write(&decisions, text).unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args(["import", ".", "-o", "batch.json"])
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("decisions.csv:row 5"), "{err}");
    assert!(err.contains("E1715"), "{err}");
    assert!(!dir.path().join("batch.json").exists());
}
