//! Providers' answers in the model and the checker: a hold reserves only its bed, an accepted
//! child is kept placed without a penalty outside the documented ranges.

use placematch::check::check;
use placematch::pair::instance::{load_batch, Instance};
use serde_json::{json, Value};

use crate::harness::{base_batch, solve_checked};

fn load(b: &Value) -> Instance {
    load_batch(&b.to_string(), "t", None).unwrap()
}

fn home_of(r: &placematch::result::format::MatchResult, child: &str) -> Option<String> {
    r.placements.iter().find(|p| p.child == child).map(|p| p.home.clone())
}

#[test]
fn a_hold_reserves_only_the_held_bed() {
    // H1 has 2 beds, 1 held for C2. C1's best home is H1 (foster, £800, near): the other bed
    // is still open to it. Before, the hold closed the whole home and C1 went to H2.
    let mut b = base_batch();
    b["homes"][0]["vacancies"] = json!(2);
    b["decisions"] = json!([{"child": "C2", "home": "H1", "decision": "held"}]);
    let inst = load(&b);
    let r = solve_checked(&inst, 3);
    assert_eq!(home_of(&r, "C1").as_deref(), Some("H1"));
    // A third child, also after H1, finds no open bed there: one is C1's, one is C2's.
    b["children"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "C3", "location": {"postcode": "RH13 5AB"}, "age": 12}));
    let inst = load(&b);
    let r = solve_checked(&inst, 3);
    let at_h1: Vec<&str> = r
        .placements
        .iter()
        .filter(|p| p.home == "H1" && p.child != "C2")
        .map(|p| p.child.as_str())
        .collect();
    assert_eq!(at_h1.len(), 1, "one open bed at H1, given to {at_h1:?}");
}

#[test]
fn the_checker_refuses_a_held_bed_given_away() {
    // H1: 2 beds, 1 held for C2, C1 at H1. Moving C3 into H1 too fills the held bed.
    let mut b = base_batch();
    b["homes"][0]["vacancies"] = json!(2);
    b["homes"][1]["vacancies"] = json!(3);
    b["children"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "C3", "location": {"postcode": "RH13 5AB"}, "age": 12}));
    b["decisions"] = json!([{"child": "C2", "home": "H1", "decision": "held"}]);
    let inst = load(&b);
    let mut r = solve_checked(&inst, 0);
    assert_eq!(home_of(&r, "C1").as_deref(), Some("H1"));
    let p = r
        .placements
        .iter_mut()
        .find(|p| p.child == "C3")
        .expect("C3 placed at H2");
    assert_eq!(p.home, "H2");
    p.home = "H1".into();
    let problems = check(&inst, &r);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("keeps 1 of its 2 beds accepted or held")),
        "{problems:#?}"
    );
}

#[test]
fn an_accepted_childs_unplaced_cost_stays_in_range() {
    // C2 is accepted at H2 (£4,500). Leaving it unplaced costs its usual 20,000 plus its
    // placement's cost, within the documented ranges; it was £10⁹.
    let mut b = base_batch();
    b["decisions"] = json!([{"child": "C2", "home": "H2", "decision": "accepted"}]);
    let inst = load(&b);
    let usual = 20_000.0;
    let placed = {
        let km = placematch::pair::eligibility::pair_km(&inst, 1, 1);
        placematch::pair::cost::terms(&inst, 1, 1, km).total()
    };
    let cost = placematch::pair::cost::unplaced_cost(&inst, 1);
    assert!((cost - (usual + placed)).abs() < 1e-6, "{cost} vs {usual} + {placed}");
    assert!(cost < 1e7, "{cost}");
    let r = solve_checked(&inst, 3);
    assert_eq!(home_of(&r, "C2").as_deref(), Some("H2"));
}

#[test]
fn an_accepted_child_dearer_than_leaving_it_stays_placed_and_paid_first() {
    // C2 accepted at a £30,000 home: dearer than its planned unplaced cost (20,000). The
    // authority's budget of £30,500 pays for it first; £500 is left, too little for C1 at H1
    // (£800), whose placement would have displaced C2 under the budget row.
    let mut b = base_batch();
    b["homes"][1]["weekly_price"] = json!(30000);
    for c in 0..2 {
        b["children"][c]["la"] = json!("E10000032");
    }
    b["policy"] = json!({"weekly_budget": {"E10000032": 30500}});
    b["decisions"] = json!([{"child": "C2", "home": "H2", "decision": "accepted"}]);
    let inst = load(&b);
    let r = solve_checked(&inst, 3);
    assert_eq!(home_of(&r, "C2").as_deref(), Some("H2"));
    assert_eq!(home_of(&r, "C1"), None);
    // Every number of the result stays far below the old £10⁹ penalty.
    let v = serde_json::to_value(&r).unwrap();
    let mut stack = vec![&v];
    while let Some(x) = stack.pop() {
        match x {
            Value::Number(n) => assert!(n.as_f64().unwrap().abs() < 1e8, "{n} in the result"),
            Value::Array(a) => stack.extend(a),
            Value::Object(o) => stack.extend(o.values()),
            _ => {}
        }
    }
    // With £31,000, C1 fits beside it.
    b["policy"] = json!({"weekly_budget": {"E10000032": 31000}});
    let r = solve_checked(&load(&b), 3);
    assert_eq!(home_of(&r, "C1").as_deref(), Some("H1"));
}
