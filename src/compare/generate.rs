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
    }
}

// ---------------------------------------------------------------------------------------------
// Geography
// ---------------------------------------------------------------------------------------------

/// English sectors with their authorities, grouped for quick draws.
struct Index {
    geo: &'static Geography,
    /// Indices into `geo.sectors` of English sectors, in name order.
    sectors: Vec<usize>,
    /// Upper-tier authority per entry of `sectors`.
    utla: Vec<String>,
    /// Postcode area (leading letters) per entry of `sectors`.
    area: Vec<String>,
    by_utla: BTreeMap<String, Vec<usize>>,
    by_area: BTreeMap<String, Vec<usize>>,
    /// Sector weights for children's homes and secure homes (strongly regional).
    residential: Cumulative,
    /// Sector weights for fostering, supported and parent-and-child (mildly regional).
    family: Cumulative,
    /// Per [`Region`], the entries of `sectors` whose authority is in it.
    by_region: [Vec<usize>; 5],
}

impl Index {
    fn build() -> Index {
        let geo = Geography::get();
        let mut sectors = Vec::new();
        let mut utla = Vec::new();
        let mut area: Vec<String> = Vec::new();
        for (i, s) in geo.sectors.iter().enumerate() {
            let u = geo.utla_of(&s.lad);
            if !u.starts_with('E') {
                continue; // England only: the 903 return and DOMAIN figures are English
            }
            sectors.push(i);
            utla.push(u);
            area.push(s.name.chars().take_while(|c| c.is_ascii_alphabetic()).collect());
        }
        let mut by_utla: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut by_area: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for k in 0..sectors.len() {
            by_utla.entry(utla[k].clone()).or_default().push(k);
            by_area.entry(area[k].clone()).or_default().push(k);
        }
        let weights = |table: [f64; 5]| {
            Cumulative::new(sectors.iter().map(|&i| {
                let s = &geo.sectors[i];
                table[region(s.lat, s.lon) as usize]
            }))
        };
        // [london, north west, midlands, south east, elsewhere]
        let residential = weights([0.35, 1.8, 1.5, 0.55, 1.0]);
        let family = weights([0.6, 1.3, 1.25, 0.85, 1.0]);
        let mut by_region: [Vec<usize>; 5] = Default::default();
        for ks in by_utla.values() {
            let n = ks.len() as f64;
            let (lat, lon) = ks.iter().fold((0.0, 0.0), |(a, b), &k| {
                let s = &geo.sectors[sectors[k]];
                (a + s.lat / n, b + s.lon / n)
            });
            by_region[region(lat, lon) as usize].extend(ks);
        }
        for v in &mut by_region {
            v.sort_unstable();
        }
        Index {
            geo,
            sectors,
            utla,
            area,
            by_utla,
            by_area,
            residential,
            family,
            by_region,
        }
    }

    fn len(&self) -> usize {
        self.sectors.len()
    }

    fn name(&self, k: usize) -> &str {
        &self.geo.sectors[self.sectors[k]].name
    }

    fn lat_lon(&self, k: usize) -> (f64, f64) {
        let s = &self.geo.sectors[self.sectors[k]];
        (s.lat, s.lon)
    }

    fn dist(&self, a: usize, b: usize) -> f64 {
        let (la, lo) = self.lat_lon(a);
        let (lb, lob) = self.lat_lon(b);
        km(la, lo, lb, lob)
    }

    fn location(&self, k: usize) -> Location {
        Location {
            postcode: Some(self.name(k).to_string()),
            lat: None,
            lon: None,
        }
    }

    /// A sector of the same postcode area between `lo` and `hi` km from `k`.
    fn nearby(&self, rng: &mut ChaCha8Rng, k: usize, lo: f64, hi: f64) -> Option<usize> {
        let cands: Vec<usize> = self.by_area[&self.area[k]]
            .iter()
            .copied()
            .filter(|&j| j != k && (lo..=hi).contains(&self.dist(k, j)))
            .collect();
        cands.choose(rng).copied()
    }

    /// A neighbouring upper-tier authority (a different one within 40 km), if any.
    fn neighbour_la(&self, rng: &mut ChaCha8Rng, k: usize) -> Option<String> {
        let cands: Vec<usize> = self.by_area[&self.area[k]]
            .iter()
            .copied()
            .filter(|&j| self.utla[j] != self.utla[k] && self.dist(k, j) <= 40.0)
            .collect();
        cands.choose(rng).map(|&j| self.utla[j].clone())
    }
}

/// Parts of England by a box rule (`generate --region`): where supply is denser, and where a
/// regional batch's children come from. An authority belongs to the part its sectors' mean
/// position falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Region {
    /// Greater London.
    London = 0,
    /// Cumbria to Cheshire, west of 2°W.
    NorthWest = 1,
    /// 52°N to 53.3°N.
    Midlands = 2,
    /// South of 52°N, east of 1.5°W (outside London).
    SouthEast = 3,
    /// The rest: the North East, Yorkshire, the South West, the east.
    Elsewhere = 4,
}

