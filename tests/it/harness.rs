//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

use placematch::matching::explain::solve_and_explain;
use placematch::matching::solver::SolveOptions;
use placematch::pair::instance::load_batch;
use placematch::pair::instance::Instance;
use placematch::result::format::MatchResult;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

/// The compiled binary.
pub fn bin() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("placematch").unwrap()
}

/// Path of a file under `instances/`.
pub fn instance(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("instances").join(name)
}

/// Loads a batch from a JSON value, panicking with the report if invalid.
/// A batch from `placematch generate` with these options, loaded.
pub fn generated(opts: &placematch::compare::generate::GenOptions) -> Instance {
    load(&serde_json::to_value(placematch::compare::generate::generate(opts)).unwrap())
}

pub fn load(v: &Value) -> Instance {
    match load_batch(&v.to_string(), "test", None) {
        Ok(i) => i,
        Err(e) => panic!("{e}\n{}", serde_json::to_string_pretty(v).unwrap()),
    }
}

/// Solves with default options and `k` alternatives, asserting the checker accepts the result.
pub fn solve_checked(inst: &Instance, k: usize) -> MatchResult {
    solve_checked_with(inst, k, &SolveOptions::default())
}

/// Solves with the given options, asserting the checker accepts the result.
pub fn solve_checked_with(inst: &Instance, k: usize, opts: &SolveOptions) -> MatchResult {
    let r = solve_and_explain(inst, opts, k);
    let problems = placematch::check::check(inst, &r);
    assert!(
        problems.is_empty(),
        "checker rejects the solver's result: {problems:#?}"
    );
    r
}

/// The (path, code) of every issue of a failed load; none when it loaded.
pub fn pairs<T>(loaded: Result<T, placematch::errors::InvalidInput>) -> Vec<(String, String)> {
    match loaded {
        Ok(_) => Vec::new(),
        Err(e) => e
            .issues
            .iter()
            .map(|i| (i.path.clone(), i.code.code().to_string()))
            .collect(),
    }
}

/// The validation issues (path, code) of a batch given as JSON text.
pub fn issues(text: &str) -> Vec<(String, String)> {
    pairs(load_batch(text, "test", None))
}

/// A small valid batch to mutate in error tests.
pub fn base_batch() -> Value {
    json!({
        "format": "placematch/batch@1",
        "batch_id": "base",
        "providers": [{"id": "P1", "kind": "private"}],
        "homes": [
            {"id": "H1", "provider": "P1", "type": "foster", "location": {"postcode": "RH12 1"}, "vacancies": 1, "weekly_price": 800},
            {"id": "H2", "provider": "P1", "type": "residential", "location": {"postcode": "BN1 1"}, "vacancies": 2, "weekly_price": 4500}
        ],
        "children": [
            {"id": "C1", "location": {"postcode": "RH13 5AB"}, "age": 12},
            {"id": "C2", "location": {"lat": 50.83, "lon": -0.14}, "age": 15}
        ]
    })
}

const SECTORS: [&str; 10] = [
    "RH12 1", "RH13 5", "BN1 1", "BN2 0", "PO19 1", "GU29 9", "BN11 1", "RH10 1", "BN43 5", "PO21 1",
];
const RISKS: [&str; 4] = ["missing", "cse", "self_harm", "harm_to_others"];
const TYPES: [&str; 3] = ["foster", "residential", "supported"];
const OFSTED: [&str; 4] = ["outstanding", "good", "requires_improvement", "not_yet_inspected"];

fn pick<'a, T>(rng: &mut ChaCha8Rng, xs: &'a [T]) -> &'a T {
    &xs[rng.gen_range(0..xs.len())]
}

fn some_risks(rng: &mut ChaCha8Rng, p: f64) -> Vec<&'static str> {
    RISKS.iter().copied().filter(|_| rng.gen_bool(p)).collect()
}

