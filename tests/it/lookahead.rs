//! The objective over the horizon, paired differences against a baseline, and the
//! `lookahead` rule (issue #34).

use placematch::compare::lookahead::{solve_fluid, FluidClass};
use placematch::compare::rules::Rule;
use placematch::compare::scenario::{load_scenario, World};
use placematch::compare::simulate::{paired_estimate, simulate, welch_interval, CostTerms, SimOptions};

use crate::harness::{bin, instance};

fn world(name: &str, seed: u64) -> World {
    let text = std::fs::read_to_string(instance(name)).unwrap();
    load_scenario(&text, name, seed).unwrap_or_else(|e| panic!("{e}"))
}

fn opts(days: usize, replications: usize, rules: &[Rule], baseline: Option<Rule>, check: bool) -> SimOptions {
    SimOptions {
        days,
        replications,
        seed: 1,
        rules: rules.to_vec(),
        check,
        baseline,
        lookahead: Default::default(),
        score_policy: None,
    }
}

#[test]
fn paired_and_unpaired_intervals_match_a_hand_computed_case() {
    // Rule 11, 22, 33 against baseline 10, 20, 30: differences 1, 2, 3, mean 2, sd 1,
    // half-width t(0.975, 2) · 1 / √3 = 4.303 / √3 = 2.4843.
    let e = paired_estimate(&[11.0, 22.0, 33.0], &[10.0, 20.0, 30.0]);
    assert_eq!(e.mean, 2.0);
    assert!((e.lo.unwrap() - (2.0 - 4.303 / 3f64.sqrt())).abs() < 1e-9);
    assert!((e.hi.unwrap() - (2.0 + 4.303 / 3f64.sqrt())).abs() < 1e-9);
    // Welch: a = 1, 2, 3 (variance 1), b = 2, 4, 6 (variance 4): se = √(1/3 + 4/3) = √(5/3),
    // df = (5/3)² / ((1/3)²/2 + (4/3)²/2) = 50/17 = 2.94 → 2, so mean −2 ± 4.303·√(5/3).
    let (lo, hi) = welch_interval(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]).unwrap();
    let half = 4.303 * (5.0f64 / 3.0).sqrt();
    assert!((lo - (-2.0 - half)).abs() < 1e-9, "{lo}");
    assert!((hi - (-2.0 + half)).abs() < 1e-9, "{hi}");
    // One replication: no interval.
    assert_eq!(paired_estimate(&[1.0], &[2.0]).lo, None);
    assert_eq!(welch_interval(&[1.0], &[2.0]), None);
}

#[test]
fn paired_intervals_are_tighter_than_unpaired_on_the_bundled_scenario() {
    let w = world("scenario-coop.json", 1);
    let o = opts(90, 4, &[Rule::Optimal, Rule::Greedy], Some(Rule::Optimal), false);
    let (report, violations) = simulate(&w, &o, &|| {});
    assert!(violations.is_empty());
    let v = report.versus_baseline.expect("a baseline was asked for");
    assert_eq!(v.baseline, "optimal");
    assert_eq!(v.rules.len(), 1);
    let greedy = &v.rules[0];
    assert_eq!(greedy.rule, "greedy");
    for key in ["cost", "spend", "child_days_waiting", "cost_terms.waiting"] {
        let d = greedy.differences.iter().find(|d| d.key == key).unwrap();
        let paired = d.hi.unwrap() - d.lo.unwrap();
        let unpaired = d.unpaired_hi.unwrap() - d.unpaired_lo.unwrap();
        assert!(paired < unpaired, "{key}: paired width {paired} ≥ unpaired {unpaired}");
    }
    // The paired difference is the mean of the per-replication differences.
    let reps = |r: &str| report.rules.iter().find(|x| x.rule == r).unwrap().replications.clone();
    let (g, b) = (reps("greedy"), reps("optimal"));
    let mean = g.iter().zip(&b).map(|(x, y)| x.cost - y.cost).sum::<f64>() / g.len() as f64;
    let d = greedy.differences.iter().find(|d| d.key == "cost").unwrap();
    assert!((d.mean - mean).abs() < 1e-6 * mean.abs().max(1.0));
}