/// A box rule, good enough to make supply regional.
fn region(lat: f64, lon: f64) -> Region {
    if (51.28..=51.70).contains(&lat) && (-0.52..=0.34).contains(&lon) {
        Region::London
    } else if (53.0..=55.0).contains(&lat) && lon < -2.0 {
        Region::NorthWest
    } else if (52.0..=53.3).contains(&lat) {
        Region::Midlands
    } else if lat < 52.0 && lon > -1.5 {
        Region::SouthEast
    } else {
        Region::Elsewhere
    }
}

/// Cumulative weights for weighted draws (binary search, deterministic).
struct Cumulative(Vec<f64>);

impl Cumulative {
    fn new(weights: impl Iterator<Item = f64>) -> Cumulative {
        let mut acc = 0.0;
        Cumulative(
            weights
                .map(|w| {
                    acc += w;
                    acc
                })
                .collect(),
        )
    }

    fn total(&self) -> f64 {
        self.0.last().copied().unwrap_or(0.0)
    }

    fn pick(&self, rng: &mut ChaCha8Rng) -> usize {
        let r = rng.gen::<f64>() * self.total();
        self.0.partition_point(|&c| c <= r).min(self.0.len() - 1)
    }
}

/// Draws from a small table of (value, weight).
fn pick<T: Copy>(rng: &mut ChaCha8Rng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut r = rng.gen_range(0..total);
    for &(v, w) in table {
        if r < w {
            return v;
        }
        r -= w;
    }
    table[table.len() - 1].0
}

fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    rng.gen::<f64>() < p
}

/// A triangular-ish draw between `lo` and `hi` (mean of two uniforms), rounded to pounds.
fn price(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    let u = (rng.gen::<f64>() + rng.gen::<f64>()) / 2.0;
    (lo + u * (hi - lo)).round()
}

// ---------------------------------------------------------------------------------------------
// Providers and homes
// ---------------------------------------------------------------------------------------------

const FOSTER: usize = 0;
const RESIDENTIAL: usize = 1;
const SECURE: usize = 2;
const SUPPORTED: usize = 3;
const PARENT_AND_CHILD: usize = 4;

const TYPE_MIX: [(usize, u32); 5] = [
    (FOSTER, 60),
    (RESIDENTIAL, 25),
    (SUPPORTED, 10),
    (PARENT_AND_CHILD, 3),
    (SECURE, 2),
];

fn type_of(t: usize) -> PlacementType {
    PlacementType::ALL[t]
}

const NAME_A: [&str; 24] = [
    "Bright",
    "Horizon",
    "Keystone",
    "Pathway",
    "Compass",
    "Harbour",
    "Summit",
    "Evergreen",
    "Lighthouse",
    "Cornerstone",
    "Northstar",
    "Silverbirch",
    "Greenfield",
    "Bluebell",
    "Anchor",
    "Beacon",
    "Meadowbank",
    "Riverside",
    "Kingfisher",
    "Oakleaf",
    "Hillcrest",
    "Foxglove",
    "Brambles",
    "Starling",
];
const NAME_PRIVATE: [&str; 5] = ["Care", "Fostering", "Children's Services", "Homes", "Care Group"];
const NAME_VOLUNTARY: [&str; 4] = ["Trust", "Children's Charity", "Foundation", "Family Services"];
const HOME_A: [&str; 30] = [
    "Oak", "Willow", "Beech", "Ash", "Elm", "Rowan", "Hazel", "Birch", "Cedar", "Maple", "Holly", "Larch", "Alder",
    "Linden", "Juniper", "Heather", "Bramble", "Meadow", "Brook", "River", "Hill", "Fern", "Moor", "Lark", "Wren",
    "Kestrel", "Heron", "Orchard", "Hawthorn", "Primrose",
];
const HOME_B: [&str; 10] = [
    "wood", "field", "lea", "bank", "croft", "dale", "gate", "mead", "side", "view",
];
const HOME_C: [&str; 7] = ["House", "Lodge", "Cottage", "Court", "Place", "Grange", "View"];

fn home_name(rng: &mut ChaCha8Rng) -> String {
    format!(
        "{}{} {}",
        HOME_A.choose(rng).unwrap(),
        HOME_B.choose(rng).unwrap(),
        HOME_C.choose(rng).unwrap()
    )
}

struct ProviderDraft {
    kind: ProviderKind,
    utla: Option<String>,
    base: usize,
    offers: [bool; 5],
    weight: f64,
    name: String,
    ofsted: Ofsted,
    step_across: bool,
    homes: [usize; 5],
}

const PROVIDER_OFSTED: [(Ofsted, u32); 4] = [
    (Ofsted::Outstanding, 25),
    (Ofsted::Good, 68),
    (Ofsted::RequiresImprovement, 6),
    (Ofsted::Inadequate, 1),
];
const HOME_OFSTED: [(Ofsted, u32); 5] = [
    (Ofsted::Outstanding, 20),
    (Ofsted::Good, 62),
    (Ofsted::RequiresImprovement, 11),
    (Ofsted::NotYetInspected, 5),
    (Ofsted::Inadequate, 2),
];

