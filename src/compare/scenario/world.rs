//! Compiling a scenario into the fixed world of a simulation: authorities with their sectors,
//! the stock of homes (given and generated) and the homes that open during a replication.

use super::*;

/// A home of the stock with its location resolved.
#[derive(Debug, Clone)]
pub struct StockHome {
    /// The home as a batch record (vacancies and occupancy are set each day).
    pub home: Home,
    /// Resolved place.
    pub place: Place,
    /// Upper-tier authority.
    pub la: String,
    /// Provider index.
    pub provider: usize,
    /// Effective Ofsted rating.
    pub rating: Ofsted,
    /// Beds in total.
    pub capacity: usize,
    /// Block-contract beds.
    pub block_beds: usize,
    /// Beds held by children from outside the scenario on the day the home appears.
    pub outside: usize,
    /// Day the home appears (0 = at the start).
    pub from_day: usize,
}

/// A member authority with the sectors children come from.
#[derive(Debug, Clone)]
pub struct WorldAuthority {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Sector names with their places.
    pub sectors: Vec<(String, Place)>,
}

/// The compiled scenario: everything fixed before the random days begin.
#[derive(Debug, Clone)]
pub struct World {
    /// The scenario as read.
    pub scenario: Scenario,
    /// The resolved policy of every daily batch.
    pub policy: crate::input::policy::Policy,
    /// Member authorities.
    pub authorities: Vec<WorldAuthority>,
    /// Per segment, the weight of each authority (same order as `authorities`).
    pub segment_weights: Vec<Vec<f64>>,
    /// Homes at the start (same for every replication and rule).
    pub homes: Vec<StockHome>,
}

impl World {
    /// Every (segment, authority) pair with arrivals, and its expected arrivals a day: the
    /// segment's rate shared out by the authorities' weights. In segment then authority order,
    /// which the simulation's random draws follow.
    pub fn arrival_rates(&self) -> impl Iterator<Item = (usize, usize, f64)> + '_ {
        self.scenario.segments.iter().enumerate().flat_map(move |(si, seg)| {
            let weights = &self.segment_weights[si];
            let total: f64 = weights.iter().sum();
            weights
                .iter()
                .enumerate()
                .filter(move |_| total > 0.0 && seg.rate_per_day > 0.0)
                .map(move |(ai, w)| (si, ai, seg.rate_per_day * w / total))
                .filter(|&(_, _, rate)| rate > 0.0)
        })
    }

    /// Compiles a validated scenario; the bed stock is drawn from `seed` (fixed across
    /// replications, so replications vary demand and luck, not the stock).
    pub fn build(scenario: Scenario, seed: u64) -> World {
        let geo = Geography::get();
        let mut by_utla = SectorCache::new();
        let authorities: Vec<WorldAuthority> = scenario
            .authorities
            .iter()
            .map(|a| WorldAuthority {
                code: a.code.clone(),
                name: a
                    .name
                    .clone()
                    .unwrap_or_else(|| geo.authority_name(&a.code).unwrap_or(&a.code).to_string()),
                sectors: if a.sectors.is_empty() {
                    sectors_of(&a.code, &mut by_utla)
                } else {
                    a.sectors
                        .iter()
                        .map(|s| (s.clone(), geo.place_of_postcode(s).expect("validated sector")))
                        .collect()
                },
            })
            .collect();
        let segment_weights = scenario
            .segments
            .iter()
            .map(|s| {
                scenario
                    .authorities
                    .iter()
                    .map(|a| match &s.authorities {
                        Some(m) => m.get(&a.code).copied().unwrap_or(0.0),
                        None => a.weight,
                    })
                    .collect()
            })
            .collect();
        let policy = crate::input::policy::Policy::resolve(scenario.policy.iter());

        // Explicit homes, located as in a batch.
        let mut homes = Vec::new();
        if !scenario.homes.is_empty() {
            let batch = crate::input::batch::Batch {
                format: crate::input::batch::BATCH_FORMAT.into(),
                batch_id: None,
                as_of: None,
                policy: None,
                providers: scenario.providers.clone(),
                homes: scenario.homes.clone(),
                children: Vec::new(),
                offers: Vec::new(),
                decisions: Vec::new(),
            };
            let inst = crate::pair::instance::Instance::locate(batch, None);
            for (h, hp) in scenario.homes.iter().zip(inst.homes) {
                homes.push(StockHome {
                    home: h.clone(),
                    place: hp.place,
                    la: hp.la,
                    provider: hp.provider,
                    rating: hp.rating,
                    capacity: (h.vacancies + h.occupied) as usize,
                    block_beds: h.block_vacancies as usize,
                    outside: h.occupied as usize,
                    from_day: 0,
                });
            }
        }
        // Generated homes: each generator has its own stream, so editing one leaves the others.
        let member_codes: Vec<String> = authorities.iter().map(|a| a.code.clone()).collect();
        for (gi, g) in scenario.home_generators.iter().enumerate() {
            let mut rng = tagged_stream(seed, &[0x57_0C, gi as u64]);
            let prefix = g.id_prefix.clone().unwrap_or_else(|| format!("G{gi}"));
            let areas = if g.authorities.is_empty() {
                &member_codes
            } else {
                &g.authorities
            };
            for n in 1..=g.count.max(0) {
                let id = format!("{prefix}-{n}");
                homes.push(generate_home(&scenario, g, areas, &mut rng, id, 0, &mut by_utla));
            }
        }
        World {
            scenario,
            policy,
            authorities,
            segment_weights,
            homes,
        }
    }

    /// Homes approved during one replication (generators' `new_per_year`), in order of day.
    pub fn new_homes(&self, seed: u64, rep: u64, days: usize) -> Vec<StockHome> {
        let mut out = Vec::new();
        let mut by_utla = BTreeMap::new();
        let member_codes: Vec<String> = self.authorities.iter().map(|a| a.code.clone()).collect();
        for (gi, g) in self.scenario.home_generators.iter().enumerate() {
            if g.new_per_year <= 0.0 {
                continue;
            }
            let mut rng = tagged_stream(seed, &[0xA1_0C, rep, gi as u64]);
            let prefix = g.id_prefix.clone().unwrap_or_else(|| format!("G{gi}"));
            let areas = if g.authorities.is_empty() {
                &member_codes
            } else {
                &g.authorities
            };
            let gap = rand_distr::Exp::new(g.new_per_year / 365.0).expect("rate checked");
            let (mut t, mut n) = (0.0, 0);
            loop {
                t += gap.sample(&mut rng);
                let day = t.floor() as usize;
                if day >= days {
                    break;
                }
                n += 1;
                let id = format!("{prefix}-new{n}");
                out.push(generate_home(&self.scenario, g, areas, &mut rng, id, day, &mut by_utla));
            }
        }
        // Stable: same-day homes keep generator order.
        out.sort_by_key(|h| h.from_day);
        out
    }
}

