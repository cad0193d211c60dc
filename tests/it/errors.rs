//! Every error code, fed its bad input: the path and the code are asserted, and nothing panics.
//! Codes E1701 and on (spreadsheets, providers' answers, command-line options) are in
//! `errors_answers.rs`.

use serde_json::{json, Value};

use crate::harness::{base_batch, bin, issues};

/// The base batch changed by `f`, as text.
pub(crate) fn with(f: impl FnOnce(&mut Value)) -> String {
    let mut b = base_batch();
    f(&mut b);
    b.to_string()
}

/// Asserts that `text` fails to load with `code` at `path`.
pub(crate) fn has(text: &str, path: &str, code: &str) {
    let got = issues(text);
    assert!(
        got.iter().any(|(p, c)| p == path && c == code),
        "expected {code} at {path}, got {got:?}"
    );
}

#[test]
fn base_batch_is_valid() {
    assert_eq!(issues(&base_batch().to_string()), vec![]);
}

#[test]
fn e1001_malformed_json_reports_line_and_column() {
    let e = placematch::pair::instance::load_batch(
        "{\n  \"format\": \"placematch/batch@1\",\n  \"children\": [,]\n}",
        "x",
        None,
    )
    .unwrap_err();
    assert_eq!(e.issues.len(), 1);
    assert_eq!(e.issues[0].code.code(), "E1001");
    assert!(e.issues[0].message.contains("line 3"), "{}", e.issues[0].message);
}

#[test]
fn e1002_wrong_format() {
    has(&with(|b| b["format"] = json!("placematch/batch@2")), "format", "E1002");
}

#[test]
fn e1003_wrong_type() {
    has(
        &with(|b| b["children"][1]["age"] = json!("fifteen")),
        "children[1].age",
        "E1003",
    );
    has(&with(|b| b["homes"] = json!({"H1": 1})), "homes", "E1003");
}

#[test]
fn e1004_unknown_field_at_every_level() {
    has(
        &with(|b| b["children"][0]["postcode"] = json!("RH12 1")),
        "children[0].postcode",
        "E1004",
    );
    has(
        &with(|b| b["children"][0]["location"]["postcod"] = json!("RH12 1")),
        "children[0].location.postcod",
        "E1004",
    );
    has(&with(|b| b["colour"] = json!("blue")), "colour", "E1004");
    has(
        &with(|b| b["policy"] = json!({"per_kilometre": 3})),
        "policy.per_kilometre",
        "E1004",
    );
}

#[test]
fn e1005_missing_field() {
    has(
        &with(|b| drop(b["homes"][0].as_object_mut().unwrap().remove("weekly_price"))),
        "homes[0].weekly_price",
        "E1005",
    );
    has(
        &with(|b| drop(b.as_object_mut().unwrap().remove("format"))),
        "format",
        "E1005",
    );
}

#[test]
fn e1006_unknown_value() {
    has(
        &with(|b| b["homes"][0]["ofsted"] = json!("great")),
        "homes[0].ofsted",
        "E1006",
    );
    has(
        &with(|b| b["children"][0]["placement_types"] = json!(["foster", "Z9"])),
        "children[0].placement_types[1]",
        "E1006",
    );
    has(
        &with(|b| b["children"][0]["needs"] = json!({"happiness": 2})),
        "children[0].needs.happiness",
        "E1006",
    );
}

#[test]
fn e1101_duplicate_ids() {
    has(
        &with(|b| b["children"][1]["id"] = json!("C1")),
        "children[1].id",
        "E1101",
    );
    has(&with(|b| b["homes"][1]["id"] = json!("H1")), "homes[1].id", "E1101");
}

#[test]
fn e1102_empty_batch() {
    has(&with(|b| b["children"] = json!([])), "children", "E1102");
    has(&with(|b| b["homes"] = json!([])), "homes", "E1102");
}

#[test]
fn e1201_bad_location() {
    has(
        &with(|b| b["children"][0]["location"] = json!({})),
        "children[0].location",
        "E1201",
    );
    has(
        &with(|b| b["children"][0]["location"] = json!({"postcode": "RH12 1", "lat": 51.0, "lon": 0.1})),
        "children[0].location",
        "E1201",
    );
    has(
        &with(|b| b["children"][0]["exclusion_zones"] = json!([{"radius_km": 5}])),
        "children[0].exclusion_zones[0]",
        "E1201",
    );
}

