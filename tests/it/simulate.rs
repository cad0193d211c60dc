//! `placematch simulate`: determinism, conservation, the checker on every daily batch, common
//! random numbers, and errors in scenario files.

use placematch::compare::rules::Rule;
use placematch::compare::scenario::{load_scenario, parse_scenario, World};
use placematch::compare::simulate::{replication, run_replication, simulate, SimOptions};
use serde_json::{json, Value};

use crate::harness::{bin, instance};

fn world(name: &str, seed: u64) -> World {
    let text = std::fs::read_to_string(instance(name)).unwrap();
    load_scenario(&text, name, seed).unwrap_or_else(|e| panic!("{e}"))
}

fn opts(days: usize, replications: usize, seed: u64, rules: &[Rule], check: bool) -> SimOptions {
    SimOptions {
        days,
        replications,
        seed,
        rules: rules.to_vec(),
        check,
        baseline: None,
        lookahead: Default::default(),
        score_policy: None,
    }
}

#[test]
fn short_runs_repeat_exactly_for_a_seed_and_change_with_it() {
    let rules = [Rule::Optimal, Rule::Greedy, Rule::Random];
    let run = |seed| {
        let w = world("scenario-single.json", seed);
        let (report, violations) = simulate(&w, &opts(30, 2, seed, &rules, false), &|| {});
        assert!(violations.is_empty());
        serde_json::to_string(&report).unwrap()
    };
    let a = run(7);
    assert_eq!(a, run(7), "same seed, same numbers");
    assert_ne!(a, run(8), "another seed draws other children");
    let v: Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v["format"], "placematch/simulate@1");
    assert_eq!(v["rules"].as_array().unwrap().len(), 3);
    assert_eq!(v["rules"][0]["daily"].as_array().unwrap().len(), 30);
    assert!(v["rules"][0]["totals"]["arrivals"]["mean"].as_f64().unwrap() > 0.0);
}

#[test]
fn children_are_conserved_and_beds_never_overfilled_under_every_rule() {
    let w = world("scenario-coop.json", 3);
    let o = opts(90, 1, 3, &Rule::ALL, true);
    let rep = replication(&w, 3, 0, 90);
    for rule in Rule::ALL {
        let out = run_replication(&w, &rep, rule, &o, || {});
        let t = &out.totals;
        let arrivals = out.arrivals.len();
        assert!(
            arrivals > 100,
            "{rule:?}: the co-operative sees many children in 90 days"
        );
        assert_eq!(t.arrivals as usize, arrivals);
        // Every child who arrived is placed, waiting or gone, and was placed at least once unless waiting.
        let (waiting, placed, left) = out.end_state;
        assert_eq!(waiting + placed + left, arrivals, "{rule:?}");
        assert_eq!(out.ever_placed + out.never_placed_waiting, arrivals, "{rule:?}");
        assert_eq!(t.waiting_at_end as usize, waiting, "{rule:?}");
        // Placements are first placements plus moves; children leave only by ending a placement.
        assert_eq!(t.placements as usize, out.ever_placed + t.moves as usize, "{rule:?}");
        assert_eq!(t.placements_ended as usize, left, "{rule:?}");
        assert!(t.breakdowns + t.step_across_moves >= t.moves, "{rule:?}");
        // Daily counts add up to the totals.
        let placed_days: f64 = out.daily.iter().map(|d| d.placed).sum();
        assert_eq!(placed_days, t.child_days_placed);
        let waiting_days: f64 = out.daily.iter().map(|d| d.waiting).sum();
        assert_eq!(waiting_days, t.child_days_waiting);
        // The engine's own bed counts and the checker found nothing wrong.
        assert!(out.violations.is_empty(), "{rule:?}: {:#?}", out.violations);
    }
}

#[test]
fn every_daily_assignment_passes_the_independent_checker() {
    let w = world("scenario-single.json", 11);
    let rules = Rule::ALL;
    let (report, violations) = simulate(&w, &opts(60, 2, 11, &rules, true), &|| {});
    assert!(violations.is_empty(), "{violations:#?}");
    for r in &report.rules {
        assert!(r.totals.placements.mean > 20.0, "{} made placements to check", r.rule);
    }
}

#[test]
fn rules_see_the_same_children_but_choose_differently() {
    let w = world("scenario-coop.json", 5);
    let o = opts(60, 1, 5, &Rule::ALL, false);
    let rep = replication(&w, 5, 0, 60);
    let outs: Vec<_> = Rule::ALL
        .iter()
        .map(|&rule| run_replication(&w, &rep, rule, &o, || {}))
        .collect();
    for o in &outs[1..] {
        assert_eq!(o.arrivals, outs[0].arrivals, "{:?} saw other arrivals", o.rule);
        let a: Vec<f64> = o.daily.iter().map(|d| d.arrivals).collect();
        let b: Vec<f64> = outs[0].daily.iter().map(|d| d.arrivals).collect();
        assert_eq!(a, b);
    }
    // Same children, different choices: nearest and cheapest place children at different distances.
    let km = |rule: Rule| outs.iter().find(|o| o.rule == rule).unwrap().totals.mean_km;
    assert!(km(Rule::Nearest) < km(Rule::Cheapest));
    // A child's placement draws depend on the child and placement number only.
    let a = &rep.arrivals[3];
    let d1 = placematch::compare::simulate::placement_draws(&w, 5, 0, a, 0);
    assert_eq!(d1, placematch::compare::simulate::placement_draws(&w, 5, 0, a, 0));
    assert_ne!(d1, placematch::compare::simulate::placement_draws(&w, 5, 0, a, 1));
    // The same replication drawn again is identical (nothing depends on the order of work).
    let again = replication(&w, 5, 0, 60);
    assert_eq!(
        again.arrivals.iter().map(|a| &a.child.id).collect::<Vec<_>>(),
        rep.arrivals.iter().map(|a| &a.child.id).collect::<Vec<_>>()
    );
}

