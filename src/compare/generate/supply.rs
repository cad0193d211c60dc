//! Providers and homes: who runs them, where they are, their types, prices, ratings,
//! support, risks accepted, residents and languages.

use super::*;

pub(super) const FOSTER: usize = 0;
pub(super) const RESIDENTIAL: usize = 1;
pub(super) const SECURE: usize = 2;
pub(super) const SUPPORTED: usize = 3;
pub(super) const PARENT_AND_CHILD: usize = 4;

pub(super) const TYPE_MIX: [(usize, u32); 5] = [
    (FOSTER, 60),
    (RESIDENTIAL, 25),
    (SUPPORTED, 10),
    (PARENT_AND_CHILD, 3),
    (SECURE, 2),
];

pub(super) fn type_of(t: usize) -> PlacementType {
    PlacementType::ALL[t]
}

pub(super) const NAME_A: [&str; 24] = [
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
pub(super) const NAME_PRIVATE: [&str; 5] = ["Care", "Fostering", "Children's Services", "Homes", "Care Group"];
pub(super) const NAME_VOLUNTARY: [&str; 4] = ["Trust", "Children's Charity", "Foundation", "Family Services"];
pub(super) const HOME_A: [&str; 30] = [
    "Oak", "Willow", "Beech", "Ash", "Elm", "Rowan", "Hazel", "Birch", "Cedar", "Maple", "Holly", "Larch", "Alder",
    "Linden", "Juniper", "Heather", "Bramble", "Meadow", "Brook", "River", "Hill", "Fern", "Moor", "Lark", "Wren",
    "Kestrel", "Heron", "Orchard", "Hawthorn", "Primrose",
];
pub(super) const HOME_B: [&str; 10] = [
    "wood", "field", "lea", "bank", "croft", "dale", "gate", "mead", "side", "view",
];
pub(super) const HOME_C: [&str; 7] = ["House", "Lodge", "Cottage", "Court", "Place", "Grange", "View"];

pub(super) fn home_name(rng: &mut ChaCha8Rng) -> String {
    format!(
        "{}{} {}",
        HOME_A.choose(rng).unwrap(),
        HOME_B.choose(rng).unwrap(),
        HOME_C.choose(rng).unwrap()
    )
}

pub(super) struct ProviderDraft {
    pub(super) kind: ProviderKind,
    pub(super) utla: Option<String>,
    pub(super) base: usize,
    pub(super) offers: [bool; 5],
    pub(super) weight: f64,
    pub(super) name: String,
    pub(super) ofsted: Ofsted,
    pub(super) step_across: bool,
    pub(super) homes: [usize; 5],
}

pub(super) const PROVIDER_OFSTED: [(Ofsted, u32); 4] = [
    (Ofsted::Outstanding, 25),
    (Ofsted::Good, 68),
    (Ofsted::RequiresImprovement, 6),
    (Ofsted::Inadequate, 1),
];
pub(super) const HOME_OFSTED: [(Ofsted, u32); 5] = [
    (Ofsted::Outstanding, 20),
    (Ofsted::Good, 62),
    (Ofsted::RequiresImprovement, 11),
    (Ofsted::NotYetInspected, 5),
    (Ofsted::Inadequate, 2),
];

pub(super) fn gen_providers(n: usize, idx: &Index, rng: &mut ChaCha8Rng) -> Vec<ProviderDraft> {
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
pub(super) fn support(rng: &mut ChaCha8Rng, p: &dyn Fn(Indicator) -> f64, p_three: f64) -> BTreeMap<Indicator, i64> {
    let mut m = BTreeMap::new();
    for ind in Indicator::ALL {
        if chance(rng, p(ind)) {
            m.insert(ind, if chance(rng, p_three) { 3 } else { 2 });
        }
    }
    m
}

pub(super) const ALL_RISKS: [Risk; 8] = [
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
pub(super) fn accepts(rng: &mut ChaCha8Rng, p: [f64; 8]) -> Vec<Risk> {
    ALL_RISKS
        .iter()
        .zip(p)
        .filter_map(|(&r, q)| chance(rng, q).then_some(r))
        .collect()
}

pub(super) const LANGS: [&str; 10] = ["pl", "ur", "pa", "ar", "ro", "bn", "so", "ku", "ps", "ti"];

pub(super) fn home_languages(rng: &mut ChaCha8Rng) -> Vec<String> {
    let r: f64 = rng.gen();
    if r < 0.05 {
        vec![]
    } else if r < 0.88 {
        vec!["en".into()]
    } else {
        vec!["en".into(), LANGS.choose(rng).unwrap().to_string()]
    }
}

pub(super) fn gen_supply(opts: &GenOptions, idx: &Index) -> (Vec<Provider>, Vec<Home>) {
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

pub(super) fn gen_home(rng: &mut ChaCha8Rng, t: usize, d: &ProviderDraft) -> Home {
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
pub(super) fn resident_mix(rng: &mut ChaCha8Rng, h: &mut Home, incompatible: [f64; 8]) {
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