fn gen_providers(n: usize, idx: &Index, rng: &mut ChaCha8Rng) -> Vec<ProviderDraft> {
    let mut used_utla = BTreeSet::new();
    // About 12% of providers are councils, but there are only so many councils: in big
    // batches each council's in-house service grows instead, keeping in-house fostering common.
    let councils = idx.by_utla.len() as f64;
    let la_boost = (0.12 * n as f64 / councils).max(1.0);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let r: f64 = rng.gen();
        let mut utla = None;
        if r < 0.12 {
            for _ in 0..8 {
                let u = &idx.utla[idx.family.pick(rng)];
                if used_utla.insert(u.clone()) {
                    utla = Some(u.clone());
                    break;
                }
            }
        }
        let mut offers = [false; 5];
        let (kind, weight, name) = if let Some(u) = &utla {
            offers[FOSTER] = true;
            offers[RESIDENTIAL] = chance(rng, 0.35);
            offers[SUPPORTED] = chance(rng, 0.25);
            offers[PARENT_AND_CHILD] = chance(rng, 0.15);
            offers[SECURE] = chance(rng, 0.06);
            let name = format!("{} Council", idx.geo.authority_name(u).unwrap_or(u));
            (ProviderKind::LocalAuthority, rng.gen_range(2.0..6.0) * la_boost, name)
        } else if r < 0.80 {
            let p: f64 = rng.gen();
            let w = if p < 0.40 {
                offers[FOSTER] = true;
                rng.gen_range(1.0..3.0)
            } else if p < 0.75 {
                offers[RESIDENTIAL] = true;
                offers[SECURE] = chance(rng, 0.02);
                rng.gen_range(0.5..2.5)
            } else if p < 0.90 {
                offers[FOSTER] = true;
                offers[RESIDENTIAL] = true;
                rng.gen_range(1.0..3.0)
            } else {
                offers[SUPPORTED] = true;
                offers[RESIDENTIAL] = chance(rng, 0.3);
                rng.gen_range(0.5..2.0)
            };
            let name = format!("{} {}", NAME_A.choose(rng).unwrap(), NAME_PRIVATE.choose(rng).unwrap());
            (ProviderKind::Private, w, name)
        } else {
            let p: f64 = rng.gen();
            if p < 0.40 {
                offers[FOSTER] = true;
            } else if p < 0.60 {
                offers[SUPPORTED] = true;
            } else if p < 0.75 {
                offers[FOSTER] = true;
                offers[RESIDENTIAL] = true;
            } else if p < 0.90 {
                offers[PARENT_AND_CHILD] = true;
                offers[FOSTER] = true;
            } else {
                offers[RESIDENTIAL] = true;
                offers[SUPPORTED] = true;
            }
            let name = format!(
                "{} {}",
                NAME_A.choose(rng).unwrap(),
                NAME_VOLUNTARY.choose(rng).unwrap()
            );
            (ProviderKind::Voluntary, rng.gen_range(0.8..2.5), name)
        };
        let base = match &utla {
            Some(u) => *idx.by_utla[u].choose(rng).unwrap(),
            None if offers[RESIDENTIAL] || offers[SECURE] => idx.residential.pick(rng),
            None => idx.family.pick(rng),
        };
        let step_across = offers[FOSTER] && offers[RESIDENTIAL] && chance(rng, 0.6);
        let ofsted = pick(rng, &PROVIDER_OFSTED);
        out.push(ProviderDraft {
            kind,
            utla,
            base,
            offers,
            weight,
            name,
            ofsted,
            step_across,
            homes: [0; 5],
        });
    }
    // Small batches: make sure every type has someone to run it.
    for t in 0..5 {
        if n > 0 && !out.iter().any(|p| p.offers[t]) {
            let p = rng.gen_range(0..n);
            out[p].offers[t] = true;
        }
    }
    out
}

/// Support levels: each indicator is covered (2–3) with a probability; otherwise missing (= 1).
fn support(rng: &mut ChaCha8Rng, p: &dyn Fn(Indicator) -> f64, p_three: f64) -> BTreeMap<Indicator, i64> {
    let mut m = BTreeMap::new();
    for ind in Indicator::ALL {
        if chance(rng, p(ind)) {
            m.insert(ind, if chance(rng, p_three) { 3 } else { 2 });
        }
    }
    m
}

const ALL_RISKS: [Risk; 8] = [
    Risk::Cse,
    Risk::Cce,
    Risk::Missing,
    Risk::SelfHarm,
    Risk::HarmToOthers,
    Risk::HarmfulSexualBehaviour,
    Risk::FireSetting,
    Risk::SubstanceMisuse,
];

/// Risks a home accepts, each with its own probability (in `ALL_RISKS` order).
fn accepts(rng: &mut ChaCha8Rng, p: [f64; 8]) -> Vec<Risk> {
    ALL_RISKS
        .iter()
        .zip(p)
        .filter_map(|(&r, q)| chance(rng, q).then_some(r))
        .collect()
}

