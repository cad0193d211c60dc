//! `placematch plan`: the stochastic programme, its baseline, the out-of-sample check,
//! history estimation and plan errors.

use std::collections::BTreeSet;

use placematch::plan::format::{load_plan, MemberPlace, Plan};
use placematch::plan::planner::{run, Method, PlanOptions};
use serde_json::{json, Value};

use crate::harness::{bin, instance};

fn opts(scenarios: usize, oos: usize) -> PlanOptions {
    PlanOptions {
        scenarios,
        seed: 7,
        curve_points: 2,
        oos_scenarios: oos,
        mip_gap: 0.001,
        ..PlanOptions::default()
    }
}

fn load(name: &str) -> Plan {
    let path = instance(name);
    let text = std::fs::read_to_string(&path).unwrap();
    load_plan(&text, name, path.parent()).unwrap_or_else(|e| panic!("{e}"))
}

fn small_plan() -> Value {
    json!({
        "format": "placematch/plan@1",
        "horizon_weeks": 20,
        "members": [{"la": "E10000032"}, {"la": "E06000043"}],
        "segments": [
            {"id": "wsx-res", "la": "E10000032", "type": "residential", "age_min": 12, "age_max": 17,
             "weekly_arrivals": 0.6, "duration": {"mean_weeks": 10}},
            {"id": "bh-res", "la": "E06000043", "type": "K2", "age_min": 12, "age_max": 17,
             "weekly_arrivals": 0.3, "duration": {"weeks": [{"weeks": 4, "share": 0.5}, {"weeks": 12, "share": 0.5}]}}
        ],
        "offers": [
            {"id": "A", "provider": "P1", "type": "residential", "location": {"postcode": "RH12 1"},
             "min_beds": 0, "max_beds": 4, "weekly_price": 4500},
            {"id": "B", "provider": "P2", "type": "residential", "location": {"postcode": "BN1 1"},
             "min_beds": 2, "max_beds": 3, "weekly_price": 4700}
        ],
        "spot": [{"type": "residential", "weekly_price": 5800, "local_probability": 0.3,
                  "distant_price": 6400, "distant_km": 100}]
    })
}

fn plan_of(v: &Value) -> Plan {
    load_plan(&v.to_string(), "test", None).unwrap_or_else(|e| panic!("{e}"))
}

fn issues(v: &Value) -> Vec<(String, String)> {
    crate::harness::pairs(load_plan(&v.to_string(), "test", None))
}

fn has(v: &Value, path: &str, code: &str) {
    let got = issues(v);
    assert!(
        got.iter().any(|(p, c)| p == path && c == code),
        "expected {code} at {path}, got {got:?}"
    );
}

#[test]
fn instances_are_valid_plans() {
    let p = load("plan-coop.json");
    assert_eq!(p.members.len(), 10);
    assert_eq!(p.offers.len(), 40);
    let h = load("plan-history.json");
    assert!(h.segments.iter().all(|s| s.source == "history"));
}

#[test]
fn plan_costs_no_more_than_all_spot_on_the_instance() {
    let p = load("plan-coop.json");
    let r = run(&p, &opts(8, 0)).unwrap();
    assert!(r.estimate.expected_weekly_cost <= r.baseline.expected_weekly_cost + 1e-6);
    assert!(r.savings.weekly_cost >= 0.0);
    assert!(r.offers.iter().any(|o| o.beds > 0), "block beds pay on this instance");
    for o in &r.offers {
        assert!(o.beds == 0 || (o.beds >= o.min_beds && o.beds <= o.max_beds), "{o:?}");
    }
    // The curve's zero point is the baseline and no point beats the recommendation by more than the gap.
    let zero = r.cost_curve.iter().find(|c| c.total_beds == 0).unwrap();
    assert_eq!(zero.expected_weekly_cost, r.baseline.expected_weekly_cost);
    for c in &r.cost_curve {
        assert!(
            c.expected_weekly_cost >= r.estimate.expected_weekly_cost * (1.0 - 0.0011),
            "{c:?}"
        );
    }
}

