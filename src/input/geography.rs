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
/// its last two characters; anything else is already a sector. This is the key of the
/// bundled table only: reading a user's postcode goes through [`parse_postcode`], which
/// tells a district from a sector by the postcode's structure.
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

/// What a postcode string is, read by its structure: an outward code (area letters, district
/// digits, e.g. `RH12`, `M1`, `EC1A`), then, after the space, an inward code whose digit is the
/// sector (`RH12 1`) and whose two letters are the unit (`RH12 1AB`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostcodeForm {
    /// A sector or a full postcode: the outward code and the sector digit.
    Sector {
        /// The outward code, e.g. `RH12`.
        outward: String,
        /// The sector digit after the space.
        digit: char,
    },
    /// An outward code alone (a postal district, e.g. `RH12`): a town, not a sector.
    District(String),
    /// Written without a space, readable both ways: `RH12` is the district RH12 or the sector
    /// RH1 2, two different places.
    Either {
        /// The sector reading.
        sector: (String, char),
        /// The district reading.
        district: String,
    },
    /// Not shaped like a postcode.
    Malformed,
}

/// Whether `s` is shaped like an outward code: one or two letters, a digit, then at most one
/// more digit or letter (A9, A99, AA9, AA99, A9A, AA9A).
fn is_outward(s: &str) -> bool {
    let b = s.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let rest = &b[letters..];
    (1..=2).contains(&letters)
        && match rest {
            [d] => d.is_ascii_digit(),
            [d, x] => d.is_ascii_digit() && (x.is_ascii_digit() || x.is_ascii_uppercase()),
            _ => false,
        }
}

/// Reads a postcode by its structure (upper-cased, surrounding spaces ignored). Never guesses:
/// a string that could be two places is [`PostcodeForm::Either`].
pub fn parse_postcode(postcode: &str) -> PostcodeForm {
    let up = postcode.trim().to_uppercase();
    let parts: Vec<&str> = up.split_whitespace().collect();
    let inward_digit = |inward: &str| -> Option<char> {
        let b = inward.as_bytes();
        match b {
            [d] if d.is_ascii_digit() => Some(*d as char),
            [d, x, y] if d.is_ascii_digit() && x.is_ascii_uppercase() && y.is_ascii_uppercase() => Some(*d as char),
            _ => None,
        }
    };
    match parts.as_slice() {
        [outward, inward] => match (is_outward(outward), inward_digit(inward)) {
            (true, Some(digit)) => PostcodeForm::Sector {
                outward: outward.to_string(),
                digit,
            },
            _ => PostcodeForm::Malformed,
        },
        [s] => {
            let n = s.len();
            // A full postcode written without its space: the last three are the inward code.
            if n >= 5 && s.is_char_boundary(n - 3) && is_outward(&s[..n - 3]) {
                if let Some(digit) =
                    inward_digit(&s[n - 3..]).filter(|_| s[n - 2..].bytes().all(|c| c.is_ascii_uppercase()))
                {
                    return PostcodeForm::Sector {
                        outward: s[..n - 3].to_string(),
                        digit,
                    };
                }
            }
            let as_sector = match s.as_bytes().last() {
                Some(d) if d.is_ascii_digit() && is_outward(&s[..n - 1]) => Some((s[..n - 1].to_string(), *d as char)),
                _ => None,
            };
            match (as_sector, is_outward(s)) {
                (Some((outward, digit)), false) => PostcodeForm::Sector { outward, digit },
                (Some(sector), true) => PostcodeForm::Either {
                    sector,
                    district: s.to_string(),
                },
                (None, true) => PostcodeForm::District(s.to_string()),
                (None, false) => PostcodeForm::Malformed,
            }
        }
        _ => PostcodeForm::Malformed,
    }
}

/// Why a postcode does not resolve to one bundled sector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostcodeProblem {
    /// Not shaped like a postcode or sector.
    Malformed,
    /// Shaped like a sector, but not one of England's and Wales's.
    Unknown {
        /// The sector as written with its space.
        sector: String,
        /// The district's known sectors, when the district exists.
        nearby: Vec<String>,
    },
    /// A district alone (a town, not a sector).
    DistrictOnly {
        /// The district.
        district: String,
        /// Its sectors, to choose from.
        sectors: Vec<String>,
    },
    /// Written without a space, a known district and a known sector: two places.
    Ambiguous {
        /// The sector reading, with its space.
        sector: String,
        /// The district reading.
        district: String,
        /// The district's sectors.
        sectors: Vec<String>,
    },
}