/// A random tiny batch (≤ 5 children, ≤ 4 homes) exercising every side constraint, small
/// enough to enumerate every assignment.
pub fn tiny_batch(seed: u64) -> Value {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n_children = rng.gen_range(1..=5);
    let n_homes = rng.gen_range(1..=4);
    let providers: Vec<Value> = (0..2)
        .map(|p| {
            let mut v = json!({"id": format!("P{p}"), "step_across": rng.gen_bool(0.5)});
            if rng.gen_bool(0.3) {
                v["max_admissions"] = json!(rng.gen_range(0..=2));
            }
            if rng.gen_bool(0.3) {
                v["volume_discount"] =
                    json!({"min_placements": rng.gen_range(1..=3), "percent": rng.gen_range(1..=20)});
            }
            v
        })
        .collect();
    let homes: Vec<Value> = (0..n_homes)
        .map(|h| {
            let vac = if rng.gen_bool(0.15) { 0 } else { rng.gen_range(1..=2) };
            let mut v = json!({
                "id": format!("H{h}"), "provider": format!("P{}", rng.gen_range(0..2)),
                "type": pick(&mut rng, &TYPES), "location": {"postcode": pick(&mut rng, &SECTORS)},
                "ofsted": pick(&mut rng, &OFSTED), "vacancies": vac,
                "block_vacancies": if vac > 0 && rng.gen_bool(0.3) { 1 } else { 0 },
                "occupied": rng.gen_range(0..=1),
                "weekly_price": rng.gen_range(3..60) * 100,
                "support": {"emotional_health": rng.gen_range(1..=3), "education": rng.gen_range(0..=3)},
                "accepts": some_risks(&mut rng, 0.85),
                "resident_risks": some_risks(&mut rng, 0.1),
                "incompatible_risks": some_risks(&mut rng, 0.05),
                "languages": if rng.gen_bool(0.5) { json!(["en"]) } else { json!([]) },
            });
            if rng.gen_bool(0.3) {
                v["age_min"] = json!(rng.gen_range(8..=14));
            }
            v
        })
        .collect();
    let children: Vec<Value> = (0..n_children)
        .map(|c| {
            let mut types: Vec<&str> = TYPES.iter().copied().filter(|_| rng.gen_bool(0.75)).collect();
            if types.is_empty() {
                types.push("foster");
            }
            let mut v = json!({
                "id": format!("C{c}"), "location": {"postcode": pick(&mut rng, &SECTORS)},
                "age": rng.gen_range(8..=17), "placement_types": types,
                "needs": {"emotional_health": rng.gen_range(0..=3), "education": rng.gen_range(0..=1)},
                "risks": some_risks(&mut rng, 0.2), "incompatible_risks": some_risks(&mut rng, 0.15),
                "urgency": pick(&mut rng, &["emergency", "urgent", "planned"]),
                "waiting_days": rng.gen_range(0..10),
                "requires_solo": rng.gen_bool(0.08),
            });
            if rng.gen_bool(0.3) {
                v["sibling_group"] = json!(format!("G{}", rng.gen_range(0..2)));
                if rng.gen_bool(0.2) {
                    v["keep_together"] = json!(false);
                }
            }
            if rng.gen_bool(0.3) {
                v["max_distance_km"] = json!(rng.gen_range(10..80));
            }
            if rng.gen_bool(0.3) {
                v["step_across"] = json!({"to": "foster"});
            }
            if rng.gen_bool(0.2) {
                v["languages"] = json!(["pl"]);
            }
            if rng.gen_bool(0.2) {
                v["budget_cap"] = json!(rng.gen_range(5..40) * 100);
            }
            v
        })
        .collect();
    let mut b = json!({"format": "placematch/batch@1", "batch_id": format!("tiny-{seed}"), "providers": providers, "homes": homes, "children": children});
    if rng.gen_bool(0.3) {
        b["policy"] = json!({"weekly_budget": rng.gen_range(5..80) * 100});
    }
    b
}

/// The optimum by enumerating every assignment (each child: a home or unplaced), scored by the
/// independent checker. Returns the best objective.
pub fn brute_force(inst: &Instance) -> f64 {
    brute_force_with(inst, None)
}

