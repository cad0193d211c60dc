//! Error codes E1701–E1805, one test each: the spreadsheet importer, providers' offers and
//! decisions, `solve --since`, `simulate --sweep` and `solve --forecast` (the registry test in
//! `errors.rs` reads this file too).

use serde_json::{json, Value};

use crate::errors::{has, with};
use crate::harness::{base_batch, bin};

/// The issues of importing a template folder after `f` changes its files.
fn sheet_issues(f: impl FnOnce(&std::path::Path)) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let files = placematch::input::sheets::template_files().unwrap();
    placematch::result::sheets::write_files(dir.path(), &files, false).unwrap();
    f(dir.path());
    crate::harness::pairs(placematch::input::sheets::import(dir.path()))
}

fn replace_in(dir: &std::path::Path, file: &str, from: &str, to: &str) {
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{from} not in {file}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn e1701_unknown_column() {
    let got = sheet_issues(|d| replace_in(d, "children.csv", "postcode", "postcod"));
    assert!(
        got.contains(&("children.csv:postcod".into(), "E1701".into())),
        "{got:?}"
    );
}

#[test]
fn e1702_missing_sheet() {
    let got = sheet_issues(|d| std::fs::remove_file(d.join("homes.csv")).unwrap());
    assert!(got.iter().any(|(_, c)| c == "E1702"), "{got:?}");
}

#[test]
fn e1703_unreadable_date() {
    let got = sheet_issues(|d| replace_in(d, "batch.csv", "22/11/2026", "22/11/26"));
    assert!(
        got.contains(&("batch.csv:row 2:as_of".into(), "E1703".into())),
        "{got:?}"
    );
}

#[test]
fn e1704_duplicate_column() {
    let got = sheet_issues(|d| replace_in(d, "children.csv", "lat,", "postcode,"));
    assert!(
        got.contains(&("children.csv:postcode".into(), "E1704".into())),
        "{got:?}"
    );
}

#[test]
fn e1705_unreadable_sheet() {
    let got = sheet_issues(|d| std::fs::write(d.join("providers.csv"), b"id,name\nP1,Caf\xe9\n").unwrap());
    assert!(got.contains(&("providers.csv".into(), "E1705".into())), "{got:?}");
}

/// The base batch with providers' answers added.
fn answered(offers: Value, decisions: Value) -> String {
    with(|b| {
        b["offers"] = offers;
        b["decisions"] = decisions;
    })
}

#[test]
fn e1710_answer_unknown_child() {
    let text = answered(json!([{"child": "C9", "home": "H1", "weekly_price": 800}]), json!([]));
    has(&text, "offers[0].child", "E1710");
}

#[test]
fn e1711_answer_unknown_home() {
    let text = answered(
        json!([]),
        json!([{"child": "C1", "home": "H9", "decision": "declined"}]),
    );
    has(&text, "decisions[0].home", "E1711");
}

#[test]
fn e1712_duplicate_offer() {
    let o = json!({"child": "C1", "home": "H1", "weekly_price": 800});
    has(&answered(json!([o, o]), json!([])), "offers[1]", "E1712");
}

#[test]
fn e1713_duplicate_decision() {
    let d = json!({"child": "C1", "home": "H1", "decision": "declined"});
    has(&answered(json!([]), json!([d, d])), "decisions[1]", "E1713");
}

#[test]
fn e1714_accepted_twice() {
    let text = answered(
        json!([]),
        json!([{"child": "C1", "home": "H1", "decision": "accepted"}, {"child": "C1", "home": "H2", "decision": "accepted"}]),
    );
    has(&text, "decisions[1].decision", "E1714");
}

#[test]
fn e1715_decision_not_eligible() {
    let mut b = base_batch();
    b["children"][0]["placement_types"] = json!(["residential"]);
    b["decisions"] = json!([{"child": "C1", "home": "H1", "decision": "accepted"}]);
    has(&b.to_string(), "decisions[0]", "E1715");
    let e = placematch::pair::instance::load_batch(&b.to_string(), "x", None).unwrap_err();
    assert!(
        e.issues[0].message.contains("type_not_in_plan"),
        "{}",
        e.issues[0].message
    );
}

#[test]
fn e1716_beds_overcommitted() {
    let text = answered(
        json!([]),
        json!([{"child": "C1", "home": "H1", "decision": "accepted"}, {"child": "C2", "home": "H1", "decision": "held"}]),
    );
    has(&text, "decisions[1]", "E1716");
}

#[test]
fn e1717_admissions_overcommitted() {
    let mut b = base_batch();
    b["providers"][0]["max_admissions"] = json!(1);
    b["decisions"] = json!([
        {"child": "C1", "home": "H1", "decision": "accepted"},
        {"child": "C2", "home": "H2", "decision": "accepted"}
    ]);
    has(&b.to_string(), "decisions[1]", "E1717");
}

#[test]
fn e1718_unreadable_time() {
    let text = answered(
        json!([]),
        json!([{"child": "C1", "home": "H1", "decision": "declined", "at": "yesterday"}]),
    );
    has(&text, "decisions[0].at", "E1718");
}

#[test]
fn e1719_offer_on_block_home() {
    let mut b = base_batch();
    b["homes"][1]["block_vacancies"] = json!(1);
    b["offers"] = json!([{"child": "C1", "home": "H2", "weekly_price": 4000}]);
    has(&b.to_string(), "offers[0].home", "E1719");
}

#[test]
fn e1720_contradictory_decisions() {
    let text = answered(
        json!([]),
        json!([{"child": "C1", "home": "H1", "decision": "accepted"}, {"child": "C1", "home": "H2", "decision": "held"}]),
    );
    has(&text, "decisions[1].decision", "E1720");
}

#[test]
fn e1721_not_a_result() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch.json");
    std::fs::write(&batch, base_batch().to_string()).unwrap();
    let out = bin()
        .arg("solve")
        .arg(&batch)
        .arg("--since")
        .arg(&batch)
        .assert()
        .code(3);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("--since: E1721 not_a_result") && err.contains("is a batch"),
        "{err}"
    );
}