#[test]
fn zero_offers_reproduce_the_baseline_exactly() {
    let mut v = small_plan();
    v["offers"] = json!([]);
    let r = run(&plan_of(&v), &opts(10, 0)).unwrap();
    assert_eq!(r.estimate, r.baseline);
    assert_eq!(r.savings.weekly_cost, 0.0);
    assert_eq!(r.estimate.block_beds, 0.0);
}

#[test]
fn decomposition_matches_the_extensive_form() {
    let p = plan_of(&small_plan());
    let mut o = opts(6, 0);
    o.curve_points = 0;
    o.mip_gap = 1e-6;
    let b = run(&p, &o).unwrap();
    o.method = Method::Extensive;
    let e = run(&p, &o).unwrap();
    let (cb, ce) = (b.estimate.expected_weekly_cost, e.estimate.expected_weekly_cost);
    assert!((cb - ce).abs() <= 1e-4 * ce, "benders {cb} vs extensive {ce}");
}

#[test]
fn out_of_sample_agrees_or_reports_the_gap() {
    let p = plan_of(&small_plan());
    let r = run(&p, &opts(20, 12)).unwrap();
    let o = r.out_of_sample.unwrap();
    assert_eq!(o.scenarios, 12);
    assert_eq!(o.children_unplaced, 0);
    assert!(o.children_placed > 0 && o.matcher_runs > 0);
    for c in &o.figures {
        assert!(
            c.simulated.low <= c.simulated.mean && c.simulated.mean <= c.simulated.high,
            "{c:?}"
        );
        let inside = c.model >= c.simulated.low - 1e-6 && c.model <= c.simulated.high + 1e-6;
        assert_eq!(c.agrees, inside, "{c:?}");
        if !c.agrees {
            assert!(
                o.notes.iter().any(|n| n.starts_with(&c.figure)),
                "gap in {} not reported",
                c.figure
            );
        }
    }
    // Demand is the same process in and out of sample: the mean count must agree broadly.
    let kids = o.figures.iter().find(|c| c.figure == "children_per_week").unwrap();
    assert!((kids.model - kids.simulated.mean).abs() < 0.25 * kids.model, "{kids:?}");
    // The plan against all-spot on the same scenarios: the paired difference is the difference
    // of the means, and all-spot's spend is the model's baseline within simulation noise.
    let names: Vec<&str> = o.versus_spot.iter().map(|p| p.figure.as_str()).collect();
    assert_eq!(
        names,
        [
            "weekly_spend",
            "annual_spend",
            "weekly_cost",
            "share_in_area",
            "share_within_32km"
        ]
    );
    for p in &o.versus_spot {
        let d = p.plan.mean - p.spot.mean;
        assert!((p.difference.mean - d).abs() <= 1e-6 * (1.0 + d.abs()), "{p:?}");
        assert!(
            p.difference.low <= p.difference.mean && p.difference.mean <= p.difference.high,
            "{p:?}"
        );
    }
    let spend = &o.versus_spot[0];
    let sim_plan = o.figures.iter().find(|c| c.figure == "expected_weekly_spend").unwrap();
    assert!(
        (spend.plan.mean - sim_plan.simulated.mean).abs() <= 1e-6 * sim_plan.simulated.mean,
        "the same runs"
    );
    assert!(
        (spend.spot.mean - r.baseline.expected_weekly_spend).abs() < 0.25 * r.baseline.expected_weekly_spend,
        "all-spot simulated {} against the model's {}",
        spend.spot.mean,
        r.baseline.expected_weekly_spend
    );
    let annual = &o.versus_spot[1];
    assert!(
        (annual.difference.mean - 52.0 * spend.difference.mean).abs() <= 1e-6 * (1.0 + annual.difference.mean.abs())
    );
}

#[test]
fn same_seed_same_plan() {
    let p = plan_of(&small_plan());
    let mut a = run(&p, &opts(8, 3)).unwrap();
    let mut b = run(&p, &opts(8, 3)).unwrap();
    a.solve_seconds = 0.0;
    b.solve_seconds = 0.0;
    assert_eq!(a, b);
    let mut o = opts(8, 3);
    o.seed = 8;
    let c = run(&p, &o).unwrap();
    assert_ne!(a.estimate, c.estimate, "another seed draws other scenarios");
}

