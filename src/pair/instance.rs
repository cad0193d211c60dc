//! Step 3, **locate**: a valid batch becomes an [`Instance`]: every child and home located,
//! exclusion zones resolved to geometry, and the per-home screens and pair keys that the
//! eligibility rules read.

use std::collections::HashMap;

use crate::errors::{InvalidInput, Issue};
use crate::input::geography::{Geography, Place};
use crate::input::policy::PolicyInput;
use crate::input::read::parse_batch;
use crate::input::validate::{batch_rules, check_policy};

/// Reads, validates and locates a batch: the front half of every command.
///
/// `extra_policy` is the `--policy FILE` layer (already parsed), applied over the batch's own.
pub fn load_batch(text: &str, source_name: &str, extra_policy: Option<&PolicyInput>) -> Result<Instance, InvalidInput> {
    let fail = |issues: Vec<Issue>| InvalidInput {
        source_name: source_name.to_string(),
        issues,
    };
    let partial = parse_batch(text).map_err(|i| fail(vec![i]))?;
    let mut issues = partial.issues.clone();
    issues.extend(batch_rules(&partial));
    if let Some(p) = extra_policy {
        check_policy(p, "--policy", &mut issues);
    }
    if !issues.is_empty() {
        return Err(fail(issues));
    }
    let inst = Instance::locate(partial.batch, extra_policy);
    let issues = crate::pair::answers::located_rules(&inst, &partial.decision_pos);
    if !issues.is_empty() {
        return Err(fail(issues));
    }
    Ok(inst)
}

/// An exclusion zone resolved to geometry.
#[derive(Debug, Clone, PartialEq)]
pub enum Zone {
    /// A circle (inclusive edge).
    Circle {
        /// Centre latitude.
        lat: f64,
        /// Centre longitude.
        lon: f64,
        /// Radius in km.
        radius_km: f64,
    },
    /// An authority, matched against a home's upper-tier or district code.
    Authority(String),
}

/// A child as located: where home is and who is responsible.
#[derive(Debug, Clone)]
pub struct ChildPlace {
    /// Resolved home location.
    pub place: Place,
    /// Responsible upper-tier authority.
    pub la: String,
    /// Resolved exclusion zones.
    pub zones: Vec<Zone>,
    /// Need per indicator in [`crate::input::batch::Indicator::ALL`] order: read once, since every
    /// pair's needs check and cost read them.
    pub needs: [i64; 12],
    /// Risks the child presents and risks it must not live alongside, as bit sets
    /// ([`crate::pair::eligibility::risk_mask`]): the risk rules run on every pair.
    pub risks: u16,
    /// See `risks`.
    pub incompatible: u16,
}

/// A home as located.
#[derive(Debug, Clone)]
pub struct HomePlace {
    /// Resolved location.
    pub place: Place,
    /// Upper-tier authority the home is in.
    pub la: String,
    /// Index of its provider in `batch.providers`.
    pub provider: usize,
    /// Effective Ofsted rating (SPEC §8.4).
    pub rating: crate::input::batch::Ofsted,
    /// Support per indicator in [`crate::input::batch::Indicator::ALL`] order.
    pub support: [i64; 12],
    /// Risks accepted, presented by residents, and residents must not live alongside (bit sets).
    pub accepts: u16,
    /// See `accepts`.
    pub resident: u16,
    /// See `accepts`.
    pub incompatible: u16,
}

impl ChildPlace {
    /// A child as located, with the per-pair facts (needs, risk sets) read once.
    pub fn new(child: &crate::input::batch::Child, place: Place, la: String, zones: Vec<Zone>) -> ChildPlace {
        use crate::pair::eligibility::{needs_of, risk_mask};
        ChildPlace {
            place,
            la,
            zones,
            needs: needs_of(child),
            risks: risk_mask(&child.risks),
            incompatible: risk_mask(&child.incompatible_risks),
        }
    }
}

impl HomePlace {
    /// A home as located, with the per-pair facts (support, risk sets) read once.
    pub fn new(
        home: &crate::input::batch::Home,
        place: Place,
        la: String,
        provider: usize,
        rating: crate::input::batch::Ofsted,
    ) -> HomePlace {
        use crate::pair::eligibility::{risk_mask, support_of};
        HomePlace {
            place,
            la,
            provider,
            rating,
            support: support_of(home),
            accepts: risk_mask(&home.accepts),
            resident: risk_mask(&home.resident_risks),
            incompatible: risk_mask(&home.incompatible_risks),
        }
    }
}

/// A validated batch with every location resolved and the policy layered: the
/// input of eligibility, the model and the checker.
#[derive(Debug, Clone)]
pub struct Instance {
    /// The batch as read.
    pub batch: crate::input::batch::Batch,
    /// The resolved policy.
    pub policy: crate::input::policy::Policy,
    /// Per child, same order as `batch.children`.
    pub children: Vec<ChildPlace>,
    /// Per home, same order as `batch.homes`.
    pub homes: Vec<HomePlace>,
    /// Providers' answers (offers, acceptances, refusals, holds), indexed.
    pub answers: crate::pair::answers::Answers,
    /// Values a demand forecast puts on today's free beds (`solve --forecast`; empty
    /// otherwise): they join every pair's cost and the unplaced cost, for the model and the
    /// checker alike.
    pub bed_values: crate::pair::cost::BedValueTable,
    /// Keys the cost terms compare on every eligible pair (built by [`Instance::new`]).
    keys: PairKeys,
    /// Per home, the fields the first eligibility rules read, packed together (built by
    /// [`Instance::new`]).
    screen: Vec<HomeScreen>,
}

