//! Deterministic synthetic batches that look like a day's referrals and vacancies in England.
//!
//! The figures follow `shared/DOMAIN.md`: real postcode sectors from the bundled ONS table,
//! homes more plentiful in the North West and the Midlands than in the South East, a type mix
//! of about 60% fostering, 25% children's homes, 10% supported accommodation, 3% parent and
//! child and 2% secure, weekly prices in the published ranges, ~82% of homes Good or
//! Outstanding, and children skewed to teenagers with mostly low needs.
//!
//! The same options give the same batch on any machine: every draw comes from
//! `ChaCha8Rng::seed_from_u64(seed)` (on separate streams, [`crate::support::random::stream`]), and nothing iterates a hash map.
//! Each child draws from its own stream, and each side-constraint switch from its own, so
//! turning a switch on changes only what that switch is about (siblings also re-draw the
//! ages of the children they group).
//!
//! Placement types are written as type names: the batch types serialise names, so SSDA903
//! codes (`U3`, `K2`, …) appear only in hand-written batches such as `instances/example.json`.

use std::collections::{BTreeMap, BTreeSet};

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::input::batch::{
    Batch, Child, ExclusionZone, Home, Indicator, Location, Ofsted, PlacementType, Provider, ProviderKind, Risk, Sex,
    StepAcross, Urgency, VolumeDiscount, BATCH_FORMAT,
};
use crate::input::policy::{BudgetInput, PolicyInput};
use crate::support::random::stream;
use crate::{input::geography::km, input::geography::Geography};

mod children;
mod geo;
mod supply;

use children::*;
pub use geo::*;
use supply::*;

/// What to generate: the batch size, the seed and which side constraints to include.
#[derive(Debug, Clone, Default)]
pub struct GenOptions {
    /// Number of children (referrals).
    pub children: usize,
    /// Number of homes with free beds.
    pub homes: usize,
    /// Random seed: the same options give the same batch.
    pub seed: u64,
    /// About 10% of children in sibling groups of 2–3 (a few may be split).
    pub siblings: bool,
    /// Some children list `incompatible_risks` that meet other children's risks.
    pub conflicts: bool,
    /// About 3% of children need a solo placement.
    pub solo: bool,
    /// About 15% of homes have beds under a block contract.
    pub block_beds: bool,
    /// About 20% of providers admit at most 1–3 children of the batch.
    pub admission_limits: bool,
    /// About 15% of providers offer a volume discount.
    pub discounts: bool,
    /// A weekly budget per responsible authority, binding for some.
    pub budgets: bool,
    /// Children from this region's authorities only (a regional co-operative's backlog);
    /// homes are drawn from all of England either way.
    pub region: Option<Region>,
}

impl GenOptions {
    /// A batch of this size with every side constraint switched on.
    pub fn with_side_constraints(children: usize, homes: usize, seed: u64) -> GenOptions {
        GenOptions {
            children,
            homes,
            seed,
            siblings: true,
            conflicts: true,
            solo: true,
            block_beds: true,
            admission_limits: true,
            discounts: true,
            budgets: true,
            region: None,
        }
    }
}

// Stream numbers: one per concern, children from CHILD_STREAM + index.
const PROVIDER_STREAM: u64 = 1;
const HOME_STREAM: u64 = 2;
const SIBLING_STREAM: u64 = 3;
const SOLO_STREAM: u64 = 4;
const CONFLICT_STREAM: u64 = 5;
const BLOCK_STREAM: u64 = 6;
const ADMISSION_STREAM: u64 = 7;
const DISCOUNT_STREAM: u64 = 8;
const BUDGET_STREAM: u64 = 9;
const CHILD_STREAM: u64 = 1 << 32;