const LANGS: [&str; 10] = ["pl", "ur", "pa", "ar", "ro", "bn", "so", "ku", "ps", "ti"];

fn home_languages(rng: &mut ChaCha8Rng) -> Vec<String> {
    let r: f64 = rng.gen();
    if r < 0.05 {
        vec![]
    } else if r < 0.88 {
        vec!["en".into()]
    } else {
        vec!["en".into(), LANGS.choose(rng).unwrap().to_string()]
    }
}

fn gen_supply(opts: &GenOptions, idx: &Index) -> (Vec<Provider>, Vec<Home>) {
    if opts.homes == 0 {
        return (vec![], vec![]);
    }
    let mut rng = stream(opts.seed, PROVIDER_STREAM);
    let n_prov = ((opts.homes + 4) / 8).max(1);
    let mut drafts = gen_providers(n_prov, idx, &mut rng);
    let by_type: Vec<Cumulative> = (0..5)
        .map(|t| Cumulative::new(drafts.iter().map(|p| if p.offers[t] { p.weight } else { 0.0 })))
        .collect();

    let mut rng = stream(opts.seed, HOME_STREAM);
    let mut homes = Vec::with_capacity(opts.homes);
    let mut owner = Vec::with_capacity(opts.homes);
    for _ in 0..opts.homes {
        let t = pick(&mut rng, &TYPE_MIX);
        let p = by_type[t].pick(&mut rng);
        let d = &mut drafts[p];
        d.homes[t] += 1;
        let sector = match &d.utla {
            Some(u) => *idx.by_utla[u].choose(&mut rng).unwrap(),
            None if chance(&mut rng, 0.55) => *idx.by_area[&idx.area[d.base]].choose(&mut rng).unwrap(),
            None if t == RESIDENTIAL || t == SECURE => idx.residential.pick(&mut rng),
            None => idx.family.pick(&mut rng),
        };
        let mut h = gen_home(&mut rng, t, d);
        h.location = idx.location(sector);
        homes.push(h);
        owner.push(p);
    }

    // Keep only providers with homes, numbered in order; step-across only where both run.
    let width = 3.max(n_prov.to_string().len());
    let mut new_id = vec![None; drafts.len()];
    let mut providers = Vec::new();
    for (i, d) in drafts.iter().enumerate() {
        if d.homes.iter().sum::<usize>() == 0 {
            continue;
        }
        let id = format!("P{:0width$}", providers.len() + 1);
        new_id[i] = Some(id.clone());
        providers.push(Provider {
            id,
            name: Some(d.name.clone()),
            kind: Some(d.kind),
            ofsted: Some(d.ofsted),
            step_across: d.step_across && d.homes[FOSTER] > 0 && d.homes[RESIDENTIAL] > 0,
            max_admissions: None,
            volume_discount: None,
        });
    }
    let hwidth = 5.max(opts.homes.to_string().len());
    for (k, h) in homes.iter_mut().enumerate() {
        h.id = format!("H{:0hwidth$}", k + 1);
        h.provider = new_id[owner[k]].clone().expect("a provider with homes");
    }

    if opts.block_beds {
        let mut rng = stream(opts.seed, BLOCK_STREAM);
        for h in &mut homes {
            let r: f64 = rng.gen();
            let two: f64 = rng.gen();
            if r < 0.15 && h.vacancies >= 1 {
                h.block_vacancies = if two < 0.2 { h.vacancies.min(2) } else { 1 };
            }
        }
    }
    if opts.admission_limits {
        let mut rng = stream(opts.seed, ADMISSION_STREAM);
        for p in &mut providers {
            let r: f64 = rng.gen();
            let m = rng.gen_range(1..=3);
            if r < 0.20 {
                p.max_admissions = Some(m);
            }
        }
    }
    if opts.discounts {
        let mut rng = stream(opts.seed, DISCOUNT_STREAM);
        for p in &mut providers {
            let r: f64 = rng.gen();
            let n = rng.gen_range(2..=4);
            let pct = rng.gen_range(3..=10);
            if r < 0.15 {
                p.volume_discount = Some(VolumeDiscount {
                    min_placements: n,
                    percent: pct as f64,
                });
            }
        }
    }
    (providers, homes)
}

