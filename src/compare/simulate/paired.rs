//! Paired differences against a baseline rule (`simulate --baseline RULE`).
//!
//! Every rule meets the same children, durations, breakdown thresholds and outside demand in
//! replication *i* (common random numbers), so the difference of a total between a rule and
//! the baseline is estimated from the per-replication differences dᵢ = xᵢ − bᵢ: mean d̄ and
//! the 95% interval d̄ ± t₀.₉₇₅(R−1)·s_d/√R. Its variance is Var x + Var b − 2 Cov(x, b); the
//! shared luck makes the covariance large, so the interval is far narrower than the unpaired
//! (Welch) interval of x̄ − b̄, which is reported beside it for comparison.

use super::*;

/// A rule's difference from the baseline on one total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PairedDiff {
    /// Key of the total (`cost_terms.<term>` for a term of the objective).
    pub key: String,
    /// Unit of the total (`score` for the objective and its terms: not money).
    pub unit: String,
    /// Mean over replications of (rule − baseline).
    pub mean: f64,
    /// Lower end of the paired 95% interval (absent with one replication).
    pub lo: Option<f64>,
    /// Upper end of the paired 95% interval.
    pub hi: Option<f64>,
    /// Lower end of the unpaired (Welch) 95% interval, as if the runs were independent.
    pub unpaired_lo: Option<f64>,
    /// Upper end of the unpaired (Welch) 95% interval.
    pub unpaired_hi: Option<f64>,
}

impl PairedDiff {
    /// Whether the paired interval excludes 0 (the difference is beyond chance).
    pub fn beyond_interval(&self) -> bool {
        matches!((self.lo, self.hi), (Some(lo), Some(hi)) if lo > 0.0 || hi < 0.0)
    }
}

/// One rule against the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VersusRule {
    /// The rule.
    pub rule: String,
    /// One difference per total, in report order, then the objective's terms.
    pub differences: Vec<PairedDiff>,
}

/// Every other rule against the baseline rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VersusBaseline {
    /// The baseline rule.
    pub baseline: String,
    /// Every other rule, in report order.
    pub rules: Vec<VersusRule>,
}

/// The 95% interval of the mean of paired differences `a[i] − b[i]`.
pub fn paired_estimate(a: &[f64], b: &[f64]) -> Estimate {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    estimate(&d)
}

/// The unpaired (Welch) 95% interval of mean(a) − mean(b), with the Welch–Satterthwaite
/// degrees of freedom (rounded down); `None` with fewer than two values on either side.
pub fn welch_interval(a: &[f64], b: &[f64]) -> Option<(f64, f64)> {
    let (ea, eb) = (estimate(a), estimate(b));
    if ea.n < 2 || eb.n < 2 {
        return None;
    }
    let (va, vb) = (ea.sd.powi(2) / ea.n as f64, eb.sd.powi(2) / eb.n as f64);
    let se = (va + vb).sqrt();
    let diff = ea.mean - eb.mean;
    if se == 0.0 {
        return Some((diff, diff));
    }
    let df = (va + vb).powi(2) / (va.powi(2) / (ea.n - 1) as f64 + vb.powi(2) / (eb.n - 1) as f64);
    let half = t975((df.floor() as usize).max(1)) * se;
    Some((diff - half, diff + half))
}

/// Every total of a replication by key, in report order, then the objective's terms.
pub fn flat_totals(t: &Totals) -> Vec<(String, &'static str, f64)> {
    let mut out: Vec<(String, &'static str, f64)> = Totals::KEYS
        .iter()
        .zip(Totals::UNITS)
        .zip(t.values())
        .map(|((k, u), v)| (k.to_string(), *u, v))
        .collect();
    for (k, v) in CostTerms::KEYS.iter().zip(t.cost_terms.values()) {
        out.push((format!("cost_terms.{k}"), "score", v));
    }
    out
}

/// Paired differences of every rule in `rules` against the one named `baseline`.
pub fn versus_baseline(rules: &[RuleReport], baseline: &str) -> Option<VersusBaseline> {
    let base = rules.iter().find(|r| r.rule == baseline)?;
    let column =
        |r: &RuleReport, i: usize| -> Vec<f64> { r.replications.iter().map(|t| flat_totals(t)[i].2).collect() };
    let keys = flat_totals(&Totals::default());
    let out = rules
        .iter()
        .filter(|r| r.rule != baseline)
        .map(|r| VersusRule {
            rule: r.rule.clone(),
            differences: keys
                .iter()
                .enumerate()
                .map(|(i, (key, unit, _))| {
                    let (a, b) = (column(r, i), column(base, i));
                    let e = paired_estimate(&a, &b);
                    let w = welch_interval(&a, &b);
                    PairedDiff {
                        key: key.clone(),
                        unit: unit.to_string(),
                        mean: e.mean,
                        lo: e.lo,
                        hi: e.hi,
                        unpaired_lo: w.map(|x| x.0),
                        unpaired_hi: w.map(|x| x.1),
                    }
                })
                .collect(),
        })
        .collect();
    Some(VersusBaseline {
        baseline: baseline.to_string(),
        rules: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_interval_by_hand() {
        // Differences 1, 2, 3: mean 2, sd 1, half-width t(2)·1/√3 = 4.303/√3.
        let e = paired_estimate(&[11.0, 22.0, 33.0], &[10.0, 20.0, 30.0]);
        assert_eq!(e.mean, 2.0);
        assert!((e.hi.unwrap() - 2.0 - 4.303 / 3f64.sqrt()).abs() < 1e-9);
    }
}
