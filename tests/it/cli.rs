//! The command line end to end, on the bundled instances.

use std::path::Path;

use crate::harness::{bin, instance};

/// `placematch solve instances/example.json -o OUT`, ready for more arguments.
fn solve_example_to(out: &Path) -> assert_cmd::Command {
    let mut cmd = bin();
    cmd.arg("solve").arg(instance("example.json")).arg("-o").arg(out);
    cmd
}

#[test]
fn example_solves_optimally_and_passes_check() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    solve_example_to(&out).arg("--check").assert().success();
    let r: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(r["status"], "optimal");
    assert!(r["summary"]["placed"].as_u64().unwrap() >= 8);
    assert!(
        r["summary"]["unplaced"].as_u64().unwrap() >= 1,
        "the example has a child who cannot be placed"
    );
    bin()
        .arg("check")
        .arg(instance("example.json"))
        .arg(&out)
        .assert()
        .success();
}

#[test]
fn example_exercises_every_reason_code() {
    let text = std::fs::read_to_string(instance("example.json")).unwrap();
    let inst = placematch::pair::instance::load_batch(&text, "example", None).unwrap();
    let f = placematch::matching::model::Formulation::build(&inst);
    let mut seen = std::collections::BTreeSet::new();
    for c in 0..inst.batch.children.len() {
        for (_, r, _) in placematch::matching::model::reasons_for(&inst, &f, c) {
            seen.extend(r.iter().map(|x| x.code()));
        }
    }
    // Providers' answers (declined, held, …) are not rules: the example has none.
    for r in placematch::pair::eligibility::Reason::ALL
        .iter()
        .filter(|r| r.is_rule())
    {
        assert!(
            seen.contains(r.code()),
            "no home in the example is excluded for {}",
            r.code()
        );
    }
}

#[test]
fn check_rejects_a_tampered_result() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    solve_example_to(&out).assert().success();
    let mut r: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    // Move the first placed child into the second one's home and lower the objective.
    let second_home = r["placements"][1]["home"].clone();
    r["placements"][0]["home"] = second_home;
    r["objective"] = serde_json::json!(1.0);
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r.to_string()).unwrap();
    let assert = bin()
        .arg("check")
        .arg(instance("example.json"))
        .arg(&bad)
        .assert()
        .code(4);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(err.contains("objective"), "{err}");
}

#[test]
fn solve_writes_nothing_to_stderr_when_it_is_not_a_terminal() {
    // The progress bar is for people watching: piped or logged, standard error stays empty
    // (nothing about children reaches a log, and scripts see only real errors).
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let assert = solve_example_to(&out).assert().success();
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(err.is_empty(), "{err}");
}

#[test]
fn no_presolve_warns_that_it_is_for_measuring_only() {
    // HiGHS 1.15's MIP without presolve has called worse answers optimal (README,
    // --no-presolve): whoever turns it off is told, on standard error, and still gets a result.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let assert = solve_example_to(&out).arg("--no-presolve").assert().success();
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert_eq!(err.trim_end(), placematch::cli::NO_PRESOLVE_WARNING);
    assert!(out.exists());
}

#[test]
fn output_is_never_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    std::fs::write(&out, "keep me").unwrap();
    solve_example_to(&out).assert().code(1);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    solve_example_to(&out).arg("--force").assert().success();
    assert!(std::fs::read_to_string(&out).unwrap().contains("placematch/result@1"));
    // Results hold data about children: owner-only, as the README says.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "mode {mode:o}");
    }
}

#[test]
fn same_batch_twice_is_byte_identical_apart_from_solve_seconds() {
    let run = || {
        let out = bin().arg("solve").arg(instance("example.json")).output().unwrap();
        let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["solve_seconds"] = serde_json::json!(0);
        serde_json::to_string(&v).unwrap()
    };
    assert_eq!(run(), run());
}

#[test]
fn table_format_lists_placed_and_unplaced_children() {
    let out = bin()
        .arg("solve")
        .arg(instance("example.json"))
        .args(["--format", "table"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("status optimal") && text.contains("not placed:"),
        "{text}"
    );
}

#[test]
fn schema_covers_batch_result_and_policy() {
    for which in ["batch", "result", "policy"] {
        let out = bin().args(["schema", which]).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v["properties"].is_object(), "{which} schema has properties");
    }
    let out = bin().args(["schema", "batch"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\"U3\""), "903 codes are accepted placement types");
    assert!(
        text.contains("\"additionalProperties\": false"),
        "records are closed to unknown fields"
    );
}

#[test]
fn generate_is_deterministic_and_valid() {
    let gen = |seed: &str| {
        bin()
            .args([
                "generate",
                "--children",
                "30",
                "--homes",
                "200",
                "--seed",
                seed,
                "--side-constraints",
            ])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(gen("5"), gen("5"));
    assert_ne!(gen("5"), gen("6"));
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("g.json");
    std::fs::write(&p, gen("5")).unwrap();
    bin().arg("solve").arg(&p).arg("--check").assert().success();
}

#[test]
fn codes_lists_every_error_code() {
    let out = bin().arg("codes").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for c in placematch::errors::ErrorCode::ALL {
        assert!(text.contains(c.code()));
    }
}

/// Regression: `placematch schema | head` used to panic when the reader closed the pipe early.
#[test]
fn a_reader_closing_the_pipe_early_is_not_a_failure() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    // The schema is larger than a pipe's buffer, so the write is still going when we close.
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("placematch"))
        .arg("schema")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}

/// `bench` has no forecast, so `lookahead` there would be the daily optimum under another
/// name: it is refused, saying where the rule can be compared, before any batch is read.
#[test]
fn bench_refuses_lookahead_and_says_where_to_compare_it() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("rows.csv");
    let out = bin()
        .args(["bench", "--rules", "optimal,lookahead", "--csv"])
        .arg(&csv)
        .arg(instance("example.json"))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("--rules") && err.contains("placematch simulate"), "{err}");
    assert!(!csv.exists());
    // The other rules still run.
    bin()
        .args(["bench", "--rules", "optimal,greedy", "--csv"])
        .arg(&csv)
        .arg(instance("example.json"))
        .assert()
        .success();
    let rows = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(rows.lines().count(), 3, "{rows}");
}

/// Keeping no pairs at all is not a setting: zero is refused, not silently raised to one.
#[test]
fn pairs_per_unit_zero_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    bin()
        .args(["solve", "--pairs-per-unit", "0"])
        .arg(instance("example.json"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--pairs-per-unit"));
    assert!(!out.exists());
}