fn gen_home(rng: &mut ChaCha8Rng, t: usize, d: &ProviderDraft) -> Home {
    use Indicator::*;
    let mut h = Home {
        id: String::new(),
        name: None,
        provider: String::new(),
        kind: type_of(t),
        location: Location::default(),
        la: None,
        ofsted: Some(pick(rng, &HOME_OFSTED)),
        vacancies: 1,
        block_vacancies: 0,
        occupied: 0,
        age_min: None,
        age_max: None,
        sexes: vec![],
        support: BTreeMap::new(),
        accepts: vec![],
        resident_risks: vec![],
        incompatible_risks: vec![],
        weekly_price: 0.0,
        languages: home_languages(rng),
    };
    let one_sex = |rng: &mut ChaCha8Rng, p: f64| {
        if chance(rng, p) {
            vec![if chance(rng, 0.5) { Sex::Female } else { Sex::Male }]
        } else {
            vec![]
        }
    };
    match t {
        FOSTER => {
            // Agencies are inspected as agencies: most households take the provider's rating.
            if chance(rng, 0.7) {
                h.ofsted = None;
            }
            h.name = Some(format!("{} carers #{}", d.name, d.homes[FOSTER]));
            h.vacancies = pick(rng, &[(1, 55), (2, 33), (3, 12)]);
            h.occupied = pick(rng, &[(0, 55), (1, 30), (2, 15)]).min(3 - h.vacancies);
            let (lo, hi) = pick(
                rng,
                &[
                    ((0, 17), 50),
                    ((0, 10), 15),
                    ((0, 4), 10),
                    ((5, 17), 15),
                    ((11, 17), 10),
                ],
            );
            h.age_min = Some(lo);
            h.age_max = Some(hi);
            h.sexes = one_sex(rng, 0.12);
            h.support = support(
                rng,
                &|i| match i {
                    EmotionalHealth | Relationships | Education | Identity | SelfCare | Community | Voice => 0.45,
                    _ => 0.25,
                },
                0.35,
            );
            h.accepts = accepts(rng, [0.30, 0.25, 0.45, 0.35, 0.20, 0.06, 0.06, 0.20]);
            if h.occupied > 0 {
                h.resident_risks = accepts(rng, [0.02, 0.02, 0.05, 0.05, 0.03, 0.0, 0.0, 0.02]);
                h.incompatible_risks = accepts(rng, [0.05, 0.03, 0.0, 0.0, 0.15, 0.30, 0.10, 0.0]);
            }
            h.weekly_price = if d.kind == ProviderKind::LocalAuthority {
                price(rng, 330.0, 480.0)
            } else {
                price(rng, 550.0, 970.0)
            };
        }
        RESIDENTIAL => {
            h.name = Some(home_name(rng));
            let bespoke = chance(rng, 0.05);
            let (lo, hi) = pick(
                rng,
                &[
                    ((8, 17), 10),
                    ((10, 17), 30),
                    ((11, 17), 30),
                    ((12, 17), 20),
                    ((13, 17), 10),
                ],
            );
            h.age_min = Some(lo);
            h.age_max = Some(hi);
            h.sexes = one_sex(rng, 0.25);
            if bespoke {
                // A solo, high-support arrangement for one child.
                h.vacancies = 1;
                h.occupied = 0;
                h.support = support(rng, &|_| 0.85, 0.8);
                h.accepts = ALL_RISKS.to_vec();
                h.weekly_price = price(rng, 6500.0, 12000.0);
            } else {
                h.vacancies = pick(rng, &[(1, 65), (2, 35)]);
                h.occupied = rng.gen_range(1..=3);
                h.support = support(
                    rng,
                    &|i| match i {
                        EmotionalHealth | SelfRegulation | Relationships | RiskyBehaviour => 0.85,
                        _ => 0.40,
                    },
                    0.6,
                );
                h.accepts = accepts(rng, [0.75, 0.75, 0.9, 0.8, 0.75, 0.25, 0.25, 0.7]);
                resident_mix(rng, &mut h, [0.1, 0.1, 0.0, 0.0, 0.1, 0.35, 0.2, 0.05]);
                h.weekly_price = price(rng, 3800.0, 6000.0);
            }
        }
        SECURE => {
            h.name = Some(format!("{} Secure Children's Home", HOME_A.choose(rng).unwrap()));
            h.vacancies = pick(rng, &[(1, 60), (2, 40)]);
            h.occupied = rng.gen_range(3..=8);
            h.age_min = Some(10);
            h.age_max = Some(17);
            h.support = support(rng, &|_| 0.9, 0.8);
            h.accepts = ALL_RISKS.to_vec();
            resident_mix(rng, &mut h, [0.0; 8]);
            h.weekly_price = price(rng, 6200.0, 8000.0);
        }
        SUPPORTED => {
            h.name = Some(format!("{} Supported Lodgings", HOME_A.choose(rng).unwrap()));
            h.vacancies = pick(rng, &[(1, 50), (2, 30), (3, 20)]);
            h.occupied = rng.gen_range(0..=4);
            h.age_min = Some(16);
            h.age_max = Some(pick(rng, &[(17, 70), (21, 20), (25, 10)]));
            h.sexes = one_sex(rng, 0.15);
            h.support = support(
                rng,
                &|i| match i {
                    SelfCare | Goals | Community | Education => 0.6,
                    _ => 0.2,
                },
                0.3,
            );
            h.accepts = accepts(rng, [0.3, 0.3, 0.5, 0.35, 0.2, 0.05, 0.05, 0.5]);
            resident_mix(rng, &mut h, [0.05, 0.05, 0.0, 0.0, 0.1, 0.2, 0.1, 0.0]);
            // Mostly £260–£1,500; rarely a staffed unit at up to £3,500.
            h.weekly_price = if chance(rng, 0.04) {
                price(rng, 1500.0, 3500.0)
            } else {
                (260.0 + rng.gen::<f64>().powi(2) * 1240.0).round()
            };
        }
        _ => {
            h.name = Some(format!("{} Family Centre", HOME_A.choose(rng).unwrap()));
            h.vacancies = pick(rng, &[(1, 90), (2, 10)]);
            h.occupied = rng.gen_range(0..=1);
            h.age_min = Some(0);
            h.age_max = Some(17);
            h.support = support(
                rng,
                &|i| match i {
                    SelfCare | EmotionalHealth | Relationships | PhysicalHealth => 0.8,
                    _ => 0.3,
                },
                0.4,
            );
            h.accepts = accepts(rng, [0.2, 0.1, 0.3, 0.3, 0.05, 0.0, 0.0, 0.15]);
            h.weekly_price = price(rng, 1400.0, 1850.0);
        }
    }
    h
}