/// What the eligibility rules and the cost terms read of a home, in one 64-byte cache line: a
/// national what-if checks 500 million pairs, and reading these from the batch's homes and
/// their [`HomePlace`]s (a few hundred bytes each, the sexes behind a pointer) left the pair
/// scan waiting on memory (half of the rules' time went on loading the support scores).
#[derive(Debug, Clone, Copy)]
pub struct HomeScreen {
    /// Weekly price.
    pub price: f64,
    /// Where the home is (as in its [`Place`]).
    pub lat: f64,
    /// See `lat`.
    pub lon: f64,
    /// Free beds (clamped to the i32 range; only compared with a sibling group's size).
    pub vacancies: i32,
    /// The home's provider (index in the batch's providers).
    pub provider: u32,
    /// Youngest and oldest age accepted (the widest range when not set).
    pub age_min: i32,
    /// See `age_min`.
    pub age_max: i32,
    /// Risk bit sets: accepted, of the residents, incompatible (as in [`HomePlace`]).
    pub accepts: u16,
    /// See `accepts`.
    pub resident: u16,
    /// See `accepts`.
    pub incompatible: u16,
    /// The home's type.
    pub kind: crate::input::batch::PlacementType,
    /// Its Ofsted rating.
    pub rating: crate::input::batch::Ofsted,
    /// Sexes accepted, one bit per [`Sex`](crate::input::batch::Sex) (0 = any).
    pub sexes: u8,
    /// Support score per indicator (as in [`HomePlace`]; validated scores are 0–3).
    pub support: [i8; 12],
    /// Whether anyone lives there already.
    pub occupied: bool,
}

// One cache line, as the doc says: a field added here must not spill into a second.
const _: () = assert!(std::mem::size_of::<HomeScreen>() <= 64);

impl HomeScreen {
    fn new(h: &crate::input::batch::Home, p: &HomePlace) -> HomeScreen {
        let clamp = |a: i64| a.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
        HomeScreen {
            price: h.weekly_price,
            lat: p.place.lat,
            lon: p.place.lon,
            vacancies: clamp(h.vacancies),
            provider: p.provider as u32,
            age_min: h.age_min.map_or(i32::MIN, clamp),
            age_max: h.age_max.map_or(i32::MAX, clamp),
            accepts: p.accepts,
            resident: p.resident,
            incompatible: p.incompatible,
            kind: h.kind,
            rating: p.rating,
            sexes: h.sexes.iter().fold(0, |m, &s| m | sex_bit(s)),
            occupied: h.occupied > 0,
            support: p.support.map(|v| v.clamp(i8::MIN as i64, i8::MAX as i64) as i8),
        }
    }
}

/// A sex's bit in [`HomeScreen::sexes`].
pub fn sex_bit(s: crate::input::batch::Sex) -> u8 {
    1 << (s as u8)
}

/// Authorities and languages as small integers: the `out_of_area` and `language` terms are
/// computed for every eligible pair (122 million in the national what-if), and string
/// comparisons were a tenth of its pair scan.
#[derive(Debug, Clone)]
struct PairKeys {
    child_la: Vec<u32>,
    home_la: Vec<u32>,
    /// Language bit sets per child and per home, when the batch has at most 64 languages
    /// (otherwise the strings are compared).
    langs: Option<(Vec<u64>, Vec<u64>)>,
}

impl PairKeys {
    fn new(batch: &crate::input::batch::Batch, children: &[ChildPlace], homes: &[HomePlace]) -> PairKeys {
        let mut las: HashMap<&str, u32> = HashMap::new();
        let mut child_la = Vec::with_capacity(children.len());
        for c in children {
            let n = las.len() as u32;
            child_la.push(*las.entry(c.la.as_str()).or_insert(n));
        }
        let mut home_la = Vec::with_capacity(homes.len());
        for h in homes {
            let n = las.len() as u32;
            home_la.push(*las.entry(h.la.as_str()).or_insert(n));
        }
        let mut codes: HashMap<&str, u32> = HashMap::new();
        let all = batch
            .children
            .iter()
            .flat_map(|c| &c.languages)
            .chain(batch.homes.iter().flat_map(|h| &h.languages));
        for l in all {
            let n = codes.len() as u32;
            codes.entry(l.as_str()).or_insert(n);
        }
        let mask = |ls: &[String]| ls.iter().fold(0u64, |m, l| m | 1 << codes[l.as_str()]);
        let langs = (codes.len() <= 64).then(|| {
            (
                batch.children.iter().map(|c| mask(&c.languages)).collect(),
                batch.homes.iter().map(|h| mask(&h.languages)).collect(),
            )
        });
        PairKeys {
            child_la,
            home_la,
            langs,
        }
    }
}