/// A synthetic episodes file with known rates: arrivals every `gap` days per (LA, PLACE).
fn synthetic_csv(days: i64) -> (String, f64) {
    let mut out = String::from("CHILD,DECOM,DEC,PLACE,PLACE_PROVIDER,HOME_POST,PL_POST,LA\n");
    let start = placematch::plan::history::parse_date("2022-01-01").unwrap();
    let mut id = 0;
    let fmt = |d: i64| {
        // days since 1970 back to YYYY-MM-DD via a walk over months (test-only, small range)
        let mut y = 2022;
        let mut rem = d - placematch::plan::history::parse_date("2022-01-01").unwrap();
        loop {
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let len = if leap { 366 } else { 365 };
            if rem < len {
                break;
            }
            rem -= len;
            y += 1;
        }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let dim = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let mut m = 0;
        while rem >= dim[m] {
            rem -= dim[m];
            m += 1;
        }
        format!("{:02}/{:02}/{y}", rem + 1, m + 1)
    };
    // West Sussex foster: one start every 7 days (rate 1/week), each 28 days long (4 weeks).
    let mut t = 0;
    while t < days {
        id += 1;
        out.push_str(&format!(
            "C{id},{},{},U4,PR4,RH12 1,RH13 5,E10000032\n",
            fmt(start + t),
            fmt(start + t + 28)
        ));
        t += 7;
    }
    // Brighton residential: one start every 14 days (0.5/week), still open.
    let mut t = 3;
    while t < days {
        id += 1;
        out.push_str(&format!("C{id},{},,K2,PR4,BN1 1,BN2 0,E06000043\n", fmt(start + t)));
        t += 14;
    }
    (out, days as f64 / 7.0)
}

#[test]
fn history_estimation_recovers_known_rates() {
    let (csv, _weeks) = synthetic_csv(700);
    let members: Vec<MemberPlace> = ["E10000032", "E06000043"]
        .iter()
        .map(|la| MemberPlace {
            la: la.to_string(),
            name: la.to_string(),
            lat: 51.0,
            lon: -0.5,
        })
        .collect();
    let set: BTreeSet<String> = members.iter().map(|m| m.la.clone()).collect();
    let start = placematch::plan::history::parse_date("2022-01-01").unwrap();
    let segs =
        placematch::plan::history::estimate_text(&csv, "synthetic.csv", Some(start), Some(start + 700), &set, &members)
            .unwrap_or_else(|e| panic!("{e:?}"));
    // Each (authority, type) is one segment per age band, the rate shared by years of age.
    let of = |prefix: &str| -> Vec<&placematch::plan::format::SegmentSpec> {
        segs.iter().filter(|s| s.id.starts_with(prefix)).collect()
    };
    let foster = of("E10000032/foster/");
    let ids: Vec<&str> = foster.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "E10000032/foster/under-5",
            "E10000032/foster/5-10",
            "E10000032/foster/11-15",
            "E10000032/foster/16-17"
        ]
    );
    let rate: f64 = foster.iter().map(|s| s.rate).sum();
    assert!((rate - 1.0).abs() < 0.02, "foster rate {rate}");
    assert!(
        (foster[0].rate / rate - 5.0 / 18.0).abs() < 1e-9,
        "under-5s: 5 of 18 years"
    );
    for f in &foster {
        assert!(
            (f.duration.mean() - 4.0).abs() < 0.2,
            "foster mean {}",
            f.duration.mean()
        );
    }
    let res = of("E06000043/residential/");
    let ages: Vec<(i64, i64)> = res.iter().map(|s| (s.age_min, s.age_max)).collect();
    assert_eq!(ages, [(10, 10), (11, 15), (16, 17)], "children's homes: 10–17");
    let ids: Vec<&str> = res.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "E06000043/residential/10",
            "E06000043/residential/11-15",
            "E06000043/residential/16-17"
        ],
        "a band cut by the type's ages is named by the ages it keeps"
    );
    let rate: f64 = res.iter().map(|s| s.rate).sum();
    assert!((rate - 0.5).abs() < 0.02, "residential rate {rate}");
    // Open placements only: the mean is at least the observed window.
    assert!(res.iter().all(|s| s.duration.mean() >= 700.0 / 7.0 - 1e-9));
}