/// Risks the current residents present and must not live alongside (`incompatible` per risk).
fn resident_mix(rng: &mut ChaCha8Rng, h: &mut Home, incompatible: [f64; 8]) {
    const COMMON: [(Risk, u32); 7] = [
        (Risk::Missing, 30),
        (Risk::Cce, 14),
        (Risk::Cse, 12),
        (Risk::SelfHarm, 16),
        (Risk::HarmToOthers, 12),
        (Risk::SubstanceMisuse, 12),
        (Risk::FireSetting, 4),
    ];
    let mut present = BTreeSet::new();
    for _ in 0..h.occupied {
        if chance(rng, 0.6) {
            present.insert(pick(rng, &COMMON));
        }
    }
    h.resident_risks = present.iter().copied().collect();
    h.incompatible_risks = accepts(rng, incompatible)
        .into_iter()
        .filter(|r| !present.contains(r))
        .collect();
}

// ---------------------------------------------------------------------------------------------
// Children
// ---------------------------------------------------------------------------------------------

/// Relative frequency of each age 0–17 among referrals: skewed to teenagers.
const AGE_WEIGHTS: [u32; 18] = [6, 3, 3, 3, 3, 3, 3, 3, 3, 4, 5, 6, 7, 9, 10, 11, 10, 6];

fn draw_age(rng: &mut ChaCha8Rng) -> i64 {
    let mut r = rng.gen_range(0..AGE_WEIGHTS.iter().sum::<u32>());
    for (age, &w) in AGE_WEIGHTS.iter().enumerate() {
        if r < w {
            return age as i64;
        }
        r -= w;
    }
    17
}

/// A planned sibling group: its id, members' ages and whether it may be split.
struct Group {
    id: String,
    ages: Vec<i64>,
    split: bool,
}

fn gen_children(opts: &GenOptions, idx: &Index) -> Vec<Child> {
    let n = opts.children;
    // Siblings are planned first on their own stream: which children form a group, and their ages.
    let mut member: Vec<Option<(usize, usize)>> = vec![None; n]; // (group, position)
    let mut groups: Vec<Group> = Vec::new();
    if opts.siblings {
        let mut rng = stream(opts.seed, SIBLING_STREAM);
        let mut i = 0;
        while i < n {
            let r: f64 = rng.gen();
            let size = pick(&mut rng, &[(2, 70), (3, 30)]);
            if r < 0.045 && i + size <= n {
                let first = draw_age(&mut rng);
                let mut ages = vec![first];
                for _ in 1..size {
                    let gap = rng.gen_range(1..=5) * if chance(&mut rng, 0.5) { 1 } else { -1 };
                    ages.push((first + gap).clamp(0, 17));
                }
                let split = chance(&mut rng, 0.15);
                for (k, m) in member.iter_mut().skip(i).take(size).enumerate() {
                    *m = Some((groups.len(), k));
                }
                groups.push(Group {
                    id: format!("S{:03}", groups.len() + 1),
                    ages,
                    split,
                });
                i += size;
            } else {
                i += 1;
            }
        }
    }

    let width = 4.max(n.to_string().len());
    let mut children: Vec<Child> = Vec::with_capacity(n);
    let mut anchor: Vec<usize> = Vec::with_capacity(groups.len());
    for (i, &member) in member.iter().enumerate() {
        let mut rng = stream(opts.seed, CHILD_STREAM + i as u64);
        let forced_age = member.map(|(g, k)| groups[g].ages[k]);
        let mut c = gen_child(&mut rng, idx, opts.region, forced_age);
        c.id = format!("C{:0width$}", i + 1);
        if let Some((g, k)) = member {
            let group = &groups[g];
            if k == 0 {
                anchor.push(i);
            } else {
                let a = &children[anchor[g]];
                c.location = a.location.clone();
                c.la = a.la.clone();
                c.urgency = a.urgency;
                c.waiting_days = a.waiting_days;
                c.max_distance_km = a.max_distance_km;
                c.exclusion_zones = a.exclusion_zones.clone();
                c.languages = a.languages.clone();
            }
            c.min_distance_km = None;
            c.secure_order = false;
            c.step_across = None;
            c.budget_cap = None;
            c.incompatible_risks.clear();
            c.placement_types = if group.ages.iter().all(|&a| a >= 11) {
                vec![PlacementType::Foster, PlacementType::Residential]
            } else {
                vec![PlacementType::Foster]
            };
            c.sibling_group = Some(group.id.clone());
            if group.split && k == 0 {
                c.keep_together = Some(false);
            }
        }
        children.push(c);
    }

    if opts.solo {
        let mut rng = stream(opts.seed, SOLO_STREAM);
        for c in &mut children {
            let r: f64 = rng.gen();
            let p = if c.age >= 11 { 0.04 } else { 0.015 };
            if r < p && c.sibling_group.is_none() && !c.secure_order {
                c.requires_solo = true;
            }
        }
    }
    if opts.conflicts {
        const AVOID: [(Risk, u32); 7] = [
            (Risk::HarmfulSexualBehaviour, 3),
            (Risk::HarmToOthers, 3),
            (Risk::Cce, 2),
            (Risk::Cse, 1),
            (Risk::SubstanceMisuse, 1),
            (Risk::FireSetting, 1),
            (Risk::Missing, 1),
        ];
        let mut rng = stream(opts.seed, CONFLICT_STREAM);
        for c in &mut children {
            let r: f64 = rng.gen();
            let two = chance(&mut rng, 0.3);
            let first = pick(&mut rng, &AVOID);
            let second = pick(&mut rng, &AVOID);
            let p = if c.age >= 11 { 0.16 } else { 0.06 };
            if r < p && c.sibling_group.is_none() {
                let mut set = BTreeSet::from([first]);
                if two {
                    set.insert(second);
                }
                c.incompatible_risks = set.into_iter().filter(|x| !c.risks.contains(x)).collect();
            }
        }
    }
    children
}