/// Where `r` disagrees with enumeration, if anywhere: its objective against the brute-force
/// optimum (`best`, within 1e-6 relative), then every alternative's regret against the rise of
/// that optimum with the child forced into the home (within £0.01). `who` names the solver.
pub fn brute_force_mismatch(inst: &Instance, r: &MatchResult, best: f64, who: &str) -> Option<String> {
    if (r.objective - best).abs() > 1e-6 * best.abs().max(1.0) {
        return Some(format!("{who} {} vs brute force {best}", r.objective));
    }
    for p in &r.placements {
        let c = inst.batch.children.iter().position(|x| x.id == p.child).unwrap();
        for a in &p.alternatives {
            let h = inst.batch.homes.iter().position(|x| x.id == a.home).unwrap();
            let rise = brute_force_with(inst, Some((c, h))) - best;
            if (a.regret - rise).abs() > 0.01 {
                return Some(format!(
                    "{} at {}: regret {} vs brute force {rise}",
                    p.child, a.home, a.regret
                ));
            }
        }
    }
    None
}

/// The optimum by enumeration with one child forced into one home (its regret's reference).
pub fn brute_force_with(inst: &Instance, forced: Option<(usize, usize)>) -> f64 {
    brute_force_forcing(inst, forced.as_slice())
}

/// The optimum by enumeration with each (child, home) of `forced` forced in.
pub fn brute_force_forcing(inst: &Instance, forced: &[(usize, usize)]) -> f64 {
    let n = inst.batch.children.len();
    let m = inst.batch.homes.len();
    let mut assign: Vec<Option<usize>> = vec![None; n];
    let mut best = f64::INFINITY;
    let total = (m + 1).pow(n as u32);
    for code in 0..total {
        let mut x = code;
        for a in assign.iter_mut() {
            let d = x % (m + 1);
            x /= m + 1;
            *a = if d == m { None } else { Some(d) };
        }
        if forced.iter().any(|&(c, h)| assign[c] != Some(h)) {
            continue;
        }
        let e = placematch::check::evaluate_assignment(inst, &assign);
        if e.violations.is_empty() && e.objective < best {
            best = e.objective;
        }
    }
    best
}

/// A tiny batch whose children (4–5) mostly share one authority and one binding weekly budget, over
/// 2–4 homes of one or two beds and varied prices: the knapsack the Lagrangian bound works on
/// (in [`tiny_batch`] a budget rarely leaves the LP fractional). Some children are siblings
/// or conflict, so the rest of the model is there too.
pub fn budget_tiny_batch(seed: u64) -> Value {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n_children = rng.gen_range(4..=5);
    let n_homes = rng.gen_range(2..=4);
    // Block beds, an admissions limit and a volume discount now and then: rows whose
    // multipliers the Lagrangian ascent moves or keeps (lagrange::ascend).
    let homes: Vec<Value> = (0..n_homes)
        .map(|h| {
            json!({
                "id": format!("H{h}"), "provider": if h % 2 == 0 { "P0" } else { "P1" },
                "type": "foster",
                "location": {"postcode": pick(&mut rng, &SECTORS)},
                "vacancies": rng.gen_range(1..=2), "weekly_price": rng.gen_range(3..40) * 100,
                "block_vacancies": if rng.gen_bool(0.3) { 1 } else { 0 },
                "accepts": RISKS,
            })
        })
        .collect();
    let mut p0 = json!({"id": "P0"});
    if rng.gen_bool(0.3) {
        p0["max_admissions"] = json!(rng.gen_range(1..=2));
    }
    let mut p1 = json!({"id": "P1"});
    if rng.gen_bool(0.3) {
        p1["volume_discount"] = json!({"min_placements": 2, "percent": 10});
    }
    let home_sector = pick(&mut rng, &SECTORS[..2]).to_string();
    let children: Vec<Value> = (0..n_children)
        .map(|c| {
            // Now and then a child of another authority (Brighton): two budgets, and a sibling
            // group across both shares them.
            let sector = if rng.gen_bool(0.2) {
                "BN1 1"
            } else {
                home_sector.as_str()
            };
            let mut v = json!({
                "id": format!("C{c}"), "location": {"postcode": sector},
                "age": rng.gen_range(8..=17),
                "urgency": pick(&mut rng, &["emergency", "urgent", "planned"]),
                "waiting_days": rng.gen_range(0..10),
            });
            if rng.gen_bool(0.35) {
                v["sibling_group"] = json!("G0");
            }
            if rng.gen_bool(0.15) {
                v["risks"] = json!(["harm_to_others"]);
            }
            v
        })
        .collect();
    json!({"format": "placematch/batch@1", "batch_id": format!("budget-{seed}"),
        "providers": [p0, p1], "homes": homes, "children": children,
        "policy": {"weekly_budget": rng.gen_range(5..60) * 100}})
}