#[test]
fn e1723_budget_overcommitted() {
    // Both children are of the base authority; accepted at £800 and £4,500, a £5,000 budget.
    let mut b = base_batch();
    b["children"][0]["la"] = json!("E10000032");
    b["children"][1]["la"] = json!("E10000032");
    b["policy"] = json!({"weekly_budget": {"E10000032": 5000}});
    b["decisions"] = json!([
        {"child": "C1", "home": "H1", "decision": "accepted"},
        {"child": "C2", "home": "H2", "decision": "accepted"}
    ]);
    has(&b.to_string(), "decisions[1]", "E1723");
}

#[test]
fn e1722_zero_price() {
    let text = answered(json!([{"child": "C1", "home": "H1", "weekly_price": 0}]), json!([]));
    has(&text, "offers[0].weekly_price", "E1722");
}

/// `simulate --sweep` (E18xx): each bad sweep is refused with its code and exit 3 before any run.
fn sweep_error(spec: &str) -> String {
    let out = bin()
        .args(["simulate", "--days", "1", "--sweep", spec])
        .arg(crate::harness::instance("scenario-single.json"))
        .assert()
        .code(3);
    String::from_utf8_lossy(&out.get_output().stderr).to_string()
}

#[test]
fn e1801_unknown_sweep_weight_suggests_the_closest_and_lists_them() {
    let err = sweep_error("per_kn=0,5");
    assert!(err.contains("--sweep: E1801 unknown_sweep_weight"), "{err}");
    assert!(
        err.contains("did you mean `per_km`?") && err.contains("`unplaced.planned`"),
        "{err}"
    );
}

#[test]
fn e1802_bad_sweep_value_negative_not_a_number_or_above_its_range() {
    let err = sweep_error("per_km=-1,ten,20000");
    for at in ["--sweep.per_km[0]", "--sweep.per_km[1]", "--sweep.per_km[2]"] {
        assert!(err.contains(&format!("{at}: E1802 bad_sweep_value")), "{err}");
    }
    assert!(err.contains("10,000 £ a week per km"), "{err}");
}

#[test]
fn e1803_bad_sweep_spec_without_values_or_equals_sign() {
    for spec in [
        "per_km",
        "per_km=",
        "per_km=5,5",
        "per_km=1,2,3,4,5,6,7,8,9,10,11,12,13",
    ] {
        let err = sweep_error(spec);
        assert!(err.contains("E1803 bad_sweep_spec"), "{spec}: {err}");
    }
}

#[test]
fn e1804_forecast_not_a_scenario_names_what_the_file_is() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch.json");
    std::fs::write(&batch, base_batch().to_string()).unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "children expected next week: two\n").unwrap();
    let plan = dir.path().join("plan.json");
    std::fs::write(
        &plan,
        json!({"format": "placematch/plan@1", "members": [{"la": "E10000032"}]}).to_string(),
    )
    .unwrap();
    for (forecast, what) in [
        (&batch, "is a `placematch/batch@1` file"),
        (&notes, "is neither JSON nor a history CSV"),
        (&plan, "is a plan without a `history` section"),
    ] {
        let out = bin()
            .arg("solve")
            .arg(&batch)
            .arg("--forecast")
            .arg(forecast)
            .assert()
            .code(3);
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(
            err.contains("--forecast: E1804 forecast_not_a_scenario") && err.contains(what),
            "{err}"
        );
    }
}

#[test]
fn e1805_forecast_without_demand_when_history_has_no_bought_placement() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch.json");
    std::fs::write(&batch, base_batch().to_string()).unwrap();
    // Placed with parents (P1) and for adoption (A3): nothing a co-operative buys.
    let history = dir.path().join("history.csv");
    std::fs::write(
        &history,
        "CHILD,DECOM,PLACE,LA\nC1,01/01/2026,P1,E10000032\nC2,05/01/2026,A3,E10000032\n",
    )
    .unwrap();
    let out = bin()
        .arg("solve")
        .arg(&batch)
        .arg("--forecast")
        .arg(&history)
        .assert()
        .code(3);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("E1805 forecast_without_demand"), "{err}");
    assert!(err.contains("history.csv: E1805"), "located at the file: {err}");
}