#[test]
fn the_objective_is_the_sum_of_its_terms_and_lookahead_is_optimal_every_day() {
    let w = world("scenario-single.json", 1);
    let rules = [Rule::Optimal, Rule::Lookahead];
    let (report, violations) = simulate(&w, &opts(90, 2, &rules, None, true), &|| {});
    assert!(violations.is_empty(), "{violations:#?}");
    for r in &report.rules {
        assert_eq!(
            r.days_not_proven_optimal, 0,
            "{}: every daily MIP proven optimal",
            r.rule
        );
        for t in &r.replications {
            assert!((t.cost - t.cost_terms.total()).abs() < 1e-6 * t.cost.abs().max(1.0));
            assert!(t.cost_terms.price > 0.0 && t.cost_terms.waiting >= 0.0);
            // Spend counts block beds whether used or not; the objective's price nets them.
            assert!(t.cost_terms.price <= t.spend + 1e-6);
        }
    }
    assert_eq!(CostTerms::KEYS.len(), CostTerms::default().values().len());
    // Same seed, same numbers.
    let (again, _) = simulate(&w, &opts(90, 2, &rules, None, true), &|| {});
    assert_eq!(
        serde_json::to_string(&report).unwrap(),
        serde_json::to_string(&again).unwrap()
    );
}

#[test]
fn a_bed_the_forecast_needs_is_worth_the_saving_it_brings() {
    // Three children expected; home 0 (cost 100) has two beds, home 1 (cost 250) plenty:
    // a bed more at home 0 saves 150. Home 2 is unused: worth nothing.
    let classes = vec![FluidClass {
        expected: 3.0,
        homes: vec![(0, 100.0), (1, 250.0), (2, 900.0)],
        fallback: 5000.0,
    }];
    let a = solve_fluid(&classes, &[2.0, 10.0, 1.0]);
    assert!(a.optimal);
    assert!((a.price[0] - 150.0).abs() < 1e-6, "{:?}", a.price);
    assert!(a.price[1].abs() < 1e-6 && a.price[2].abs() < 1e-6);
}

#[test]
fn cli_baseline_prints_paired_differences_and_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("sim.json");
    let out = bin()
        .args([
            "simulate",
            "--days",
            "20",
            "--replications",
            "2",
            "--rules",
            "greedy,lookahead",
        ])
        .args(["--baseline", "optimal", "--json"])
        .arg(&json)
        .arg(instance("scenario-single.json"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("rule − optimal (paired"), "{text}");
    assert!(text.contains("objective") && text.contains("score"), "{text}");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    // The baseline is simulated even when not listed, first.
    assert_eq!(v["rules"][0]["rule"], "optimal");
    assert_eq!(v["versus_baseline"]["baseline"], "optimal");
    assert!(v["rules"][0]["totals"]["cost_terms"]["waiting"]["mean"].is_number());
}

#[test]
fn a_block_bed_is_worth_the_spot_bed_its_stay_displaces() {
    // Over their stays, 3 children hold a block of 2 beds (net cost 0) or buy spot beds at 900
    // from an unbounded market (no row): the third child's bed makes a block bed worth 900,
    // and the market's beds are worth nothing.
    let classes = vec![FluidClass {
        expected: 3.0,
        homes: vec![(0, 0.0), (1, 900.0)],
        fallback: 5000.0,
    }];
    let a = solve_fluid(&classes, &[2.0, f64::INFINITY]);
    assert!(a.optimal);
    assert!((a.price[0] - 900.0).abs() < 1e-6, "{:?}", a.price);
    assert_eq!(a.price[1], 0.0);
    // Block beds to spare: no value.
    let a = solve_fluid(&classes, &[4.0, f64::INFINITY]);
    assert!(a.price.iter().all(|&p| p.abs() < 1e-6), "{:?}", a.price);
}

