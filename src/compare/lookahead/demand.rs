//! A forecast from estimated demand rather than a scenario: arrival rates per authority and
//! placement type, as `plan` estimates them from a history of episodes (or as a plan gives
//! them), turned into the same sample children [`Forecast::day_values`] values beds against.
//!
//! A history row says when a child was placed, by which authority and in what type of
//! placement, but not the child's age or needs. Its streams take documented defaults: the
//! ages the type serves ([`history_ages`]: children's homes and secure homes 10–17, supported
//! accommodation 16–17, fostering 0–17), uniform over those years and split into the age
//! bands of the bundled co-operative scenario (`instances/scenario-coop.json`, [`AGE_BANDS`]),
//! as `plan` estimates them; each band's samples have the median need levels of that
//! scenario's segment of those ages. Samples are laid out evenly over each band's ages, so the
//! forecast is the same on every run.

use std::collections::BTreeMap;

use super::{Forecast, LookaheadSettings, Sample};
use crate::input::batch::{Child, Indicator, PlacementType};
use crate::input::geography::Geography;
use crate::pair::instance::ChildPlace;
use crate::result::format::{ExpectedDemand, ForecastSourceKind};

/// The chance a free spot bed is taken each day by a child from outside, where the forecast
/// does not say: the scenario format's own default (`outside_demand.daily_takeup`).
pub const DEFAULT_DAILY_TAKEUP: f64 = 0.05;

/// One age band of the defaults for demand known only by placement type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgeBand {
    /// Name, used in the stream's name (`E10000032/foster/under-5`).
    pub name: &'static str,
    /// Youngest age.
    pub min: i64,
    /// Oldest age.
    pub max: i64,
    /// Need levels assumed for a child of these ages (the rest 0).
    pub needs: &'static [(Indicator, i64)],
}

/// The age bands and assumed needs of a history stream's children. Bands and needs are those
/// of the bundled scenario's segments (`under-5`, `5-10`, `11-15`, `16-17`): each need is the
/// median level of that segment's distribution, so a sample is a typical child of its age,
/// neither the easiest nor the hardest to place. No risks are assumed.
pub const AGE_BANDS: [AgeBand; 4] = [
    AgeBand {
        name: "under-5",
        min: 0,
        max: 4,
        needs: &[],
    },
    AgeBand {
        name: "5-10",
        min: 5,
        max: 10,
        needs: &[
            (Indicator::EmotionalHealth, 1),
            (Indicator::Education, 1),
            (Indicator::SelfRegulation, 1),
            (Indicator::Relationships, 1),
        ],
    },
    AgeBand {
        name: "11-15",
        min: 11,
        max: 15,
        needs: &[
            (Indicator::EmotionalHealth, 2),
            (Indicator::SelfRegulation, 2),
            (Indicator::RiskyBehaviour, 1),
            (Indicator::Education, 1),
            (Indicator::Relationships, 1),
        ],
    },
    AgeBand {
        name: "16-17",
        min: 16,
        max: 17,
        needs: &[
            (Indicator::SelfCare, 1),
            (Indicator::Goals, 1),
            (Indicator::EmotionalHealth, 1),
            (Indicator::RiskyBehaviour, 1),
        ],
    },
];

/// What the record says about the defaults of history streams.
pub const HISTORY_ASSUMPTION: &str = "History rows have no ages or needs: each authority's arrivals of a placement type are spread uniformly over the ages that type serves (fostering 0–17, children's and secure homes 10–17, supported accommodation 16–17), as `plan` estimates them, in the bands under-5 (0–4), 5-10, 11-15 and 16-17, each with the median need levels of the bundled scenario's segment of those ages and no risks; every sample child is `planned` and accepts only the placement type of its history.";

