//! A bounded fuzz over every input kind: one number or string of a bundled batch, policy,
//! scenario or plan replaced by an extreme value (negative, zero, huge, 1e308, the largest
//! integer, a string, null). Whatever comes in: no panic, no run past a bound, every rejection
//! names a path and a stable code, and every accepted batch's result passes `check`. The cases
//! are drawn from a fixed seed, so a failure reproduces.

use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use crate::harness::{bin, instance};

/// Every scalar leaf's path, as a list of keys and indexes.
fn scalar_paths(v: &Value, at: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                at.push(json!(k));
                scalar_paths(x, at, out);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                at.push(json!(i));
                scalar_paths(x, at, out);
                at.pop();
            }
        }
        _ => out.push(at.clone()),
    }
}

fn slot<'a>(v: &'a mut Value, at: &[Value]) -> &'a mut Value {
    at.iter().fold(v, |v, k| match k {
        Value::String(s) => &mut v[s.as_str()],
        Value::Number(n) => &mut v[n.as_u64().unwrap() as usize],
        _ => unreachable!(),
    })
}

fn extreme(rng: &mut ChaCha8Rng) -> Value {
    match rng.gen_range(0..10) {
        0 => json!(-1),
        1 => json!(0),
        2 => json!(1e308),
        3 => json!(1e16),
        4 => json!(i64::MAX),
        5 => json!(1e6),
        6 => json!(0.5),
        7 => json!("x"),
        8 => Value::Null,
        _ => json!(""),
    }
}

/// `n` mutants of `base`, each with one scalar changed (the format string kept).
fn mutants(base: &Value, n: usize, seed: u64) -> Vec<(String, Value)> {
    let mut paths = Vec::new();
    scalar_paths(base, &mut Vec::new(), &mut paths);
    paths.retain(|p| p.first() != Some(&json!("format")));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let p = &paths[rng.gen_range(0..paths.len())];
            let mut v = base.clone();
            let new = extreme(&mut rng);
            *slot(&mut v, p) = new.clone();
            (format!("{p:?} = {new}"), v)
        })
        .collect()
}

/// Runs the binary on `text` as `file_name`: exit 0 (then `on_ok`), or exit 3 with every
/// issue line giving a code and what to do; never a panic or a hang.
fn run(args: &[&str], file_name: &str, text: &str, what: &str, on_ok: impl Fn(&std::path::Path, &std::path::Path)) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join(file_name);
    std::fs::write(&input, text).unwrap();
    let out = dir.path().join("out.json");
    let mut cmd = bin();
    cmd.args(&args[..1]).arg(&input).args(&args[1..]);
    if args[0] != "simulate" {
        cmd.arg("-o").arg(&out);
    }
    let r = cmd.timeout(Duration::from_secs(60)).output().unwrap();
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(!err.contains("panicked"), "{what}: {err}");
    match r.status.code() {
        Some(0) => on_ok(&input, &out),
        Some(3) => {
            let issues: Vec<&str> = err
                .lines()
                .filter(|l| l.starts_with("  ") && !l.trim_start().starts_with("what to do"))
                .collect();
            assert!(!issues.is_empty(), "{what}: exit 3 without issues: {err}");
            for l in issues {
                assert!(l.contains(": E1"), "{what}: an issue without a code: {l}");
            }
        }
        code => panic!("{what}: exit {code:?}\n{err}"),
    }
}

fn read(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(instance(name)).unwrap()).unwrap()
}

#[test]
fn batches_and_policies_with_extreme_values_are_rejected_or_solved_and_checked() {
    let base = read("example.json");
    for (what, v) in mutants(&base, 48, 1) {
        run(
            &["solve", "--alternatives", "1"],
            "b.json",
            &v.to_string(),
            &what,
            |input, out| {
                let c = bin().arg("check").arg(input).arg(out).output().unwrap();
                assert_eq!(
                    c.status.code(),
                    Some(0),
                    "{what}: check rejects the result: {}",
                    String::from_utf8_lossy(&c.stderr)
                );
            },
        );
    }
    // A policy file on its own.
    let policy = base["policy"].clone();
    for (what, v) in mutants(&policy, 24, 2) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("policy.json");
        std::fs::write(&p, v.to_string()).unwrap();
        let r = bin()
            .arg("validate")
            .arg("--policy")
            .arg(&p)
            .arg(instance("example.json"))
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(
            matches!(r.status.code(), Some(0 | 3)) && !err.contains("panicked"),
            "{what}: {err}"
        );
    }
}

#[test]
fn scenarios_and_plans_with_extreme_values_are_rejected_or_run() {
    let scenario = read("scenario-single.json");
    for (what, v) in mutants(&scenario, 16, 3) {
        run(
            &["simulate", "--days", "3", "--replications", "1"],
            "s.json",
            &v.to_string(),
            &what,
            |_, _| {},
        );
    }
    let plan = read("plan-coop.json");
    for (what, v) in mutants(&plan, 6, 4) {
        run(
            &[
                "plan",
                "--scenarios",
                "3",
                "--check-scenarios",
                "2",
                "--time-limit",
                "5",
            ],
            "p.json",
            &v.to_string(),
            &what,
            |_, _| {},
        );
    }
}
