//! Matching rules: every rule's result passes the checker, `optimal` is never worse, and the
//! rules are deterministic.

use placematch::generate::{generate, GenOptions};
use placematch::locate::Instance;
use placematch::rules::{assign, run, Rule};

use crate::harness::{instance, load};

fn example() -> Instance {
    let text = std::fs::read_to_string(instance("example.json")).unwrap();
    placematch::validate::load_batch(&text, "example.json", None).unwrap()
}

fn generated(seed: u64, children: usize, homes: usize, side: bool) -> Instance {
    let b = generate(&GenOptions {
        children,
        homes,
        seed,
        siblings: side,
        conflicts: side,
        solo: side,
        block_beds: side,
        admission_limits: side,
        discounts: side,
        budgets: side,
    });
    load(&serde_json::to_value(&b).unwrap())
}

fn assert_all_rules_check(inst: &Instance, what: &str) {
    for rule in Rule::ALL {
        let r = run(rule, inst, 7);
        let problems = placematch::check::check(inst, &r);
        assert!(problems.is_empty(), "{what}, rule {rule}: {problems:#?}");
        assert_eq!(r.summary.placed + r.summary.unplaced, inst.batch.children.len());
    }
}

#[test]
fn every_rule_passes_check_on_the_example() {
    assert_all_rules_check(&example(), "example");
}

#[test]
fn every_rule_passes_check_on_generated_batches() {
    for seed in 1..=4 {
        assert_all_rules_check(&generated(seed, 60, 400, true), &format!("generated seed {seed}"));
    }
}