#[test]
fn e1202_unknown_postcode() {
    has(
        &with(|b| b["children"][1]["location"] = json!({"postcode": "ZZ99 9ZZ"})),
        "children[1].location.postcode",
        "E1202",
    );
    has(
        &with(|b| b["children"][0]["exclusion_zones"] = json!([{"center": {"postcode": "QQ1 1"}, "radius_km": 5}])),
        "children[0].exclusion_zones[0].center.postcode",
        "E1202",
    );
}

#[test]
fn e1203_unknown_provider() {
    has(
        &with(|b| b["homes"][1]["provider"] = json!("P9")),
        "homes[1].provider",
        "E1203",
    );
}

#[test]
fn e1204_unknown_authority() {
    has(
        &with(|b| b["children"][0]["la"] = json!("E99999999")),
        "children[0].la",
        "E1204",
    );
    has(
        &with(|b| b["policy"] = json!({"weekly_budget": {"X1": 100}})),
        "policy.weekly_budget.X1",
        "E1204",
    );
}

#[test]
fn e1205_outside_coverage() {
    has(
        &with(|b| b["children"][1]["location"] = json!({"lat": 40.4, "lon": -3.7})),
        "children[1].location",
        "E1205",
    );
}

#[test]
fn e1301_age_out_of_range() {
    has(
        &with(|b| b["children"][0]["age"] = json!(-1)),
        "children[0].age",
        "E1301",
    );
    has(
        &with(|b| b["homes"][0]["age_max"] = json!(40)),
        "homes[0].age_max",
        "E1301",
    );
}

#[test]
fn e1302_score_out_of_range() {
    has(
        &with(|b| b["children"][0]["needs"] = json!({"education": 4})),
        "children[0].needs.education",
        "E1302",
    );
    has(
        &with(|b| b["homes"][0]["support"] = json!({"voice": -1})),
        "homes[0].support.voice",
        "E1302",
    );
}

#[test]
fn e1303_negative_values() {
    has(
        &with(|b| b["homes"][0]["weekly_price"] = json!(-5)),
        "homes[0].weekly_price",
        "E1303",
    );
    has(
        &with(|b| b["homes"][0]["vacancies"] = json!(-1)),
        "homes[0].vacancies",
        "E1303",
    );
    has(
        &with(|b| b["policy"] = json!({"per_km": -2.0})),
        "policy.per_km",
        "E1303",
    );
    has(
        &with(|b| b["children"][0]["waiting_days"] = json!(-3)),
        "children[0].waiting_days",
        "E1303",
    );
}

#[test]
fn e1303_numbers_too_large_to_be_finite() {
    // JSON has no NaN; a number beyond f64 is the way a non-finite value arrives.
    let text = base_batch()
        .to_string()
        .replace("\"weekly_price\":800", "\"weekly_price\":1e999");
    let got = issues(&text);
    assert!(!got.is_empty(), "an infinite price must be rejected");
}

#[test]
fn e1304_inconsistent_ranges() {
    has(
        &with(|b| {
            b["homes"][0]["age_min"] = json!(15);
            b["homes"][0]["age_max"] = json!(12);
        }),
        "homes[0].age_min",
        "E1304",
    );
    has(
        &with(|b| b["homes"][0]["block_vacancies"] = json!(3)),
        "homes[0].block_vacancies",
        "E1304",
    );
    has(
        &with(|b| {
            b["children"][0]["min_distance_km"] = json!(50);
            b["children"][0]["max_distance_km"] = json!(10);
        }),
        "children[0].min_distance_km",
        "E1304",
    );
}

#[test]
fn e1305_percent_out_of_range() {
    has(
        &with(|b| b["providers"][0]["volume_discount"] = json!({"min_placements": 2, "percent": 150})),
        "providers[0].volume_discount.percent",
        "E1305",
    );
}

#[test]
fn e1401_result_that_is_not_a_result() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("b.json");
    let result = dir.path().join("r.json");
    std::fs::write(&batch, base_batch().to_string()).unwrap();
    std::fs::write(&result, "{\"format\": \"placematch/result@1\"}").unwrap();
    let out = bin().args(["check"]).arg(&batch).arg(&result).assert().code(3);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("E1401"), "{err}");
}