fn gen_child(rng: &mut ChaCha8Rng, idx: &Index, region: Option<Region>, forced_age: Option<i64>) -> Child {
    use Indicator::*;
    use PlacementType::*;
    let sector = match region {
        Some(r) => idx.by_region[r as usize][rng.gen_range(0..idx.by_region[r as usize].len())],
        None => rng.gen_range(0..idx.len()),
    };
    let age = draw_age(rng);
    let age = forced_age.unwrap_or(age);
    let sex = if chance(rng, 0.5) { Sex::Female } else { Sex::Male };
    let teen = age >= 13;

    // Needs: most indicators absent (0), a few 1–3, more for teenagers.
    let mut needs = BTreeMap::new();
    for ind in Indicator::ALL {
        let p = match (age, ind) {
            (0..=4, PhysicalHealth) => 0.15,
            (0..=4, LearningDisability | Relationships) => 0.12,
            (0..=4, _) => 0.05,
            (_, EmotionalHealth) => 0.45,
            (_, SelfRegulation | Education | Relationships) => 0.35,
            (12.., RiskyBehaviour) => 0.35,
            _ => 0.12,
        };
        if chance(rng, p) {
            needs.insert(ind, pick(rng, &[(1, 50), (2, 36), (3, 14)]));
        }
    }

    // Risks: common for teenagers, rare for young children.
    let scale = if teen {
        1.0
    } else if age >= 10 {
        0.4
    } else {
        0.0
    };
    let female = sex == Sex::Female;
    let risk_p = [
        (Risk::Cse, if female { 0.20 } else { 0.07 } * scale),
        (Risk::Cce, if female { 0.07 } else { 0.18 } * scale),
        (Risk::Missing, 0.32 * scale),
        (Risk::SelfHarm, if female { 0.20 } else { 0.10 } * scale),
        (Risk::HarmToOthers, 0.12 * scale + if age >= 5 { 0.03 } else { 0.0 }),
        (
            Risk::HarmfulSexualBehaviour,
            0.03 * scale + if age >= 7 { 0.01 } else { 0.0 },
        ),
        (Risk::FireSetting, 0.02 * scale + if age >= 7 { 0.005 } else { 0.0 }),
        (Risk::SubstanceMisuse, if age >= 15 { 0.15 } else { 0.05 } * scale),
    ];
    let risks: Vec<Risk> = risk_p
        .iter()
        .filter_map(|&(r, p)| chance(rng, p).then_some(r))
        .collect();

    let urgency = pick(
        rng,
        &[(Urgency::Emergency, 15), (Urgency::Urgent, 35), (Urgency::Planned, 50)],
    );
    let waiting_days = match urgency {
        Urgency::Emergency => rng.gen_range(0..=2),
        Urgency::Urgent => rng.gen_range(0..=14),
        Urgency::Planned => rng.gen_range(0..=30),
    };

    // Placement plan, in the order of preference of s22C.
    let secure_order = age >= 12 && chance(rng, 0.015);
    let placement_types: Vec<PlacementType> = if secure_order {
        pick(rng, &[(&[Secure][..], 60), (&[Secure, Residential][..], 40)]).to_vec()
    } else if age == 0 && chance(rng, 0.25) {
        vec![ParentAndChild, Foster]
    } else if age >= 16 && female && chance(rng, 0.04) {
        vec![ParentAndChild, Supported]
    } else if age < 11 {
        if age >= 8 && chance(rng, 0.08) {
            vec![Foster, Residential]
        } else {
            vec![Foster]
        }
    } else if age < 16 {
        pick(
            rng,
            &[
                (&[Foster, Residential][..], 50),
                (&[Residential, Foster][..], 20),
                (&[Foster][..], 22),
                (&[Residential][..], 8),
            ],
        )
        .to_vec()
    } else {
        pick(
            rng,
            &[
                (&[Foster, Supported][..], 20),
                (&[Supported][..], 15),
                (&[Supported, Foster][..], 20),
                (&[Foster, Residential, Supported][..], 20),
                (&[Residential, Supported][..], 10),
                (&[Foster, Residential][..], 15),
            ],
        )
        .to_vec()
    };

    let max_distance_km = chance(rng, 0.2).then(|| (rng.gen_range(8..=24) * 5) as f64);
    let exploited = risks.contains(&Risk::Cse) || risks.contains(&Risk::Cce);
    let min_distance_km = (exploited && chance(rng, 0.08))
        .then(|| (rng.gen_range(3..=8) * 5) as f64)
        .filter(|&m| max_distance_km.is_none_or(|x| m < x));

    let mut exclusion_zones = Vec::new();
    if chance(rng, if exploited { 0.35 } else { 0.02 }) {
        if chance(rng, 0.65) {
            if let Some(c) = idx.nearby(rng, sector, 2.0, 25.0) {
                let r = rng.gen_range(3..=10) as f64;
                exclusion_zones.push(ExclusionZone {
                    center: Some(idx.location(c)),
                    radius_km: Some(r),
                    la: None,
                });
            }
        } else {
            let la = if chance(rng, 0.5) {
                idx.neighbour_la(rng, sector)
            } else {
                None
            };
            let la = la.unwrap_or_else(|| idx.utla[sector].clone());
            exclusion_zones.push(ExclusionZone {
                center: None,
                radius_km: None,
                la: Some(la),
            });
        }
    }

    let step_across =
        (age >= 11 && placement_types.contains(&Residential) && chance(rng, 0.35)).then_some(StepAcross { to: Foster });
    let budget_cap = if chance(rng, 0.10) {
        match placement_types[0] {
            Foster => Some((rng.gen_range(16..=20) * 50) as f64),
            Residential => Some((rng.gen_range(9..=13) * 500) as f64),
            Supported => Some((rng.gen_range(9..=15) * 100) as f64),
            ParentAndChild => Some(1800.0),
            Secure => None,
        }
    } else {
        None
    };
    let languages: Vec<String> = if chance(rng, 0.08) {
        let l = LANGS.choose(rng).unwrap().to_string();
        if chance(rng, 0.6) {
            vec!["en".into(), l]
        } else {
            vec![l]
        }
    } else {
        vec![]
    };
    let min_ofsted = chance(rng, 0.06).then_some(Ofsted::Good);
    let la = chance(rng, 0.9).then(|| idx.utla[sector].clone());

    Child {
        id: String::new(),
        la,
        location: idx.location(sector),
        age,
        sex: Some(sex),
        placement_types,
        needs,
        risks,
        incompatible_risks: vec![],
        urgency,
        waiting_days,
        sibling_group: None,
        keep_together: None,
        requires_solo: false,
        secure_order,
        max_distance_km,
        min_distance_km,
        exclusion_zones,
        step_across,
        budget_cap,
        languages,
        min_ofsted,
    }
}

