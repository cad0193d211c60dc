//! Step 3, **locate**: postcodes and coordinates to points and authorities.
//!
//! The ONS postcode-sector and authority tables (see `data/README.md` for their
//! provenance) are embedded in the binary, so nothing is fetched at run time.

use std::collections::HashMap;
use std::sync::OnceLock;

use geo::{Distance, Haversine, Point};

static SECTORS_CSV: &str = include_str!("../../data/postcode_sectors.csv");
static AUTHORITIES_CSV: &str = include_str!("../../data/local_authorities.csv");

/// One postcode sector's centroid and district.
#[derive(Debug, Clone)]
pub struct Sector {
    /// Sector as printed, e.g. `RH12 1`.
    pub name: String,
    /// WGS84 latitude.
    pub lat: f64,
    /// WGS84 longitude.
    pub lon: f64,
    /// Local authority district code.
    pub lad: String,
}

/// A district and its upper-tier authority.
#[derive(Debug, Clone)]
pub struct Authority {
    /// District code.
    pub lad_code: String,
    /// District name.
    pub lad_name: String,
    /// Upper-tier authority code (runs children's services).
    pub utla_code: String,
    /// Upper-tier authority name.
    pub utla_name: String,
}

/// The bundled geography.
#[derive(Debug)]
pub struct Geography {
    /// Every sector, sorted by name.
    pub sectors: Vec<Sector>,
    by_key: HashMap<String, usize>,
    /// Districts by district code.
    pub districts: HashMap<String, Authority>,
    /// Upper-tier authority names by code.
    pub utlas: HashMap<String, String>,
}

/// A resolved place: a point and the upper-tier authority (and district) it lies in.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// District code of the sector (or nearest sector).
    pub lad: String,
    /// Upper-tier authority code.
    pub utla: String,
}

/// Normalises a postcode to its sector key (spaces removed, upper case).
///
/// SPEC §8.7: a string ending in a digit and two letters is a full postcode and loses
/// its last two characters; anything else is already a sector.
pub fn sector_key(postcode: &str) -> String {
    let s: String = postcode
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let b = s.as_bytes();
    let n = b.len();
    if n >= 3 && b[n - 3].is_ascii_digit() && b[n - 2].is_ascii_alphabetic() && b[n - 1].is_ascii_alphabetic() {
        s[..n - 2].to_string()
    } else {
        s
    }
}

impl Geography {
    /// The embedded tables, parsed once.
    pub fn get() -> &'static Geography {
        static GEO: OnceLock<Geography> = OnceLock::new();
        GEO.get_or_init(Geography::load)
    }

    fn load() -> Geography {
        // The bundled tables quote names that contain commas ("Bristol, City of"): the csv
        // crate reads them, one reused record per table (this runs once per process, and was a
        // fifth of the example batch's run time with a String per field).
        let reader = |text: &'static str| csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let mut districts = HashMap::new();
        let mut utlas = HashMap::new();
        let mut rec = csv::StringRecord::new();
        let mut rd = reader(AUTHORITIES_CSV);
        while rd.read_record(&mut rec).expect("bundled authority table") {
            let a = Authority {
                lad_code: rec[0].to_string(),
                lad_name: rec[1].to_string(),
                utla_code: rec[2].to_string(),
                utla_name: rec[3].to_string(),
            };
            utlas.insert(a.utla_code.clone(), a.utla_name.clone());
            districts.insert(a.lad_code.clone(), a);
        }
        let mut sectors = Vec::new();
        let mut rd = reader(SECTORS_CSV);
        while rd.read_record(&mut rec).expect("bundled sector table") {
            sectors.push(Sector {
                name: rec[0].to_string(),
                lat: rec[1].parse().expect("bundled sector table: lat"),
                lon: rec[2].parse().expect("bundled sector table: lon"),
                lad: rec[5].to_string(),
            });
        }
        sectors.sort_by(|a, b| a.name.cmp(&b.name));
        let by_key = sectors
            .iter()
            .enumerate()
            .map(|(i, s)| (sector_key(&s.name), i))
            .collect();
        Geography {
            sectors,
            by_key,
            districts,
            utlas,
        }
    }

    /// The sector of a postcode or sector string.
    pub fn sector(&self, postcode: &str) -> Option<&Sector> {
        self.by_key.get(&sector_key(postcode)).map(|&i| &self.sectors[i])
    }

    /// The upper-tier authority of a district (a district that is itself upper tier maps to itself).
    pub fn utla_of(&self, lad: &str) -> String {
        self.districts
            .get(lad)
            .map(|a| a.utla_code.clone())
            .unwrap_or_else(|| lad.to_string())
    }

    /// Whether a code names a known district or upper-tier authority.
    pub fn is_authority(&self, code: &str) -> bool {
        self.districts.contains_key(code) || self.utlas.contains_key(code)
    }

    /// A readable authority name.
    pub fn authority_name(&self, code: &str) -> Option<&str> {
        self.utlas
            .get(code)
            .map(String::as_str)
            .or_else(|| self.districts.get(code).map(|a| a.lad_name.as_str()))
    }

    /// Resolves a postcode to a place.
    pub fn place_of_postcode(&self, postcode: &str) -> Option<Place> {
        self.sector(postcode).map(|s| Place {
            lat: s.lat,
            lon: s.lon,
            lad: s.lad.clone(),
            utla: self.utla_of(&s.lad),
        })
    }

    /// Resolves a coordinate: its authority is the nearest sector centroid's (SPEC §8.6).
    pub fn place_of_point(&self, lat: f64, lon: f64) -> Place {
        // A linear scan over ~10k sectors is microseconds and happens once per record;
        // ties go to the first sector by name, so the answer is deterministic.
        let mut best = (f64::INFINITY, 0usize);
        for (i, s) in self.sectors.iter().enumerate() {
            let d = km(lat, lon, s.lat, s.lon);
            if d < best.0 {
                best = (d, i);
            }
        }
        let s = &self.sectors[best.1];
        Place {
            lat,
            lon,
            lad: s.lad.clone(),
            utla: self.utla_of(&s.lad),
        }
    }
}

/// Great-circle distance in km (geo's Haversine, mean Earth radius 6,371.0088 km),
/// rounded to the metre so that results do not depend on the last bits of a platform's `sin`.
pub fn km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let m = Haversine::distance(Point::new(lon1, lat1), Point::new(lon2, lat2));
    (m).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_postcodes_lose_their_unit() {
        assert_eq!(sector_key("RH12 1AB"), "RH121");
        assert_eq!(sector_key("rh121ab"), "RH121");
        assert_eq!(sector_key("RH12 1"), "RH121");
        assert_eq!(sector_key("M1 1"), "M11");
    }

    #[test]
    fn tables_load_and_resolve() {
        let g = Geography::get();
        assert_eq!(g.sectors.len(), 10_751);
        let p = g.place_of_postcode("RH12 1AB").unwrap();
        assert_eq!(p.utla, "E10000032"); // West Sussex
        assert!(g.place_of_postcode("ZZ99 9ZZ").is_none());
    }
}