/// A tiny batch with every side rule stripped (no siblings, solo, conflicts, admission
/// limits, discounts, block beds or budgets): a plain assignment, where regret comes from
/// shortest paths on the residual graph.
pub fn plain_tiny_batch(seed: u64) -> Value {
    let mut v = tiny_batch(seed);
    v.as_object_mut().unwrap().remove("policy");
    for p in v["providers"].as_array_mut().unwrap() {
        let p = p.as_object_mut().unwrap();
        p.remove("max_admissions");
        p.remove("volume_discount");
    }
    for h in v["homes"].as_array_mut().unwrap() {
        h["block_vacancies"] = serde_json::json!(0);
    }
    for c in v["children"].as_array_mut().unwrap() {
        let c = c.as_object_mut().unwrap();
        for key in ["sibling_group", "keep_together", "incompatible_risks"] {
            c.remove(key);
        }
        c.insert("requires_solo".into(), serde_json::json!(false));
    }
    v
}

/// Asserts that both results are proven optimal with the same objective (to 1e-6 relative).
pub fn assert_same_optimum(a: &MatchResult, b: &MatchResult) {
    assert_eq!(format!("{:?}", a.status), "Optimal");
    assert_eq!(format!("{:?}", b.status), "Optimal");
    assert!(
        (a.objective - b.objective).abs() <= 1e-6 * b.objective.abs(),
        "{} against {}",
        a.objective,
        b.objective
    );
}

/// Generates a batch and loads it, as `placematch generate` then `solve` would.
pub fn load_generated(opts: &placematch::compare::generate::GenOptions) -> Instance {
    let batch = placematch::compare::generate::generate(opts);
    load(&serde_json::to_value(&batch).unwrap())
}

/// Every scalar leaf of `v`, as its keys and indexes from the root (JSON strings and numbers),
/// in document order: what the tamper and fuzz tests change one at a time.
pub fn scalar_paths(v: &Value) -> Vec<Vec<Value>> {
    fn walk(v: &Value, at: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, x)| {
                at.push(json!(k));
                walk(x, at, out);
                at.pop();
            }),
            Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| {
                at.push(json!(i));
                walk(x, at, out);
                at.pop();
            }),
            _ => out.push(at.clone()),
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

/// The value at a path of [`scalar_paths`].
pub fn at_path_mut<'a>(v: &'a mut Value, at: &[Value]) -> &'a mut Value {
    at.iter().fold(v, |v, k| match k {
        Value::String(s) => &mut v[s.as_str()],
        _ => &mut v[k.as_u64().unwrap() as usize],
    })
}

/// A path of [`scalar_paths`] written `placements[].alternatives[].regret` (any index as `[]`).
pub fn path_pattern(at: &[Value]) -> String {
    let mut s = String::new();
    for k in at {
        match k {
            Value::String(name) if s.is_empty() => s.push_str(name),
            Value::String(name) => {
                s.push('.');
                s.push_str(name);
            }
            _ => s.push_str("[]"),
        }
    }
    s
}

/// Asserts that `stderr` of a run that exited 3 lists at least one issue, each with its path
/// and a stable code, and says what to do.
pub fn assert_coded_rejection(what: &str, stderr: &str) {
    let issues: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("  ") && !l.trim_start().starts_with("what to do"))
        .collect();
    assert!(
        !issues.is_empty() && stderr.contains("what to do"),
        "{what}: exit 3 without issues: {stderr}"
    );
    for l in issues {
        let (path, rest) = l.trim_start().split_once(": ").unwrap_or(("", ""));
        assert!(
            !path.is_empty() && path != "(file)" && rest.starts_with('E'),
            "{what}: an issue without a path or a code: {l}"
        );
    }
}
