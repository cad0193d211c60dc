//! Geography of generated batches: English postcode sectors grouped for quick draws, regions,
//! and the small random helpers (weighted picks, chances, prices) every draw uses.

use super::*;

/// English sectors with their authorities, grouped for quick draws.
pub(super) struct Index {
    pub(super) geo: &'static Geography,
    /// Indices into `geo.sectors` of English sectors, in name order.
    pub(super) sectors: Vec<usize>,
    /// Upper-tier authority per entry of `sectors`.
    pub(super) utla: Vec<String>,
    /// Postcode area (leading letters) per entry of `sectors`.
    pub(super) area: Vec<String>,
    pub(super) by_utla: BTreeMap<String, Vec<usize>>,
    pub(super) by_area: BTreeMap<String, Vec<usize>>,
    /// Sector weights for children's homes and secure homes (strongly regional).
    pub(super) residential: Cumulative,
    /// Sector weights for fostering, supported and parent-and-child (mildly regional).
    pub(super) family: Cumulative,
    /// Per [`Region`], the entries of `sectors` whose authority is in it.
    pub(super) by_region: [Vec<usize>; 5],
}

impl Index {
    pub(super) fn build() -> Index {
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

    pub(super) fn len(&self) -> usize {
        self.sectors.len()
    }

    pub(super) fn name(&self, k: usize) -> &str {
        &self.geo.sectors[self.sectors[k]].name
    }

    pub(super) fn lat_lon(&self, k: usize) -> (f64, f64) {
        let s = &self.geo.sectors[self.sectors[k]];
        (s.lat, s.lon)
    }

    pub(super) fn dist(&self, a: usize, b: usize) -> f64 {
        let (la, lo) = self.lat_lon(a);
        let (lb, lob) = self.lat_lon(b);
        km(la, lo, lb, lob)
    }

    pub(super) fn location(&self, k: usize) -> Location {
        Location {
            postcode: Some(self.name(k).to_string()),
            lat: None,
            lon: None,
        }
    }

    /// A sector of the same postcode area between `lo` and `hi` km from `k`.
    pub(super) fn nearby(&self, rng: &mut ChaCha8Rng, k: usize, lo: f64, hi: f64) -> Option<usize> {
        let cands: Vec<usize> = self.by_area[&self.area[k]]
            .iter()
            .copied()
            .filter(|&j| j != k && (lo..=hi).contains(&self.dist(k, j)))
            .collect();
        cands.choose(rng).copied()
    }

    /// A neighbouring upper-tier authority (a different one within 40 km), if any.
    pub(super) fn neighbour_la(&self, rng: &mut ChaCha8Rng, k: usize) -> Option<String> {
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
pub(super) fn region(lat: f64, lon: f64) -> Region {
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
pub(super) struct Cumulative(pub(super) Vec<f64>);

impl Cumulative {
    pub(super) fn new(weights: impl Iterator<Item = f64>) -> Cumulative {
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

    pub(super) fn total(&self) -> f64 {
        self.0.last().copied().unwrap_or(0.0)
    }

    pub(super) fn pick(&self, rng: &mut ChaCha8Rng) -> usize {
        let r = rng.gen::<f64>() * self.total();
        self.0.partition_point(|&c| c <= r).min(self.0.len() - 1)
    }
}

/// Draws from a small table of (value, weight).
pub(super) fn pick<T: Copy>(rng: &mut ChaCha8Rng, table: &[(T, u32)]) -> T {
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

pub(super) fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    rng.gen::<f64>() < p
}

/// A triangular-ish draw between `lo` and `hi` (mean of two uniforms), rounded to pounds.
pub(super) fn price(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    let u = (rng.gen::<f64>() + rng.gen::<f64>()) / 2.0;
    (lo + u * (hi - lo)).round()
}