#[test]
fn all_problems_are_reported_at_once_with_their_original_positions() {
    let text = with(|b| {
        b["children"][0]["age"] = json!("x"); // type error drops children[0] …
        b["children"][1]["location"] = json!({"postcode": "ZZ1 1"}); // … but children[1] keeps its index
        b["homes"][1]["provider"] = json!("nobody");
        b["homes"][0]["weekly_price"] = json!(-1);
    });
    let got = issues(&text);
    for (path, code) in [
        ("children[0].age", "E1003"),
        ("children[1].location.postcode", "E1202"),
        ("homes[1].provider", "E1203"),
        ("homes[0].weekly_price", "E1303"),
    ] {
        assert!(
            got.iter().any(|(p, c)| p == path && c == code),
            "missing {code} at {path} in {got:?}"
        );
    }
}

#[test]
fn every_registered_code_is_covered_by_a_test_here() {
    let src = [include_str!("errors.rs"), include_str!("errors_answers.rs")].concat();
    for c in placematch::errors::ErrorCode::ALL {
        let needle = c.code().to_lowercase();
        assert!(
            src.contains(&format!("fn {needle}_")),
            "no test named after {}",
            c.code()
        );
    }
}

#[test]
fn validate_command_prints_every_issue_and_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.json");
    std::fs::write(
        &p,
        with(|b| {
            b["children"][0]["age"] = json!(99);
            b["homes"][0]["vacancies"] = json!(-2);
        }),
    )
    .unwrap();
    let out = bin().arg("validate").arg(&p).assert().code(3);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("children[0].age: E1301") && err.contains("homes[0].vacancies: E1303"),
        "{err}"
    );
    assert!(err.contains("what to do"), "{err}");
}

#[test]
fn garbage_inputs_never_panic() {
    for text in [
        "",
        "null",
        "[]",
        "42",
        "{\"format\": 3}",
        "{\"children\": [null, 1, \"x\"]}",
        "{\"homes\": [{}]}",
        "\u{feff}{}",
        "{\"policy\": {\"weekly_budget\": \"lots\"}}",
    ] {
        let r = std::panic::catch_unwind(|| placematch::pair::instance::load_batch(text, "g", None));
        assert!(
            matches!(r, Ok(Err(_))),
            "input {text:?} must be rejected without a panic"
        );
    }
}

