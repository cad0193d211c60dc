//! Inputs that once crashed, hung or fooled placematch (tests/corpus/, from the shared fuzz
//! corpus): each must now get a clear rejection (exit 3, a path, a code, what to do) or a result
//! that `check` accepts. The timeout is a guard against a hang, not a speed target.

use std::path::PathBuf;
use std::time::Duration;

use crate::harness::bin;

fn corpus() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_input_that_once_broke_placematch_gets_an_error_or_a_checked_result() {
    let files = corpus();
    assert!(files.len() >= 10, "{files:?}");
    let out_dir = tempfile::tempdir().unwrap();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let format = serde_json::from_str::<serde_json::Value>(&text).unwrap()["format"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let out = out_dir
            .path()
            .join(format!("{}.out.json", f.file_stem().unwrap().to_string_lossy()));
        let mut cmd = bin();
        match format.as_str() {
            "placematch/batch@1" => cmd.arg("solve").arg(&f).arg("-o").arg(&out).arg("--check"),
            "placematch/scenario@1" => cmd.args(["simulate", "--days", "20", "--replications", "1"]).arg(&f),
            "placematch/plan@1" => cmd
                .args(["plan", "--time-limit", "2", "--scenarios", "5"])
                .arg(&f)
                .arg("-o")
                .arg(&out),
            other => panic!("{}: unknown format {other}", f.display()),
        };
        let run = cmd.timeout(Duration::from_secs(120)).output().unwrap();
        let err = String::from_utf8_lossy(&run.stderr).to_string();
        match run.status.code() {
            Some(3) => {
                // A rejection names a path and a stable code, and says what to do.
                let coded = err.lines().any(|l| {
                    let l = l.trim_start();
                    l.contains(": E1")
                        && !l.starts_with("(file)")
                        && l.split(": E1").next().is_some_and(|p| !p.is_empty())
                });
                assert!(coded && err.contains("what to do"), "{}: {err}", f.display());
            }
            Some(0) if format == "placematch/batch@1" => {
                let c = bin().arg("check").arg(&f).arg(&out).output().unwrap();
                assert_eq!(c.status.code(), Some(0), "{}: check rejects the result", f.display());
            }
            Some(0) => {}
            code => panic!("{}: exit {code:?} (a timeout or a panic)\n{err}", f.display()),
        }
        assert!(!err.contains("panicked"), "{}: {err}", f.display());
    }
}