/// A weekly budget per responsible authority: about 85% of what its children would cost at
/// typical prices for their first-choice type, so most (not all) can be placed.
fn budgets(opts: &GenOptions, children: &[Child], idx: &Index) -> PolicyInput {
    let mut rng = stream(opts.seed, BUDGET_STREAM);
    let mut need: BTreeMap<String, f64> = BTreeMap::new();
    for c in children {
        let la = match &c.la {
            Some(l) => l.clone(),
            None => {
                let pc = c.location.postcode.as_deref().unwrap_or_default();
                idx.geo.place_of_postcode(pc).map(|p| p.utla).unwrap_or_default()
            }
        };
        let typical = match c.placement_types.first() {
            Some(PlacementType::Foster) | None => 650.0,
            Some(PlacementType::Residential) => 4800.0,
            Some(PlacementType::Secure) => 7000.0,
            Some(PlacementType::Supported) => 650.0,
            Some(PlacementType::ParentAndChild) => 1600.0,
        };
        *need.entry(la).or_default() += typical;
    }
    let weekly: BTreeMap<String, f64> = need
        .into_iter()
        .map(|(la, v)| {
            let f = rng.gen_range(0.75..1.0);
            (la, ((v * f) / 100.0).ceil() * 100.0)
        })
        .collect();
    PolicyInput {
        weekly_budget: Some(BudgetInput::PerAuthority(weekly)),
        ..Default::default()
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
            .filter(|r| !seen.contains(r))
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