/// The scenario's own codes (placematch/scenario@1), on mutations of the single-authority instance.
fn scenario_issues(f: impl FnOnce(&mut Value)) -> Vec<(String, String)> {
    let path = crate::harness::instance("scenario-single.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    f(&mut v);
    crate::harness::pairs(placematch::compare::scenario::parse_scenario(&v.to_string(), "test"))
}

fn scenario_has(got: &[(String, String)], path: &str, code: &str) {
    assert!(
        got.iter().any(|(p, c)| p == path && c == code),
        "missing {code} at {path} in {got:?}"
    );
}

#[test]
fn e1501_empty_scenario() {
    let got = scenario_issues(|v| {
        v["authorities"] = json!([]);
        v["home_generators"] = json!([]);
    });
    scenario_has(&got, "authorities", "E1501");
    scenario_has(&got, "homes", "E1501");
}

#[test]
fn e1502_bad_probability() {
    let got = scenario_issues(|v| {
        v["segments"][0]["female_share"] = json!(1.2);
        v["segments"][1]["urgency"] = json!({"urgent": 0.5, "planned": 0.2});
    });
    scenario_has(&got, "segments[0].female_share", "E1502");
    scenario_has(&got, "segments[1].urgency", "E1502");
}

#[test]
fn e1503_bad_distribution() {
    let got = scenario_issues(|v| {
        v["segments"][0]["duration"] = json!({"gamma": {"mean_days": 200, "shape": 0}});
        v["outside_demand"]["mean_stay_days"] = json!(0);
    });
    scenario_has(&got, "segments[0].duration", "E1503");
    scenario_has(&got, "outside_demand.mean_stay_days", "E1503");
}

#[test]
fn e1504_authority_not_in_scenario() {
    let got = scenario_issues(|v| v["segments"][2]["authorities"] = json!({"E10000030": 1}));
    scenario_has(&got, "segments[2].authorities.E10000030", "E1504");
}

#[test]
fn e1505_sector_outside_authority() {
    let got = scenario_issues(|v| v["authorities"][0]["sectors"] = json!(["RH12 1", "GU1 1"]));
    scenario_has(&got, "authorities[0].sectors[1]", "E1505");
    assert!(!got.iter().any(|(p, _)| p == "authorities[0].sectors[0]"), "{got:?}");
}
// Plan codes (E15xx): each fed its bad plan in tests/it/plan.rs; these name them here.
fn plan_issue(f: impl FnOnce(&mut Value)) -> Vec<(String, String)> {
    let mut v = json!({
        "format": "placematch/plan@1", "horizon_weeks": 10, "members": [{"la": "E10000032"}],
        "segments": [{"id": "s", "la": "E10000032", "type": "foster", "weekly_arrivals": 1, "duration": {"mean_weeks": 5}}],
        "spot": [{"type": "foster", "weekly_price": 1000, "local_probability": 0.5, "distant_price": 1100, "distant_km": 60}]
    });
    f(&mut v);
    crate::harness::pairs(placematch::plan::format::load_plan(&v.to_string(), "p", None))
}

#[test]
fn e1601_no_demand() {
    let got = plan_issue(|v| drop(v.as_object_mut().unwrap().remove("segments")));
    assert!(got.contains(&("segments".into(), "E1601".into())), "{got:?}");
}

#[test]
fn e1602_not_a_member() {
    let got = plan_issue(|v| v["segments"][0]["la"] = json!("E10000016"));
    assert!(got.contains(&("segments[0].la".into(), "E1602".into())), "{got:?}");
}

#[test]
fn e1603_bad_duration() {
    let got = plan_issue(|v| v["segments"][0]["duration"] = json!({"mean_weeks": 0.5}));
    assert!(
        got.contains(&("segments[0].duration.mean_weeks".into(), "E1603".into())),
        "{got:?}"
    );
}

#[test]
fn e1604_probability_out_of_range_is_reported_as_its_older_twin_e1502() {
    // E1604 meant what E1502 means; one fault has one code, the older (docs/reference/errors.md).
    let got = plan_issue(|v| v["spot"][0]["local_probability"] = json!(-0.1));
    assert!(
        got.contains(&("spot[0].local_probability".into(), "E1502".into())),
        "{got:?}"
    );
    assert!(!got.iter().any(|(_, c)| c == "E1604"), "{got:?}");
}

#[test]
fn e1605_no_spot_market() {
    let got = plan_issue(|v| v["spot"][0]["type"] = json!("supported"));
    assert!(got.contains(&("segments[0].type".into(), "E1605".into())), "{got:?}");
}

#[test]
fn e1606_history_unreadable() {
    let got = plan_issue(|v| v["history"] = json!({"file": "/nonexistent/h.csv"}));
    assert!(got.contains(&("history.file".into(), "E1606".into())), "{got:?}");
}

#[test]
fn e1607_bad_date() {
    let got = plan_issue(|v| v["history"] = json!({"file": "x.csv", "from": "soon"}));
    assert!(got.contains(&("history.from".into(), "E1607".into())), "{got:?}");
}

#[test]
fn e1608_unknown_place_code() {
    let m = vec![placematch::plan::format::MemberPlace {
        la: "E10000032".into(),
        name: "W".into(),
        lat: 51.0,
        lon: -0.5,
    }];
    let set = m.iter().map(|x| x.la.clone()).collect();
    let e = placematch::plan::history::estimate_text(
        "CHILD,DECOM,PLACE,LA\nC1,01/01/2024,XX,E10000032\n",
        "h.csv",
        None,
        None,
        &set,
        &m,
    )
    .unwrap_err();
    assert_eq!(
        (e[0].path.as_str(), e[0].code.code()),
        ("h.csv line 2 column PLACE", "E1608")
    );
}

/// A well-formed batch is read straight from the text, anything else through the JSON tree
/// (`read::parse_batch`). A duplicated key once passed the tree read (the last value won):
/// both reads now refuse it. Two bad records in one batch must both be reported by the tree.
#[test]
fn straight_read_and_tree_read_agree() {
    let base = base_batch().to_string();
    placematch::pair::instance::load_batch(&base, "x", None).expect("valid");
    // The same batch with its format given twice, the first time wrongly.
    let dup = base.replacen('{', "{\"format\": \"placematch/batch@2\", ", 1);
    let e = placematch::pair::instance::load_batch(&dup, "x", None).expect_err("a repeated key is refused");
    assert_eq!(
        (e.issues[0].path.as_str(), e.issues[0].code.code()),
        ("format", "E1007")
    );
    let two_bad = with(|b| {
        b["children"][0]["age"] = json!("ten");
        b["homes"][1]["vacancies"] = json!(-1.5);
    });
    let got = issues(&two_bad);
    assert!(got.iter().any(|(p, _)| p == "children[0].age"), "{got:?}");
    assert!(got.iter().any(|(p, _)| p == "homes[1].vacancies"), "{got:?}");
}

#[test]
fn e1007_duplicate_key_in_a_record_or_a_map_is_refused_with_its_path() {
    // serde_json keeps the last of two equal keys: the first id, or the first needs level,
    // would vanish without a word.
    let text = base_batch()
        .to_string()
        .replacen("\"id\":\"C1\"", "\"id\":\"C1\",\"id\":\"C14X\"", 1);
    assert!(text.contains("C14X"), "{text}");
    has(&text, "children[0].id", "E1007");
    let text = with(|b| b["children"][0]["needs"] = json!({"education": 1})).replacen(
        "\"education\":1",
        "\"education\":1,\"education\":3",
        1,
    );
    has(&text, "children[0].needs.education", "E1007");
    // Every document goes through the same reader: a policy file and a scenario too.
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, "{\"per_km\": 2, \"per_km\": 20}").unwrap();
    let batch = dir.path().join("b.json");
    std::fs::write(&batch, base_batch().to_string()).unwrap();
    let out = bin()
        .arg("validate")
        .arg("--policy")
        .arg(&policy)
        .arg(&batch)
        .assert()
        .code(3);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("per_km: E1007"), "{err}");
    let scenario = std::fs::read_to_string(crate::harness::instance("scenario-single.json")).unwrap();
    let scenario = scenario.replacen("\"format\"", "\"seed_note\": 1, \"seed_note\"", 1);
    let s = dir.path().join("s.json");
    std::fs::write(&s, scenario).unwrap();
    let out = bin()
        .args(["simulate", "--days", "2", "--replications", "1"])
        .arg(&s)
        .assert()
        .code(3);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("seed_note: E1007"), "{err}");
}