/// `placematch simulate` of `scenario` (a bundled instance) with `args`, run to the end.
fn simulate_cli<'a>(scenario: &str, args: impl IntoIterator<Item = &'a std::ffi::OsStr>) -> std::process::Output {
    bin()
        .arg("simulate")
        .args(args)
        .arg(instance(scenario))
        .output()
        .unwrap()
}

/// Every placement of one `lookahead` year of `days` days of the co-operative, as the
/// `--placements` CSV gives it, with `extra` options: a column's values by its name.
fn lookahead_placements(days: &str, extra: &[&str]) -> (Vec<csv::StringRecord>, impl Fn(&str) -> usize) {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("placements.csv");
    let base = ["--days", days, "--replications", "1", "--rules", "lookahead"];
    let args = base
        .iter()
        .chain(extra)
        .chain(&["--placements"])
        .map(std::ffi::OsStr::new);
    let out = simulate_cli("scenario-coop.json", args.chain([csv.as_os_str()]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut r = csv::Reader::from_path(&csv).unwrap();
    let head = r.headers().unwrap().clone();
    let rows = r.records().map(|x| x.unwrap()).collect();
    let col = move |name: &str| {
        head.iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}: {head:?}"))
    };
    (rows, col)
}

#[test]
fn cli_json_records_the_lookahead_settings_it_ran_with() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, args: &[&str]| -> serde_json::Value {
        let json = dir.path().join(name);
        let base = ["--days", "5", "--replications", "1"];
        let all = base.iter().chain(args).chain(&["--json"]).map(std::ffi::OsStr::new);
        let out = simulate_cli("scenario-single.json", all.chain([json.as_os_str()]));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // The report still reads it.
        let page = dir.path().join(format!("{name}.html"));
        let rep = bin().arg("report").arg(&json).arg("-o").arg(&page).output().unwrap();
        assert!(rep.status.success(), "{}", String::from_utf8_lossy(&rep.stderr));
        let html = std::fs::read_to_string(&page).unwrap();
        if args.iter().any(|a| a.contains("lookahead")) {
            assert!(html.contains("`lookahead`: spot beds valued over"), "{name}");
        }
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap()
    };
    let v = run("default.json", &["--rules", "lookahead"]);
    let s = &v["lookahead"];
    assert_eq!(s["horizon_days"], 14);
    assert_eq!(s["spot_weight"], 0.5);
    assert_eq!(s["block_floor"], true);
    assert_eq!(s["block_fill"], false);
    let v = run(
        "asked.json",
        &[
            "--rules",
            "lookahead,greedy",
            "--lookahead-days",
            "7",
            "--spot-value-weight",
            "0.25",
            "--block-fill-share",
            "--no-block-floor",
        ],
    );
    let s = &v["lookahead"];
    assert_eq!(
        (
            &s["horizon_days"],
            &s["spot_weight"],
            &s["block_floor"],
            &s["block_fill"]
        ),
        (
            &serde_json::json!(7),
            &serde_json::json!(0.25),
            &serde_json::json!(false),
            &serde_json::json!(true)
        )
    );
    // Without the rule there is nothing to record.
    let v = run("greedy.json", &["--rules", "greedy"]);
    assert!(v.get("lookahead").is_none(), "{}", v["lookahead"]);
}

#[test]
fn cli_refuses_a_spot_value_weight_outside_0_to_1() {
    for w in ["1.5", "-0.1", "half", "NaN"] {
        let weight = format!("--spot-value-weight={w}");
        let out = simulate_cli(
            "scenario-single.json",
            ["--days", "5", &weight].map(std::ffi::OsStr::new),
        );
        assert!(!out.status.success(), "{w} accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--spot-value-weight") && err.contains("is not a number from 0 to 1"),
            "{err}"
        );
    }
}

