//! Scenarios of demand: each segment's children arriving by a Poisson process with drawn
//! lengths of stay and local spot luck, one stream per scenario, and the in-sample
//! occupancy counts per group and week.

use super::*;

/// One simulated child.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildDraw {
    /// Segment index.
    pub segment: usize,
    /// Week of arrival.
    pub week: u32,
    /// Weeks in care (≥ 1; may run past the horizon).
    pub weeks: u32,
    /// Whether a suitable local spot bed is free for this child.
    pub local: bool,
    /// Age within the segment's band.
    pub age: i64,
}

/// Draws a Poisson count (Knuth's method, in chunks of at most 30 for large means).
pub(super) fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u32 {
    let mut left = mean;
    let mut k = 0;
    while left > 0.0 {
        let lam = left.min(30.0);
        left -= lam;
        let limit = (-lam).exp();
        let mut p = 1.0;
        loop {
            p *= rng.gen::<f64>();
            if p <= limit {
                break;
            }
            k += 1;
        }
    }
    k
}

/// Draws the children of one scenario: deterministic in (seed, stream).
pub fn draw_scenario(plan: &Plan, seed: u64, stream: u64) -> Vec<ChildDraw> {
    let mut rng = crate::support::random::stream(seed, stream);
    let mut out = Vec::new();
    for w in 0..plan.horizon {
        for (si, seg) in plan.segments.iter().enumerate() {
            let spot = plan.spot_for(seg);
            for _ in 0..poisson(&mut rng, seg.rate) {
                let weeks = seg.duration.draw(rng.gen::<f64>());
                let local = rng.gen::<f64>() < spot.p_local;
                let age = rng.gen_range(seg.age_min..=seg.age_max);
                out.push(ChildDraw {
                    segment: si,
                    week: w,
                    weeks,
                    local,
                    age,
                });
            }
        }
    }
    out
}

/// In-sample scenarios as occupancy counts per (scenario, week, group).
#[derive(Debug, Clone)]
pub struct Sample {
    /// Scenarios.
    pub s: usize,
    /// Weeks.
    pub h: usize,
    /// Groups.
    pub g: usize,
    /// Children in care, index (s·h + w)·g + group.
    pub n: Vec<u32>,
    /// Of which with a local spot bed free.
    pub local: Vec<u32>,
}

/// Draws the in-sample scenarios and counts occupancy per group.
pub fn sample(plan: &Plan, st: &Structure, scenarios: usize, seed: u64) -> Sample {
    let (h, g) = (plan.horizon as usize, st.groups.len());
    let mut n = vec![0u32; scenarios * h * g];
    let mut local = vec![0u32; scenarios * h * g];
    for s in 0..scenarios {
        for c in draw_scenario(plan, seed, s as u64) {
            let grp = st.seg_group[c.segment];
            let end = (c.week as usize + c.weeks as usize).min(h);
            for w in c.week as usize..end {
                let i = (s * h + w) * g + grp;
                n[i] += 1;
                if c.local {
                    local[i] += 1;
                }
            }
        }
    }
    Sample {
        s: scenarios,
        h,
        g,
        n,
        local,
    }
}