#[test]
fn e1008_not_json_names_a_spreadsheet_and_a_bom_is_read() {
    let e = placematch::pair::instance::load_batch("id,age,postcode\nC1,12,RH12 1\n", "c.csv", None).unwrap_err();
    assert_eq!(e.issues.len(), 1);
    assert_eq!(e.issues[0].code.code(), "E1008");
    // A UTF-8 byte-order mark, as spreadsheet programs write, is not an error.
    let with_bom = format!("\u{feff}{}", base_batch());
    assert_eq!(issues(&with_bom), vec![]);
}

#[test]
fn e1009_wrong_document_says_what_the_file_is() {
    // A result given to solve: one issue naming it, not one per unknown field.
    let result = json!({"format": "placematch/result@1", "status": "optimal", "objective": 1.0, "placements": []});
    let got = issues(&result.to_string());
    assert_eq!(got, vec![("format".to_string(), "E1009".to_string())]);
    let e = placematch::pair::instance::load_batch(&result.to_string(), "r.json", None).unwrap_err();
    assert!(
        e.issues[0].message.contains("result written by `solve`"),
        "{}",
        e.issues[0].message
    );
    // The table of documents matches every format constant.
    use placematch::input::read::DOCUMENTS;
    for f in [
        placematch::input::batch::BATCH_FORMAT,
        placematch::result::format::RESULT_FORMAT,
        placematch::compare::scenario::SCENARIO_FORMAT,
        placematch::compare::simulate::SIMULATE_FORMAT,
        placematch::compare::bench::BENCH_FORMAT,
        placematch::plan::format::PLAN_FORMAT,
        placematch::plan::plan_result::PLAN_RESULT_FORMAT,
    ] {
        assert!(DOCUMENTS.iter().any(|(d, _)| *d == f), "{f} is missing from DOCUMENTS");
    }
    assert_eq!(DOCUMENTS.len(), 7);
}

