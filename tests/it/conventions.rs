//! What a careful user expects of any command-line tool and of placematch's words: `-` for
//! standard input and output, no HTML in a terminal, the wrong pair of files named as such,
//! typos answered with their likely meaning, every problem of a policy at once, and unplaced
//! children's reasons that name the nearest way out.

use crate::harness::{bin, instance};

fn stdout_of(cmd: &mut assert_cmd::Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

#[test]
fn dash_output_goes_to_standard_output_and_writes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = stdout_of(
        bin()
            .current_dir(dir.path())
            .args(["solve", "-o", "-"])
            .arg(instance("example.json")),
    );
    let r: serde_json::Value = serde_json::from_str(&text).expect("the result on stdout");
    assert_eq!(r["format"], "placematch/result@1");
    let gen = stdout_of(
        bin()
            .current_dir(dir.path())
            .args(["generate", "--children", "3", "--homes", "5", "-o", "-"]),
    );
    assert!(gen.contains("\"placematch/batch@1\""));
    assert!(!dir.path().join("-").exists(), "no file named `-`");
    // Two outputs cannot share standard output.
    let out = bin()
        .current_dir(dir.path())
        .args(["solve", "-o", "-", "--html", "-"])
        .arg(instance("example.json"))
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("only one output can go to standard output"));
}

#[test]
fn dash_input_reads_standard_input() {
    let batch = std::fs::read(instance("example.json")).unwrap();
    let text = stdout_of(bin().args(["solve", "-", "--format", "table"]).write_stdin(batch));
    assert!(text.contains("batch wsx-2026-11-22"), "{text}");
    // Problems in standard input are named as such.
    let out = bin()
        .args(["validate", "-"])
        .write_stdin("{")
        .assert()
        .code(3)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard input"));
}

#[test]
fn report_refuses_to_print_html_into_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("r.json");
    bin()
        .args(["solve", "-o"])
        .arg(&result)
        .arg(instance("example.json"))
        .assert()
        .success();
    // `script` gives the command a terminal, as a person running it has.
    let exe = assert_cmd::cargo::cargo_bin("placematch");
    let cmd = format!("{} report {}", exe.display(), result.display());
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .expect("`script` (util-linux) runs");
    let seen = String::from_utf8_lossy(&out.stdout);
    assert!(!seen.contains("<!DOCTYPE html>"), "HTML went to the terminal");
    assert!(seen.contains("give `-o report.html`"), "{seen}");
    // To a pipe, as scripts use it, the page still comes out.
    assert!(stdout_of(bin().arg("report").arg(&result)).starts_with("<!DOCTYPE html>"));
}

#[test]
fn check_against_another_batch_is_an_input_error_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("r.json");
    bin()
        .args(["solve", "-o"])
        .arg(&result)
        .arg(instance("example.json"))
        .assert()
        .success();
    let other = dir.path().join("b.json");
    bin()
        .args(["generate", "--children", "3", "--homes", "5", "-o"])
        .arg(&other)
        .assert()
        .success();
    let out = bin()
        .arg("check")
        .arg(&other)
        .arg(&result)
        .assert()
        .code(3)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("E1401") && err.contains("\"wsx-2026-11-22\"") && err.contains("\"gen-3x5-s1\""),
        "{err}"
    );
    assert!(!err.contains("Some("), "{err}");
}

#[test]
fn a_mistyped_field_gets_its_likely_meaning() {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(instance("example.json")).unwrap()).unwrap();
    let child = v["children"][0].as_object_mut().unwrap();
    let urgency = child.remove("urgency").unwrap();
    child.insert("urgncy".into(), urgency);
    v.as_object_mut()
        .unwrap()
        .insert("childern".into(), serde_json::json!([]));
    let issues = placematch::pair::instance::load_batch(&v.to_string(), "test", None)
        .expect_err("rejected")
        .issues;
    let find = |path: &str| {
        issues
            .iter()
            .find(|i| i.path.starts_with(path))
            .map(|i| i.message.clone())
    };
    let field = find("children[0].urgncy").expect("the typo is reported at its path");
    assert!(field.contains("did you mean `urgency`?"), "{field}");
    assert!(!field.contains("expected one of"), "{field}");
    let top = find("childern").expect("a top-level typo too");
    assert!(top.contains("did you mean `children`?"), "{top}");
    // Nothing close: the list of fields, as before.
    let plain = placematch::input::read::unknown_field("x", "zzzzzzzz", &["id", "age"]);
    assert!(plain.message.contains("expected one of `id`, `age`"));
}

#[test]
fn a_policy_file_reports_every_problem_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.json");
    std::fs::write(
        &policy,
        r#"{"per_km": "ten", "out_of_aera": 5, "unplaced": {"planned": "x"}}"#,
    )
    .unwrap();
    let out = bin()
        .args(["validate", "--policy"])
        .arg(&policy)
        .arg(instance("example.json"))
        .assert()
        .code(3)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("per_km"), "{err}");
    assert!(
        err.contains("out_of_aera") && err.contains("did you mean `out_of_area`?"),
        "{err}"
    );
    assert!(err.contains("3 problem(s)"), "{err}");
}

#[test]
fn a_relaxation_names_the_nearest_home_it_would_open() {
    let inst = crate::harness::load(
        &serde_json::from_str(&std::fs::read_to_string(instance("example.json")).unwrap()).unwrap(),
    );
    let r = crate::harness::solve_checked(&inst, 1);
    let u = r
        .unplaced
        .iter()
        .find(|u| u.child == "WSX-C13")
        .expect("WSX-C13 is not placed");
    let far = u
        .relaxations
        .iter()
        .find(|x| x.rule == "too_far")
        .expect("a distance relaxation");
    // Its nearest home kept out by distance alone is WSX-H47, 60 km away (the other is at 296 km).
    assert_eq!(far.needed, Some(serde_json::json!(60.0)));
    assert!(
        far.detail
            .contains("to 60 km would open 1 home(s), nearest WSX-H47 (2 in all within 296 km)"),
        "{}",
        far.detail
    );
}

#[test]
fn a_sibling_group_with_no_home_for_all_is_told_so() {
    let inst = crate::harness::load_generated(&placematch::compare::generate::GenOptions {
        children: 80,
        homes: 60,
        seed: 1,
        siblings: true,
        conflicts: true,
        ..Default::default()
    });
    let r = crate::harness::solve_checked(&inst, 1);
    let u = r
        .unplaced
        .iter()
        .find(|u| u.child == "C0034")
        .expect("C0034 is not placed");
    assert_eq!(u.eligible_homes, 1);
    assert!(u.competition.is_empty());
    assert!(
        u.why.contains("none suits its whole sibling group S002") && u.why.contains("is ruled out for C0033"),
        "{}",
        u.why
    );
}

#[test]
fn the_table_names_homes_when_the_batch_has_names() {
    let text = stdout_of(bin().args(["solve", "--format", "table"]).arg(instance("example.json")));
    assert!(text.contains("WSX-H40 Beechwood Secure"), "{text}");
}