/// A block of a children's home for 11–17s is open to children's-home demand estimated from
/// history (spread over 0–17, none of it fitted an offer that does not take under-10s).
#[test]
fn history_demand_can_fill_a_childrens_home_block_for_teenagers() {
    let (csv, _weeks) = synthetic_csv(700);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("h.csv"), csv).unwrap();
    let v = json!({
        "format": "placematch/plan@1",
        "horizon_weeks": 20,
        "members": [{"la": "E10000032"}, {"la": "E06000043"}],
        "history": {"file": "h.csv", "from": "01/01/2022", "to": "01/12/2023"},
        "offers": [{"id": "TEEN", "provider": "P1", "type": "residential", "location": {"postcode": "BN1 1"},
                    "age_min": 11, "age_max": 17, "min_beds": 0, "max_beds": 6, "weekly_price": 3000}],
        "spot": [{"type": "residential", "weekly_price": 5800, "local_probability": 0.3,
                  "distant_price": 6400, "distant_km": 100},
                 {"type": "foster", "weekly_price": 900, "local_probability": 0.5, "local_km": 12,
                  "distant_price": 1000, "distant_km": 70}]
    });
    let plan = load_plan(&v.to_string(), "test", Some(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    let r = run(&plan, &opts(8, 0)).unwrap();
    let teen = r.offers.iter().find(|o| o.offer == "TEEN").unwrap();
    assert!(
        teen.beds > 0,
        "a block at £3,000 against £5,800 spot is bought: {teen:?}"
    );
    assert!(r.estimate.expected_weekly_cost < r.baseline.expected_weekly_cost);
}

#[test]
fn history_rows_with_errors_name_line_and_column() {
    let members = vec![MemberPlace {
        la: "E10000032".into(),
        name: "West Sussex".into(),
        lat: 51.0,
        lon: -0.5,
    }];
    let set: BTreeSet<String> = members.iter().map(|m| m.la.clone()).collect();
    let csv = "CHILD,DECOM,DEC,PLACE,LA,HOME_POST\n\
               C1,01/02/2023,01/03/2023,U4,E10000032,RH12 1\n\
               C2,31/02/2023,,U4,E10000032,RH12 1\n\
               C3,01/02/2023,01/01/2023,K2,E10000032,RH12 1\n\
               C4,01/02/2023,,Q9,E10000032,RH12 1\n\
               C5,01/02/2023,,K2,E09000033,RH12 1\n\
               C6,01/02/2023,,K2,E10000032,ZZ99 9\n\
               C7,01/02/2023,,K2,E10000032,BN1\n\
               C8,01/02/2023,,K2,E10000032,BN11\n";
    let e = placematch::plan::history::estimate_text(csv, "h.csv", None, None, &set, &members).unwrap_err();
    let got: Vec<(String, String)> = e.iter().map(|i| (i.path.clone(), i.code.code().to_string())).collect();
    for (path, code) in [
        ("h.csv line 3 column DECOM", "E1607"),
        ("h.csv line 4 column DEC", "E1607"),
        ("h.csv line 5 column PLACE", "E1608"),
        ("h.csv line 6 column LA", "E1602"),
        ("h.csv line 7 column HOME_POST", "E1202"),
        // Read by structure, as in a batch: a district alone, and a string that is two places.
        ("h.csv line 8 column HOME_POST", "E1206"),
        ("h.csv line 9 column HOME_POST", "E1207"),
    ] {
        assert!(
            got.iter().any(|(p, c)| p == path && c == code),
            "missing {code} at {path}: {got:?}"
        );
    }
    let e =
        placematch::plan::history::estimate_text("CHILD,DEC\nC1,\n", "h.csv", None, None, &set, &members).unwrap_err();
    assert_eq!(e[0].code.code(), "E1606");
}

#[test]
fn bad_plans_report_every_problem_with_path_and_code() {
    let mut v = small_plan();
    v["format"] = json!("placematch/plan@2");
    v["segments"][0]["weekly_arrivals"] = json!(-1);
    v["segments"][1]["la"] = json!("E10000016");
    v["segments"][1]["duration"] = json!({"mean_weeks": 10, "weeks": []});
    v["offers"][0]["min_beds"] = json!(5);
    v["offers"][1]["colour"] = json!("red");
    v["spot"][0]["local_probability"] = json!(1.5);
    let got = issues(&v);
    for (path, code) in [
        ("format", "E1002"),
        ("segments[0].weekly_arrivals", "E1303"),
        ("segments[1].la", "E1602"),
        ("segments[1].duration", "E1603"),
        ("offers[0].min_beds", "E1304"),
        ("offers[1].colour", "E1004"),
        ("spot[0].local_probability", "E1502"),
    ] {
        assert!(
            got.iter().any(|(p, c)| p == path && c == code),
            "missing {code} at {path}: {got:?}"
        );
    }
}

#[test]
fn plan_errors_by_code() {
    let mut v = small_plan();
    v.as_object_mut().unwrap().remove("segments");
    has(&v, "segments", "E1601");
    let mut v = small_plan();
    v["spot"][0]["type"] = json!("foster");
    has(&v, "segments[0].type", "E1605");
    let mut v = small_plan();
    v["history"] = json!({"file": "does-not-exist.csv"});
    has(&v, "history.file", "E1606");
    let mut v = small_plan();
    v["segments"][0]["duration"] = json!({"weeks": [{"weeks": 4, "share": 0.5}]});
    has(&v, "segments[0].duration.weeks", "E1603");
    let mut v = small_plan();
    v["members"][1]["la"] = json!("E99999999");
    has(&v, "members[1].la", "E1204");
}

#[test]
fn cli_writes_result_refuses_overwrite_and_prints_summary() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("p.json");
    std::fs::write(&plan, small_plan().to_string()).unwrap();
    let out = dir.path().join("r.json");
    let run = |force: bool| {
        let mut c = bin();
        c.arg("plan").arg(&plan).arg("-o").arg(&out).args([
            "--scenarios",
            "5",
            "--check-scenarios",
            "2",
            "--curve-points",
            "2",
        ]);
        if force {
            c.arg("--force");
        }
        c.output().unwrap()
    };
    let first = run(false);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let text = String::from_utf8_lossy(&first.stdout);
    assert!(
        text.contains("savings against all spot") && text.contains("out-of-sample check"),
        "{text}"
    );
    let r: placematch::plan::plan_result::PlanResult =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    // The model's in-sample table says it is the model's, and cost is a score, never £.
    assert!(text.contains("the model's estimate over its 5 scenarios"), "{text}");
    for line in text.lines().filter(|l| l.contains("cost")) {
        assert!(!line.contains("cost (£)") && !line.contains("£/week cost"), "{line}");
    }
    let p90 = text
        .lines()
        .find(|l| l.starts_with("90th-percentile annual spend (£)"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(p90.contains(&format!("{:.0}", r.estimate.p90_annual_spend)), "{p90}");
    assert_eq!(r.format, "placematch/plan-result@1");
    let again = run(false);
    assert_eq!(again.status.code(), Some(1));
    assert!(run(true).status.success());
    // Invalid plans exit 3 with the path and code.
    std::fs::write(
        &plan,
        json!({"format": "placematch/plan@1", "horizon_weeks": 0, "members": []}).to_string(),
    )
    .unwrap();
    let bad = bin().arg("plan").arg(&plan).output().unwrap();
    assert_eq!(bad.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("horizon_weeks: E1304"));
    let schema = bin().args(["schema", "plan"]).output().unwrap();
    assert!(String::from_utf8_lossy(&schema.stdout).contains("horizon_weeks"));
}