/// Generates a batch (see the module documentation for what it looks like).
pub fn generate(opts: &GenOptions) -> Batch {
    let idx = Index::build();
    let (providers, homes) = gen_supply(opts, &idx);
    let children = gen_children(opts, &idx);
    let policy = opts.budgets.then(|| budgets(opts, &children, &idx));
    Batch {
        format: BATCH_FORMAT.to_string(),
        batch_id: Some(match opts.region {
            None => format!("gen-{}x{}-s{}", opts.children, opts.homes, opts.seed),
            Some(r) => {
                let name = clap::ValueEnum::to_possible_value(&r).expect("every region is named");
                format!(
                    "gen-{}x{}-s{}-{}",
                    opts.children,
                    opts.homes,
                    opts.seed,
                    name.get_name()
                )
            }
        }),
        as_of: Some("2026-11-22".to_string()),
        policy,
        providers,
        homes,
        children,
        offers: Vec::new(),
        decisions: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pair::instance::load_batch;

    fn all(children: usize, homes: usize, seed: u64) -> GenOptions {
        GenOptions::with_side_constraints(children, homes, seed)
    }

    #[test]
    fn same_seed_same_json() {
        let a = serde_json::to_string(&generate(&all(150, 1500, 7))).unwrap();
        let b = serde_json::to_string(&generate(&all(150, 1500, 7))).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn different_seeds_differ() {
        let a = serde_json::to_string(&generate(&all(150, 1500, 1))).unwrap();
        let b = serde_json::to_string(&generate(&all(150, 1500, 2))).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn generated_batches_validate() {
        for seed in 1..=4 {
            for opts in [
                all(150, 2000, seed),
                GenOptions {
                    children: 40,
                    homes: 300,
                    seed,
                    ..Default::default()
                },
            ] {
                let batch = generate(&opts);
                assert_eq!(batch.children.len(), opts.children);
                assert_eq!(batch.homes.len(), opts.homes);
                let json = serde_json::to_string_pretty(&batch).unwrap();
                if let Err(e) = load_batch(&json, "gen", None) {
                    panic!("seed {seed}: {:?}", e.issues);
                }
            }
        }
    }

    #[test]
    fn tiny_batches_validate() {
        for (c, h) in [(1, 1), (3, 2), (5, 9)] {
            let json = serde_json::to_string(&generate(&all(c, h, 3))).unwrap();
            assert!(load_batch(&json, "gen", None).is_ok(), "{c}x{h}");
        }
    }

    #[test]
    fn switches_only_add_their_feature() {
        let plain = generate(&GenOptions {
            children: 300,
            homes: 2000,
            seed: 5,
            ..Default::default()
        });
        let full = generate(&all(300, 2000, 5));
        assert!(plain.policy.is_none());
        assert!(plain
            .children
            .iter()
            .all(|c| c.sibling_group.is_none() && !c.requires_solo));
        assert!(plain.children.iter().all(|c| c.incompatible_risks.is_empty()));
        assert!(plain.homes.iter().all(|h| h.block_vacancies == 0));
        assert!(plain
            .providers
            .iter()
            .all(|p| p.max_admissions.is_none() && p.volume_discount.is_none()));
        // Homes and providers are drawn independently of the children's switches.
        let strip = |b: &Batch| {
            b.homes
                .iter()
                .map(|h| (h.id.clone(), h.location.postcode.clone(), h.weekly_price))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&plain), strip(&full));
        assert!(full.children.iter().any(|c| c.sibling_group.is_some()));
        assert!(full.children.iter().any(|c| c.keep_together == Some(false)) || full.children.len() < 1000);
        assert!(full.children.iter().any(|c| c.requires_solo));
        assert!(full.children.iter().any(|c| !c.incompatible_risks.is_empty()));
        assert!(full.homes.iter().any(|h| h.block_vacancies > 0));
        assert!(full.homes.iter().all(|h| h.block_vacancies <= h.vacancies));
        assert!(full.providers.iter().any(|p| p.max_admissions.is_some()));
        assert!(full.providers.iter().any(|p| p.volume_discount.is_some()));
        assert!(full.policy.is_some());
    }

    #[test]
    fn a_regional_batch_draws_its_children_from_that_regions_authorities_only() {
        let opts = |region| GenOptions {
            children: 300,
            homes: 500,
            seed: 5,
            budgets: true,
            region,
            ..Default::default()
        };
        let b = generate(&opts(Some(Region::NorthWest)));
        let idx = Index::build();
        let in_region: BTreeSet<&str> = idx.by_region[Region::NorthWest as usize]
            .iter()
            .map(|&k| idx.utla[k].as_str())
            .collect();
        // Each authority wholly in one region.
        for (r, ks) in idx.by_region.iter().enumerate() {
            for other in idx.by_region.iter().skip(r + 1) {
                assert!(ks.iter().all(|k| other.binary_search(k).is_err()));
            }
        }
        let geo = Geography::get();
        let authority = |c: &Child| {
            geo.place_of_postcode(c.location.postcode.as_deref().unwrap())
                .unwrap()
                .utla
        };
        let mut authorities = BTreeSet::new();
        for c in &b.children {
            let la = authority(c);
            assert!(in_region.contains(la.as_str()), "{la} is not in the North West");
            authorities.insert(la);
        }
        // A co-operative's worth of authorities, each with its budget; homes still national.
        assert!((10..=30).contains(&authorities.len()), "{}", authorities.len());
        let budgets = b.policy.as_ref().and_then(|p| p.weekly_budget.as_ref()).unwrap();
        let BudgetInput::PerAuthority(budgets) = budgets else {
            panic!("per authority")
        };
        // (A child's responsible authority may be a neighbour across the region's edge.)
        let responsible: BTreeSet<String> = b
            .children
            .iter()
            .map(|c| c.la.clone().unwrap_or_else(|| authority(c)))
            .collect();
        assert!(budgets.keys().all(|la| responsible.contains(la)));
        assert!(budgets.keys().filter(|la| in_region.contains(la.as_str())).count() >= authorities.len());
        let home_regions: BTreeSet<usize> = b
            .homes
            .iter()
            .map(|h| {
                let s = geo.sector(h.location.postcode.as_deref().unwrap()).unwrap();
                region(s.lat, s.lon) as usize
            })
            .collect();
        assert_eq!(home_regions.len(), 5);
        assert_eq!(b.batch_id.as_deref(), Some("gen-300x500-s5-north-west"));
        // Without a region: the same draws as before the option existed, from all of England.
        let national = generate(&opts(None));
        assert_eq!(national.batch_id.as_deref(), Some("gen-300x500-s5"));
        assert!(national
            .children
            .iter()
            .any(|c| !in_region.contains(authority(c).as_str())));
    }

    #[test]
    fn supply_looks_like_england() {
        let b = generate(&GenOptions {
            children: 200,
            homes: 6000,
            seed: 11,
            ..Default::default()
        });
        let share = |t: PlacementType| b.homes.iter().filter(|h| h.kind == t).count() as f64 / b.homes.len() as f64;
        assert!((0.55..0.65).contains(&share(PlacementType::Foster)));
        assert!((0.21..0.29).contains(&share(PlacementType::Residential)));
        // Step-across providers run both children's homes and fostering households.
        for p in b.providers.iter().filter(|p| p.step_across) {
            let kinds: BTreeSet<PlacementType> =
                b.homes.iter().filter(|h| h.provider == p.id).map(|h| h.kind).collect();
            assert!(kinds.contains(&PlacementType::Foster) && kinds.contains(&PlacementType::Residential));
        }
        let kinds: BTreeSet<String> = b.providers.iter().map(|p| format!("{:?}", p.kind)).collect();
        assert_eq!(kinds.len(), 3);
        // More children's homes in the North West than in the South East, per sector.
        let geo = Geography::get();
        let mut count = [0usize; 5];
        for h in b.homes.iter().filter(|h| h.kind == PlacementType::Residential) {
            let s = geo.sector(h.location.postcode.as_deref().unwrap()).unwrap();
            count[region(s.lat, s.lon) as usize] += 1;
        }
        assert!(count[Region::NorthWest as usize] > count[Region::SouthEast as usize]);
        for h in &b.homes {
            assert_eq!(h.weekly_price, h.weekly_price.round());
        }
    }

    /// `instances/example.json` (hand-written, West Sussex) must exercise every rule of SPEC §4
    /// and every side constraint of §6; kept here next to the generator's own checks.
    #[test]
    fn example_batch_exercises_every_rule() {
        use crate::pair::eligibility::{evaluate, pair_km, units, Reason};
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/instances/example.json");
        let text = std::fs::read_to_string(path).unwrap();
        let inst = load_batch(&text, "example.json", None).unwrap_or_else(|e| panic!("{:?}", e.issues));
        let b = &inst.batch;
        let mut size = vec![1usize; b.children.len()];
        let mut kept_together = false;
        for u in units(&inst) {
            kept_together |= u.members.len() > 1;
            for &m in &u.members {
                size[m] = u.members.len();
            }
        }
        let mut seen = BTreeSet::new();
        let mut unplaceable = 0;
        #[allow(clippy::needless_range_loop)]
        for i in 0..b.children.len() {
            let mut eligible = 0;
            for j in 0..b.homes.len() {
                let r = evaluate(&inst, i, j, size[i], pair_km(&inst, i, j));
                eligible += r.is_empty() as usize;
                seen.extend(r.iter());
            }
            unplaceable += (eligible == 0) as usize;
        }
        let missing: Vec<&str> = Reason::ALL
            .iter()
            .filter(|r| r.is_rule() && !seen.contains(r))
            .map(|r| r.code())
            .collect();
        assert!(missing.is_empty(), "no home excluded by {missing:?}");
        assert!(unplaceable >= 1, "some child must have no eligible home");
        assert!(kept_together);
        let kids = &b.children;
        assert!(kids.iter().any(|c| c.secure_order));
        assert!(kids
            .iter()
            .any(|c| (16..=17).contains(&c.age) && c.placement_types.first() == Some(&PlacementType::Supported)));
        assert!(kids.iter().any(|c| c.step_across.is_some()));
        assert!(kids
            .iter()
            .any(|c| c.exclusion_zones.iter().any(|z| z.center.is_some())));
        assert!(kids.iter().any(|c| c.exclusion_zones.iter().any(|z| z.la.is_some())));
        assert!(kids.iter().any(|c| c.requires_solo));
        assert!(kids.iter().any(|c| !c.languages.is_empty()));
        assert!(kids
            .iter()
            .any(|a| kids.iter().any(|o| crate::pair::eligibility::children_conflict(a, o))));
        assert!(b.providers.iter().any(|p| p.max_admissions.is_some()));
        assert!(b.providers.iter().any(|p| p.volume_discount.is_some()));
        assert!(b.providers.iter().any(|p| p.step_across));
        assert!(b.homes.iter().any(|h| h.block_vacancies > 0));
        assert!(b.policy.as_ref().is_some_and(|p| p.weekly_budget.is_some()));
        let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
        let codes = raw["children"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["placement_types"].as_array().cloned().unwrap_or_default())
            .filter(|t| t.as_str().is_some_and(|t| t.len() == 2))
            .count();
        assert!(codes >= 3, "903 codes in placement_types");
    }
}