#[test]
fn cli_lookahead_days_0_values_only_block_beds() {
    let (rows, col) = lookahead_placements("120", &["--lookahead-days", "0"]);
    let (home_type, value) = (col("home_type"), col("bed_value"));
    let valued: Vec<&csv::StringRecord> = rows.iter().filter(|x| x[value].parse::<f64>().unwrap() > 0.0).collect();
    // The co-operative's block beds are in its own children's homes, and its 11-15s and
    // complex children over a stay need more of them than it has.
    assert!(
        !valued.is_empty(),
        "no placement at a valued bed in {} rows",
        rows.len()
    );
    assert!(valued.iter().all(|x| &x[home_type] == "residential"), "{valued:?}");
}

/// Each `lookahead` placement at a block bed of 60 days of the co-operative: (bed value,
/// weekly price), with the rule's options `extra`.
fn block_bed_values(extra: &[&str]) -> Vec<(f64, f64)> {
    let (rows, col) = lookahead_placements("60", extra);
    let (block, value, price) = (col("block"), col("bed_value"), col("weekly_price"));
    rows.iter()
        .filter(|x| &x[block] == "true")
        .map(|x| (x[value].parse().unwrap(), x[price].parse().unwrap()))
        .collect()
}

#[test]
fn a_free_block_bed_is_worth_its_price_for_the_time_it_would_be_filled() {
    // By default a child takes a block bed only with the bed's whole price added back.
    let full = block_bed_values(&[]);
    assert!(!full.is_empty());
    assert!(full.iter().all(|&(v, p)| v >= p - 1e-6), "{full:?}");
    // With the fill share the value is scaled by the share of the time the bed would be
    // filled: in the first weeks the block has beds to spare and the children they are kept
    // for come seldom, so some are valued below their price, but every one still has a value.
    let filled = block_bed_values(&["--block-fill-share"]);
    assert!(!filled.is_empty());
    assert!(filled.iter().any(|&(v, p)| v < p - 1e-6), "{filled:?}");
    assert!(filled.iter().all(|&(v, _)| v > 0.0), "{filled:?}");
    // The stay LP alone (no floor) values some block beds below their price even in full:
    // the early weeks, when the block has beds to spare over the stays expected.
    let without = block_bed_values(&["--no-block-floor"]);
    assert!(without.iter().any(|&(v, p)| v < p - 1e-6), "{without:?}");
}

#[test]
fn a_block_beds_fill_share_is_its_stay_over_the_wait_and_the_stay() {
    use placematch::compare::lookahead::{block_fill_share, ClassRate, FluidAnswer};
    use placematch::input::batch::Home;
    let home = |id: &str, block: i64| -> Home {
        serde_json::from_value(serde_json::json!({
            "id": id, "provider": "P", "type": "residential", "location": {"postcode": "RH12 1"},
            "vacancies": block.max(1), "block_vacancies": block, "weekly_price": 4000
        }))
        .unwrap()
    };
    // Homes 0 and 1 hold free block beds (2 and 1) and share class 0; home 2 has none.
    let homes = [home("B0", 2), home("B1", 1), home("S", 0)];
    let stays = FluidAnswer {
        price: vec![5000.0, 5000.0, 0.0],
        main_class: vec![Some((0, 1.0)), Some((1, 1.0)), Some((2, 1.0))],
        users: vec![vec![0], vec![0, 1], vec![2]],
        optimal: true,
    };
    // Classes 0 and 1 come at 0.02 and 0.01 a day and stay 300 and 150 days.
    let rates = [
        ClassRate {
            per_day: 0.02,
            stay_days: 300.0,
        },
        ClassRate {
            per_day: 0.01,
            stay_days: 150.0,
        },
        ClassRate {
            per_day: 1.0,
            stay_days: 100.0,
        },
    ];
    let share = block_fill_share(&stays, &rates, &homes);
    // Λ = 0.03 a day, L = (0.02·300 + 0.01·150)/0.03 = 250 days, F = 3 beds, D = 100 days:
    // L/(D + L) = 250/350, for both block homes.
    assert!((share[0] - 250.0 / 350.0).abs() < 1e-12, "{share:?}");
    assert!((share[1] - 250.0 / 350.0).abs() < 1e-12, "{share:?}");
    // No free block bed: nothing to discount.
    assert_eq!(share[2], 1.0);
}