pub(super) type SectorCache = BTreeMap<String, Vec<(String, Place)>>;

/// Every bundled sector of an upper-tier authority, with its place.
pub(super) fn sectors_of(code: &str, cache: &mut SectorCache) -> Vec<(String, Place)> {
    let geo = Geography::get();
    cache
        .entry(code.to_string())
        .or_insert_with(|| {
            geo.sectors
                .iter()
                .filter(|s| geo.utla_of(&s.lad) == code)
                .map(|s| (s.name.clone(), geo.place_of_postcode(&s.name).expect("bundled sector")))
                .collect()
        })
        .clone()
}

/// One generated home. Homes present at the start are partly occupied by children from
/// outside the scenario (`occupancy`); homes approved later arrive empty.
pub(super) fn generate_home(
    scenario: &Scenario,
    g: &HomeGenerator,
    areas: &[String],
    rng: &mut ChaCha8Rng,
    id: String,
    from_day: usize,
    cache: &mut SectorCache,
) -> StockHome {
    let provider = scenario
        .providers
        .iter()
        .position(|p| p.id == g.provider)
        .expect("validated provider");
    let code = &areas[rng.gen_range(0..areas.len())];
    let secs = sectors_of(code, cache);
    let (sector, place) = secs[rng.gen_range(0..secs.len())].clone();
    let beds = rng.gen_range(g.beds.min..=g.beds.max) as usize;
    let price = (rng.gen_range(g.weekly_price.min..=g.weekly_price.max) / 10.0).round() * 10.0;
    let rating = match &g.ofsted {
        Some(m) => pick(rng, m.iter().map(|(k, v)| (*k, *v))),
        None => scenario.providers[provider].ofsted.unwrap_or(Ofsted::Good),
    };
    let block_beds = (g.block_beds.max(0) as usize).min(beds);
    let outside = if from_day == 0 {
        let taken = (0..beds).filter(|_| rng.gen_bool(g.occupancy)).count();
        taken.min(beds - block_beds)
    } else {
        0
    };
    StockHome {
        home: Home {
            id,
            name: None,
            provider: g.provider.clone(),
            kind: g.kind,
            location: Location {
                postcode: Some(sector),
                lat: None,
                lon: None,
            },
            la: None,
            ofsted: Some(rating),
            vacancies: beds as i64,
            block_vacancies: block_beds as i64,
            occupied: 0,
            age_min: g.age_min,
            age_max: g.age_max,
            sexes: Vec::new(),
            support: g.support.clone(),
            accepts: g.accepts.clone(),
            resident_risks: Vec::new(),
            incompatible_risks: g.incompatible_risks.clone(),
            weekly_price: price,
            languages: Vec::new(),
        },
        la: place.utla.clone(),
        place,
        provider,
        rating,
        capacity: beds,
        block_beds,
        outside,
        from_day,
    }
}

/// Draws one key by probability (the last key absorbs rounding).
pub fn pick<K: Copy>(rng: &mut ChaCha8Rng, items: impl Iterator<Item = (K, f64)>) -> K {
    let items: Vec<(K, f64)> = items.collect();
    let total: f64 = items.iter().map(|x| x.1).sum();
    let mut u = rng.gen::<f64>() * total;
    for &(k, p) in &items {
        if u < p {
            return k;
        }
        u -= p;
    }
    items.last().expect("at least one item").0
}