impl PostcodeProblem {
    /// Its stable code.
    pub fn code(&self) -> crate::errors::ErrorCode {
        use crate::errors::ErrorCode;
        match self {
            PostcodeProblem::DistrictOnly { .. } => ErrorCode::PostcodeDistrictOnly,
            PostcodeProblem::Ambiguous { .. } => ErrorCode::AmbiguousPostcode,
            PostcodeProblem::Malformed | PostcodeProblem::Unknown { .. } => ErrorCode::UnknownPostcode,
        }
    }

    /// The problem as an issue at `path`, for what was `written`: the same code and words
    /// wherever a postcode is read (batch, scenario, history).
    pub fn issue(&self, path: impl Into<String>, written: &str) -> crate::errors::Issue {
        crate::errors::Issue::new(path, self.code(), self.message(written))
    }

    /// The problem in words, naming the places to choose from.
    pub fn message(&self, written: &str) -> String {
        // An error echoes at most 40 characters of what was written (a 1 MB string once came back whole).
        let written = crate::input::read::shorten(written, 40);
        let list = |v: &[String]| {
            let shown: Vec<&str> = v.iter().take(8).map(String::as_str).collect();
            let more = if v.len() > 8 {
                format!(" and {} more", v.len() - 8)
            } else {
                String::new()
            };
            format!("{}{more}", shown.join(", "))
        };
        match self {
            PostcodeProblem::Malformed => {
                format!("\"{written}\" is not shaped like a postcode or sector (e.g. \"RH12 1\" or \"RH12 1AB\")")
            }
            PostcodeProblem::Unknown { sector, nearby } if !nearby.is_empty() => format!(
                "postcode \"{written}\" is sector {sector}, which is not a known England or Wales sector; did you mean one of {}?",
                list(nearby)
            ),
            PostcodeProblem::Unknown { .. } => {
                format!("postcode \"{written}\" is not a known England or Wales sector")
            }
            PostcodeProblem::DistrictOnly { district, sectors } => format!(
                "\"{written}\" is the postal district {district}, which spans several sectors; give one of them: {}",
                list(sectors)
            ),
            PostcodeProblem::Ambiguous {
                sector,
                district,
                sectors,
            } => format!(
                "\"{written}\" could be the sector {sector} or the postal district {district} (sectors {}), which are different places; write it with its space",
                list(sectors)
            ),
        }
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

    /// The sector of a postcode or sector string, read by its structure ([`parse_postcode`]);
    /// `None` for anything [`Geography::lookup`] rejects.
    pub fn sector(&self, postcode: &str) -> Option<&Sector> {
        self.lookup(postcode).ok()
    }

    /// The sector a postcode or sector string names, or why it names none. A district alone and
    /// a string that could be two places are refused with the sectors to choose from.
    pub fn lookup(&self, postcode: &str) -> Result<&Sector, PostcodeProblem> {
        let get = |outward: &str, digit: char| self.by_key.get(&format!("{outward}{digit}")).map(|&i| &self.sectors[i]);
        match parse_postcode(postcode) {
            PostcodeForm::Malformed => Err(PostcodeProblem::Malformed),
            PostcodeForm::Sector { outward, digit } => get(&outward, digit).ok_or_else(|| PostcodeProblem::Unknown {
                sector: format!("{outward} {digit}"),
                nearby: self.sectors_of(&outward),
            }),
            PostcodeForm::District(district) => {
                let sectors = self.sectors_of(&district);
                if sectors.is_empty() {
                    Err(PostcodeProblem::Unknown {
                        sector: district,
                        nearby: Vec::new(),
                    })
                } else {
                    Err(PostcodeProblem::DistrictOnly { district, sectors })
                }
            }
            PostcodeForm::Either {
                sector: (outward, digit),
                district,
            } => {
                let sectors = self.sectors_of(&district);
                match (get(&outward, digit), sectors.is_empty()) {
                    // Only one reading is a place: that is what it means.
                    (Some(s), true) => Ok(s),
                    (None, false) => Err(PostcodeProblem::DistrictOnly { district, sectors }),
                    (Some(_), false) => Err(PostcodeProblem::Ambiguous {
                        sector: format!("{outward} {digit}"),
                        district,
                        sectors,
                    }),
                    (None, true) => Err(PostcodeProblem::Unknown {
                        sector: format!("{outward} {digit}"),
                        nearby: self.sectors_of(&outward),
                    }),
                }
            }
        }
    }

    /// The bundled sectors of a postal district (outward code), in order.
    pub fn sectors_of(&self, outward: &str) -> Vec<String> {
        let prefix = format!("{outward} ");
        let start = self.sectors.partition_point(|s| s.name.as_str() < prefix.as_str());
        self.sectors[start..]
            .iter()
            .take_while(|s| s.name.starts_with(&prefix))
            .map(|s| s.name.clone())
            .collect()
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
    fn postcodes_are_read_by_their_structure() {
        let sector = |o: &str, d: char| PostcodeForm::Sector {
            outward: o.to_string(),
            digit: d,
        };
        assert_eq!(parse_postcode("RH12 1AB"), sector("RH12", '1'));
        assert_eq!(parse_postcode(" rh12  1ab "), sector("RH12", '1'));
        assert_eq!(parse_postcode("RH121AB"), sector("RH12", '1'));
        assert_eq!(parse_postcode("RH12 1"), sector("RH12", '1'));
        assert_eq!(parse_postcode("RH1 2"), sector("RH1", '2'));
        assert_eq!(parse_postcode("EC1A 1BB"), sector("EC1A", '1'));
        assert_eq!(parse_postcode("RH121"), sector("RH12", '1'));
        assert_eq!(parse_postcode("EC1A"), PostcodeForm::District("EC1A".into()));
        assert_eq!(
            parse_postcode("RH12"),
            PostcodeForm::Either {
                sector: ("RH1".into(), '2'),
                district: "RH12".into()
            }
        );
        for bad in ["", "12", "RH12 1A", "RH12 AB", "R", "RH12 1AB X", "ÄH12 1", "RHX12"] {
            assert_eq!(parse_postcode(bad), PostcodeForm::Malformed, "{bad:?}");
        }
    }

    #[test]
    fn a_district_alone_is_never_read_as_another_place() {
        let g = Geography::get();
        // RH12 is Horsham; RH1 2 is Redhill. Written without a space, "RH12" is either.
        match g.lookup("RH12") {
            Err(PostcodeProblem::Ambiguous {
                sector,
                district,
                sectors,
            }) => {
                assert_eq!((sector.as_str(), district.as_str()), ("RH1 2", "RH12"));
                assert!(sectors.contains(&"RH12 1".to_string()), "{sectors:?}");
            }
            other => panic!("RH12: {other:?}"),
        }
        assert!(matches!(g.lookup("BN11"), Err(PostcodeProblem::Ambiguous { .. })));
        assert_eq!(g.lookup("RH12 1").unwrap().name, "RH12 1");
        assert_eq!(g.lookup("RH1 2").unwrap().name, "RH1 2");
        assert_eq!(g.lookup("RH12 1AB").unwrap().name, "RH12 1");
        // A district whose sector reading is not a place is a district alone.
        let district = g
            .sectors
            .iter()
            .map(|s| s.name.split(' ').next().unwrap().to_string())
            .find(|d| {
                d.len() == 4
                    && d.as_bytes()[3].is_ascii_digit()
                    && g.sector(&format!("{} {}", &d[..3], &d[3..])).is_none()
            })
            .expect("a district such as AB10 whose sector reading AB1 0 is no sector");
        assert!(
            matches!(g.lookup(&district), Err(PostcodeProblem::DistrictOnly { .. })),
            "{district}"
        );
        let msg = g.lookup("RH12").unwrap_err().message("RH12");
        assert!(
            msg.contains("RH1 2") && msg.contains("RH12 1") && msg.contains("space"),
            "{msg}"
        );
        assert!(g.place_of_postcode("RH12").is_none());
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