impl Instance {
    /// A located instance: the batch, its resolved policy, and its children and homes as
    /// located (same order as the batch's).
    pub fn new(
        batch: crate::input::batch::Batch,
        policy: crate::input::policy::Policy,
        children: Vec<ChildPlace>,
        homes: Vec<HomePlace>,
    ) -> Instance {
        let keys = PairKeys::new(&batch, &children, &homes);
        let screen = batch
            .homes
            .iter()
            .zip(&homes)
            .map(|(h, p)| HomeScreen::new(h, p))
            .collect();
        let provider_of: Vec<usize> = homes.iter().map(|h| h.provider).collect();
        let answers = crate::pair::answers::Answers::new(&batch, &provider_of);
        Instance {
            batch,
            policy,
            children,
            homes,
            answers,
            bed_values: Default::default(),
            keys,
            screen,
        }
    }

    /// The packed fields of home `h` that the cheap eligibility rules read.
    pub fn screen(&self, h: usize) -> &HomeScreen {
        &self.screen[h]
    }

    /// The weekly price of `child` at `home`: the provider's offer for that pair, or the
    /// home's list price.
    pub fn price(&self, child: usize, home: usize) -> f64 {
        if self.answers.any {
            if let Some(p) = self.answers.offer(child, home) {
                return p;
            }
        }
        self.screen[home].price
    }

    /// Whether the home is outside the child's responsible authority (`out_of_area`).
    pub fn out_of_area(&self, child: usize, home: usize) -> bool {
        self.keys.child_la[child] != self.keys.home_la[home]
    }

    /// Whether the child lists languages and the home shares none of them (SPEC §8.8).
    pub fn language_mismatch(&self, child: usize, home: usize) -> bool {
        match &self.keys.langs {
            Some((c, h)) => c[child] != 0 && c[child] & h[home] == 0,
            None => {
                let (c, h) = (&self.batch.children[child], &self.batch.homes[home]);
                !c.languages.is_empty() && !c.languages.iter().any(|l| h.languages.contains(l))
            }
        }
    }

    /// Child id → index in `batch.children`.
    pub fn child_index(&self) -> std::collections::HashMap<&str, usize> {
        self.batch
            .children
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect()
    }

    /// Home id → index in `batch.homes`.
    pub fn home_index(&self) -> std::collections::HashMap<&str, usize> {
        self.batch
            .homes
            .iter()
            .enumerate()
            .map(|(i, h)| (h.id.as_str(), i))
            .collect()
    }

    /// Resolves a batch that has passed validation (unknown postcodes or providers panic here,
    /// which validation rules out).
    pub fn locate(
        batch: crate::input::batch::Batch,
        extra_policy: Option<&crate::input::policy::PolicyInput>,
    ) -> Instance {
        use crate::input::batch::{Location, Ofsted, PlacementType};
        let geo = Geography::get();
        let resolve = |loc: &Location| -> Place {
            match (&loc.postcode, loc.lat, loc.lon) {
                (Some(pc), _, _) => geo.place_of_postcode(pc).expect("validated postcode"),
                (None, Some(lat), Some(lon)) => geo.place_of_point(lat, lon),
                _ => unreachable!("validated location"),
            }
        };
        let policy = crate::input::policy::Policy::resolve(batch.policy.iter().chain(extra_policy));
        let children = batch
            .children
            .iter()
            .map(|c| {
                let place = resolve(&c.location);
                let la =
                    c.la.as_deref()
                        .map(|l| geo.utla_of(l))
                        .unwrap_or_else(|| place.utla.clone());
                let zones = c
                    .exclusion_zones
                    .iter()
                    .map(|z| match (&z.center, z.radius_km, &z.la) {
                        (Some(center), Some(r), _) => {
                            let p = resolve(center);
                            Zone::Circle {
                                lat: p.lat,
                                lon: p.lon,
                                radius_km: r,
                            }
                        }
                        (_, _, Some(la)) => Zone::Authority(la.clone()),
                        _ => unreachable!("validated zone"),
                    })
                    .collect();
                ChildPlace::new(c, place, la, zones)
            })
            .collect();
        let provider_ix: HashMap<&str, usize> = batch
            .providers
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        let homes = batch
            .homes
            .iter()
            .map(|h| {
                let mut place = resolve(&h.location);
                let la = match &h.la {
                    Some(l) => {
                        // An explicit district code also fixes the district an `la` zone matches.
                        if geo.districts.contains_key(l) {
                            place.lad = l.clone();
                        }
                        geo.utla_of(l)
                    }
                    None => place.utla.clone(),
                };
                let provider = provider_ix[h.provider.as_str()];
                let rating = h
                    .ofsted
                    .unwrap_or_else(|| match (h.kind, batch.providers[provider].ofsted) {
                        (PlacementType::Foster, Some(r)) => r,
                        _ => Ofsted::NotYetInspected,
                    });
                HomePlace::new(h, place, la, provider, rating)
            })
            .collect();
        Instance::new(batch, policy, children, homes)
    }
}