fn base_scenario() -> Value {
    serde_json::from_str(&std::fs::read_to_string(instance("scenario-single.json")).unwrap()).unwrap()
}

fn issues(v: &Value) -> Vec<(String, String)> {
    crate::harness::pairs(parse_scenario(&v.to_string(), "test"))
}

fn has(list: &[(String, String)], path: &str, code: &str) -> bool {
    list.iter().any(|(p, c)| p == path && c == code)
}

#[test]
fn the_instances_are_valid() {
    assert!(issues(&base_scenario()).is_empty());
    let coop: Value = serde_json::from_str(&std::fs::read_to_string(instance("scenario-coop.json")).unwrap()).unwrap();
    assert!(issues(&coop).is_empty());
    assert_eq!(coop["authorities"].as_array().unwrap().len(), 10);
}

#[test]
fn bad_scenarios_report_every_problem_with_path_and_code() {
    let mut v = base_scenario();
    v["segments"][1]["colour"] = json!("blue");
    v["segments"][0]["needs"]["physical_health"] = json!([0.5, 0.5, 0.5, 0.0]);
    v["segments"][2]["duration"] = json!({"lognormal": {"median_days": -3, "sigma": 0.5}});
    v["segments"][3]["authorities"] = json!({"E10000016": 1.0});
    v["segments"][0]["urgency"] = json!({"emergency": 1.5});
    v["authorities"][0]["sectors"] = json!(["RH12 1", "BN1 1", "ZZ9 9"]);
    v["home_generators"][0]["provider"] = json!("NOBODY");
    v["home_generators"][1]["beds"] = json!({"min": 3, "max": 1});
    v["breakdown"]["per_km"] = json!(-1);
    let got = issues(&v);
    assert!(has(&got, "segments[1].colour", "E1004"), "{got:#?}");
    assert!(has(&got, "segments[0].needs.physical_health", "E1502"), "{got:#?}");
    assert!(has(&got, "segments[2].duration", "E1503"), "{got:#?}");
    assert!(has(&got, "segments[3].authorities.E10000016", "E1504"), "{got:#?}");
    assert!(has(&got, "segments[0].urgency.emergency", "E1502"), "{got:#?}");
    assert!(has(&got, "authorities[0].sectors[1]", "E1505"), "{got:#?}");
    assert!(has(&got, "authorities[0].sectors[2]", "E1202"), "{got:#?}");
    assert!(has(&got, "home_generators[0].provider", "E1203"), "{got:#?}");
    assert!(has(&got, "home_generators[1].beds.min", "E1304"), "{got:#?}");
    // Breakdown hazards are chances a day: a negative one is not a probability.
    assert!(has(&got, "breakdown.per_km", "E1502"), "{got:#?}");

    let mut v = base_scenario();
    v["format"] = json!("placematch/batch@1");
    v["segments"] = json!([]);
    v["authorities"][0]["code"] = json!("E99999999");
    let got = issues(&v);
    assert!(has(&got, "format", "E1002"), "{got:#?}");
    assert!(has(&got, "segments", "E1501"), "{got:#?}");
    assert!(has(&got, "authorities[0].code", "E1204"), "{got:#?}");

    let mut v = base_scenario();
    v["segments"][0]["duration"] = json!({"weibull": {"scale": 3}});
    v["outside_demand"]["daily_takeup"] = json!(2);
    let got = issues(&v);
    assert!(has(&got, "segments[0].duration", "E1006"), "{got:#?}");
    assert!(has(&got, "outside_demand.daily_takeup", "E1502"), "{got:#?}");
}

#[test]
fn cli_writes_json_and_csv_and_never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let json_out = dir.path().join("sim.json");
    let csv_out = dir.path().join("sim.csv");
    let args = |force: bool| {
        let mut a = vec![
            "simulate".to_string(),
            instance("scenario-single.json").display().to_string(),
            "--days".into(),
            "20".into(),
            "--replications".into(),
            "2".into(),
            "--rules".into(),
            "greedy,nearest".into(),
            "--json".into(),
            json_out.display().to_string(),
            "--csv".into(),
            csv_out.display().to_string(),
        ];
        if force {
            a.push("--force".into());
        }
        a
    };
    let out = bin().args(args(false)).assert().success().get_output().stdout.clone();
    let table = String::from_utf8(out).unwrap();
    assert!(table.contains("greedy") && table.contains("days waited"), "{table}");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&json_out).unwrap()).unwrap();
    assert_eq!(v["format"], "placematch/simulate@1");
    assert_eq!(v["rules"][1]["rule"], "nearest");
    let csv = std::fs::read_to_string(&csv_out).unwrap();
    assert!(csv.starts_with("rule,scope,day,metric,mean,lo,hi\n"));
    assert!(csv.contains("greedy,total,,child_days_waiting,"));
    assert!(csv.contains("nearest,daily,20,waiting,"));
    // An existing output is never replaced without --force.
    bin().args(args(false)).assert().code(1);
    bin().args(args(true)).assert().success();
    // A bad scenario is an input error (exit 3) naming path and code.
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"format": "placematch/scenario@1", "authorities": [], "segments": []}"#,
    )
    .unwrap();
    let out = bin()
        .args(["simulate", &bad.display().to_string()])
        .assert()
        .code(3)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains("authorities") && err.contains("E1501"), "{err}");
}
