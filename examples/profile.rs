//! Times each stage of a solve on one batch: `cargo run --release --example profile -- BATCH`.
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).expect("batch path");
    let t = Instant::now();
    let text = std::fs::read_to_string(&path).unwrap();
    let inst = placematch::pair::instance::load_batch(&text, &path, None).unwrap();
    eprintln!("load {:?}", t.elapsed());
    let t = Instant::now();
    let f = placematch::matching::model::Formulation::build(&inst);
    eprintln!(
        "formulation {:?}: {} cands, {} components",
        t.elapsed(),
        f.cands.len(),
        f.components.len()
    );
    let opts = placematch::matching::solver::SolveOptions::default();
    for comp in &f.components {
        if comp.units.len() < 2 {
            continue;
        }
        let t = Instant::now();
        let mut s = placematch::matching::solver::ComponentSolver::new(&inst, &f, comp, &opts, None);
        eprintln!("new {:?} size {:?}", t.elapsed(), s.size());
        let o = s.solve(None).unwrap();
        eprintln!(
            "component {} units {} cands: base {:?} obj {} mip {} added {}",
            comp.units.len(),
            comp.cands.len(),
            t.elapsed(),
            o.objective,
            s.mip_solves,
            s.added
        );
    }
}