#[test]
fn e1206_postcode_district_only_lists_its_sectors() {
    let text = with(|b| b["children"][0]["location"] = json!({"postcode": "EC1A"}));
    has(&text, "children[0].location.postcode", "E1206");
    let e = placematch::pair::instance::load_batch(&text, "x", None).unwrap_err();
    assert!(e.issues[0].message.contains("EC1A 1"), "{}", e.issues[0].message);
}

#[test]
fn e1207_ambiguous_postcode_is_never_read_as_another_place() {
    // "RH12" (Horsham) was read as RH1 2 (Redhill), "BN11" (Worthing) as BN1 1 (Brighton).
    for pc in ["RH12", "BN11", "rh12"] {
        let text = with(|b| b["homes"][0]["location"] = json!({"postcode": pc}));
        has(&text, "homes[0].location.postcode", "E1207");
    }
    // With its space, each is the place it names.
    for pc in ["RH12 1", "RH1 2", "BN11 1", "BN1 1", "RH121", "RH12 1AB", "RH121AB"] {
        let text = with(|b| b["homes"][0]["location"] = json!({"postcode": pc}));
        assert_eq!(issues(&text), vec![], "{pc}");
    }
    let geo = placematch::input::geography::Geography::get();
    assert_ne!(
        geo.sector("RH12 1").unwrap().lad,
        geo.sector("RH1 2").unwrap().lad,
        "Horsham is not Redhill"
    );
}

#[test]
fn a_wrong_type_in_a_needs_map_names_the_indicator() {
    // The path was built from serde's placeholder (`needs.?`) rather than the indicator.
    let text = with(|b| b["children"][0]["needs"] = json!({"education": 2, "emotional_health": "x"}));
    has(&text, "children[0].needs.emotional_health", "E1003");
}

#[test]
fn e1103_bad_id_empty_long_or_with_a_control_character() {
    has(&with(|b| b["children"][0]["id"] = json!("")), "children[0].id", "E1103");
    has(
        &with(|b| b["homes"][1]["id"] = json!("H".repeat(65))),
        "homes[1].id",
        "E1103",
    );
    has(
        &with(|b| b["providers"][0]["id"] = json!("P\n1")),
        "providers[0].id",
        "E1103",
    );
}

#[test]
fn e1306_value_too_large_for_every_kind_of_number() {
    for (path, set) in [
        ("homes[0].weekly_price", json!(1e16)),
        ("homes[0].vacancies", json!(1_000_000_000_000_000i64)),
        ("children[0].waiting_days", json!(100_000)),
        ("children[0].max_distance_km", json!(1e308)),
    ] {
        let text = with(|b| {
            let (rec, field) = path.split_once('.').unwrap();
            let (name, ix) = rec.trim_end_matches(']').split_once('[').unwrap();
            b[name][ix.parse::<usize>().unwrap()][field] = set.clone();
        });
        has(&text, path, "E1306");
    }
    for (field, v) in [("per_km", 1e305), ("out_of_area", 1e308), ("waiting_day", 1e6)] {
        has(
            &with(|b| b["policy"] = json!({ field: v })),
            &format!("policy.{field}"),
            "E1306",
        );
    }
    // The message gives the largest value allowed and its unit, and a huge value briefly.
    let e = placematch::pair::instance::load_batch(&with(|b| b["policy"] = json!({"per_km": 1e305})), "x", None)
        .unwrap_err();
    assert!(
        e.issues[0].message.contains("1e305") && e.issues[0].message.contains("10,000 £ a week per km"),
        "{}",
        e.issues[0].message
    );
}

#[test]
fn the_ranges_documented_are_the_ranges_enforced() {
    use placematch::input::rules::Range;
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/reference/ranges.md")).unwrap();
    for r in Range::ALL {
        let row = format!(
            "| {r:?} | {} | {} |",
            placematch::support::money::group(r.max() as u64),
            r.unit()
        );
        assert!(
            doc.contains(&row),
            "docs/reference/ranges.md lacks the row starting {row}"
        );
    }
}