/// The ages a history stream of placement type `kind` is spread over. Fostering takes
/// children of any age; supported accommodation is for 16–17s only; children's homes and
/// secure homes are taken as 10–17, the ages the children's homes of the bundled scenarios
/// and of `generate` admit (8 or 10 to 17) and the only ages the bundled scenario's
/// children's-home demand has (9–17): spread over 0–17, most of a history's children's-home
/// starts would be under-10s whom no children's home takes, and their demand would be lost.
pub fn history_ages(kind: PlacementType) -> (i64, i64) {
    match kind {
        PlacementType::Foster | PlacementType::ParentAndChild => (0, 17),
        PlacementType::Residential | PlacementType::Secure => (10, 17),
        PlacementType::Supported => (16, 17),
    }
}

/// The bands of [`AGE_BANDS`] that meet `age_min..=age_max`, each with its ages there and its
/// share of those years (the shares sum to 1 over a range inside 0–17).
pub fn age_band_shares(age_min: i64, age_max: i64) -> Vec<(&'static AgeBand, i64, i64, f64)> {
    let years = (age_max - age_min + 1).max(1) as f64;
    AGE_BANDS
        .iter()
        .filter_map(|b| {
            let (lo, hi) = (b.min.max(age_min), b.max.min(age_max));
            (lo <= hi).then(|| (b, lo, hi, (hi - lo + 1) as f64 / years))
        })
        .collect()
}

impl AgeBand {
    /// The band's name for the ages `lo..=hi` of it a stream keeps: its own name when whole,
    /// else the ages (`10`, `12-15`), so a cut band does not claim ages it lacks.
    pub fn label(&self, lo: i64, hi: i64) -> String {
        match (lo == self.min && hi == self.max, lo == hi) {
            (true, _) => self.name.to_string(),
            (false, true) => lo.to_string(),
            (false, false) => format!("{lo}-{hi}"),
        }
    }
}

/// The band of [`AGE_BANDS`] an age falls in (the last band past 17).
pub fn band_of_age(age: i64) -> &'static AgeBand {
    AGE_BANDS
        .iter()
        .find(|b| age <= b.max)
        .unwrap_or(&AGE_BANDS[AGE_BANDS.len() - 1])
}

/// An arrival stream of expected children with the attributes its samples take.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandStream {
    /// Name, for explanations (`kept_for`).
    pub name: String,
    /// Responsible upper-tier authority.
    pub la: String,
    /// The placement type its children take.
    pub kind: PlacementType,
    /// Youngest age.
    pub age_min: i64,
    /// Oldest age.
    pub age_max: i64,
    /// Need levels of its children.
    pub needs: BTreeMap<Indicator, i64>,
    /// Where its children live.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Expected arrivals per week.
    pub per_week: f64,
    /// Episodes the rate was estimated from (history), if any.
    pub episodes: Option<usize>,
    /// Mean length of its placements, weeks (the block-bed values are over a stay).
    pub stay_weeks: f64,
}

impl DemandStream {
    /// The stream as the result records it.
    pub fn record(&self) -> ExpectedDemand {
        ExpectedDemand {
            stream: self.name.clone(),
            authority: self.la.clone(),
            placement_type: self.kind.name().to_string(),
            per_week: (self.per_week * 1e4).round() / 1e4,
            age_min: self.age_min,
            age_max: self.age_max,
            needs: self
                .needs
                .iter()
                .filter(|(_, &l)| l > 0)
                .map(|(i, &l)| (i.name().to_string(), l))
                .collect(),
            episodes: self.episodes,
        }
    }
}

impl Forecast {
    /// The forecast of estimated demand: per stream with a rate above 0, K samples
    /// ([`LookaheadSettings::samples`]) at ages spread evenly over its range, each standing
    /// for its share of the stream's children a day. Deterministic: no draw is random.
    /// `kind` and `assumed` say where the streams came from, for the record.
    pub fn from_demand(
        streams: &[DemandStream],
        kind: ForecastSourceKind,
        assumed: Option<String>,
        settings: LookaheadSettings,
    ) -> Forecast {
        let geo = Geography::get();
        let k = settings.samples.max(1);
        let mut samples = Vec::new();
        let mut segments = Vec::new();
        for (si, s) in streams.iter().enumerate() {
            segments.push(s.name.clone());
            // No expected children (or a NaN rate): no samples, so no bed is kept for it.
            if s.per_week.is_nan() || s.per_week <= 0.0 {
                continue;
            }
            let place = geo.place_of_point(s.lat, s.lon);
            let years = (s.age_max - s.age_min + 1).max(1);
            for j in 0..k {
                // The midpoint of the j-th of k equal slices of the ages.
                let age = s.age_min + (((2 * j + 1) as i64 * years) / (2 * k as i64)).min(years - 1);
                let child = Child::planned(
                    format!("F{:04}-{}", si + 1, j + 1),
                    &s.la,
                    (s.lat, s.lon),
                    age,
                    s.kind,
                    s.needs.clone(),
                );
                samples.push(Sample {
                    place: ChildPlace::new(&child, place.clone(), s.la.clone(), Vec::new()),
                    child,
                    segment: si,
                    per_day: s.per_week / 7.0 / k as f64,
                    stay_days: s.stay_weeks * 7.0,
                });
            }
        }
        Forecast {
            samples,
            segments,
            settings,
            spot_survival: spot_survival(DEFAULT_DAILY_TAKEUP, settings.horizon_days),
            kind,
            demand: streams.iter().map(DemandStream::record).collect(),
            assumed,
        }
    }
}

/// s_H = (1/H)·Σ_{t=1..H} (1 − takeup)^t: the chance a free spot bed is still free on an
/// average day of a horizon of H days.
pub fn spot_survival(takeup: f64, horizon_days: usize) -> f64 {
    let h = horizon_days.max(1);
    (1..=h).map(|t| (1.0 - takeup).powi(t as i32)).sum::<f64>() / h as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(kind: PlacementType, age_min: i64, age_max: i64) -> DemandStream {
        DemandStream {
            name: "E10000032/foster".into(),
            la: "E10000032".into(),
            kind,
            age_min,
            age_max,
            needs: BTreeMap::new(),
            lat: 51.06,
            lon: -0.33,
            per_week: 1.8,
            episodes: Some(10),
            stay_weeks: 40.0,
        }
    }

    #[test]
    fn history_ages_split_by_band_with_shares_by_years() {
        let foster = age_band_shares(0, 17);
        let names: Vec<&str> = foster.iter().map(|b| b.0.name).collect();
        assert_eq!(names, ["under-5", "5-10", "11-15", "16-17"]);
        assert!((foster[0].3 - 5.0 / 18.0).abs() < 1e-12);
        assert!((foster.iter().map(|b| b.3).sum::<f64>() - 1.0).abs() < 1e-12);
        let (lo, hi) = history_ages(PlacementType::Residential);
        let homes: Vec<(i64, i64)> = age_band_shares(lo, hi).iter().map(|b| (b.1, b.2)).collect();
        assert_eq!(
            homes,
            [(10, 10), (11, 15), (16, 17)],
            "no children's-home child under 10"
        );
        let (lo, hi) = history_ages(PlacementType::Supported);
        let supported = age_band_shares(lo, hi);
        assert_eq!((supported.len(), supported[0].3), (1, 1.0));
        assert_eq!(band_of_age(10).name, "5-10");
        assert_eq!(band_of_age(11).name, "11-15");
    }

    #[test]
    fn samples_spread_over_the_ages_and_carry_the_rate() {
        let s = stream(PlacementType::Foster, 0, 4);
        let settings = LookaheadSettings {
            samples: 2,
            ..Default::default()
        };
        let f = Forecast::from_demand(&[s], ForecastSourceKind::History, None, settings);
        let ages: Vec<i64> = f.samples.iter().map(|x| x.child.age).collect();
        assert_eq!(ages, [1, 3]);
        assert!((f.samples.iter().map(|x| x.per_day).sum::<f64>() - 1.8 / 7.0).abs() < 1e-12);
        assert_eq!(f.demand[0].per_week, 1.8);
    }
}
