//! Step 4a, **eligibility**: the hard rules of SPEC §4, each with its reason code,
//! and the placement units (a kept-together sibling group moves as one).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::input::batch::{Child, Home, Indicator, PlacementType, Risk};
use crate::{input::geography::km, pair::instance::Instance, pair::instance::Zone};

macro_rules! reasons {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal; )*) => {
        /// Why a (child, home) pair is not eligible. The codes are stable (SPEC §4).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Reason { $( $(#[$doc])* $variant, )* }
        impl Reason {
            /// Every reason, in SPEC order.
            pub const ALL: &'static [Reason] = &[$(Reason::$variant,)*];
            /// The snake_case code.
            pub fn code(self) -> &'static str { match self { $(Reason::$variant => $code,)* } }
        }
    };
}

reasons! {
    /// Home type not in the child's `placement_types`.
    TypeNotInPlan = "type_not_in_plan";
    /// Secure home without a secure order.
    SecureNeedsOrder = "secure_needs_order";
    /// Age outside the home's range (supported: 16–17 only).
    AgeOutOfRange = "age_out_of_range";
    /// Child's sex not accepted.
    SexNotAccepted = "sex_not_accepted";
    /// Rating below the minimum.
    OfstedBelowMinimum = "ofsted_below_minimum";
    /// Beyond the distance limit.
    TooFar = "too_far";
    /// Nearer than the child's minimum distance.
    TooClose = "too_close";
    /// Inside an exclusion zone.
    InExclusionZone = "in_exclusion_zone";
    /// A need exceeds support by the policy's shortfall or more.
    NeedNotMet = "need_not_met";
    /// A child risk the home does not accept.
    RiskNotAccepted = "risk_not_accepted";
    /// Conflict with current residents.
    ResidentConflict = "resident_conflict";
    /// Solo placement needed but the home has residents.
    SoloUnavailable = "solo_unavailable";
    /// Price above the child's budget cap.
    OverBudget = "over_budget";
    /// Not enough vacancies for the kept-together sibling group.
    NoRoomForSiblings = "no_room_for_siblings";
    /// The provider declined the child for this home (a decision in the batch).
    Declined = "declined";
    /// The child is accepted at another home (settled).
    AcceptedElsewhere = "accepted_elsewhere";
    /// The beds the home keeps for other children (holds) leave too few for this one.
    BedHeld = "bed_held";
    /// The home's free beds, or its provider's admissions, are taken by accepted children, or
    /// a child accepted there cannot live with this one.
    BedsTaken = "beds_taken";
}

impl Reason {
    /// Whether the reason is a hard rule of SPEC §4 that a person could relax, rather than a
    /// provider's answer (declined, accepted elsewhere, held, taken): answers are never offered
    /// as relaxations, nor can an accepted or held pair break one.
    pub fn is_rule(self) -> bool {
        !matches!(
            self,
            Reason::Declined | Reason::AcceptedElsewhere | Reason::BedHeld | Reason::BedsTaken
        )
    }
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// A set of failed rules as a bit mask.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Reasons(pub u32);

impl Reasons {
    /// No rule failed.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Adds a reason.
    pub fn add(&mut self, r: Reason) {
        self.0 |= 1 << (r as u32);
    }
    /// Whether a reason is present.
    pub fn has(self, r: Reason) -> bool {
        self.0 & (1 << (r as u32)) != 0
    }
    /// The reasons present, in SPEC order.
    pub fn iter(self) -> impl Iterator<Item = Reason> {
        Reason::ALL.iter().copied().filter(move |r| self.has(*r))
    }
    /// Number of failed rules.
    pub fn count(self) -> u32 {
        self.0.count_ones()
    }
}

/// Position of a type in the child's `placement_types` (SPEC §8.2), or `None` when absent.
pub fn type_position(child: &Child, t: PlacementType) -> Option<usize> {
    if child.placement_types.is_empty() {
        return Some(0);
    }
    child.placement_types.iter().position(|x| *x == t)
}

/// Need of a child on an indicator (missing = 0).
pub fn need(child: &Child, ind: Indicator) -> i64 {
    child.needs.get(&ind).copied().unwrap_or(0)
}

/// Support of a home on an indicator (missing = 1).
pub fn support(home: &Home, ind: Indicator) -> i64 {
    home.support.get(&ind).copied().unwrap_or(1)
}

/// A list of risks as a bit set (one bit per risk flag).
pub fn risk_mask(risks: &[Risk]) -> u16 {
    risks.iter().fold(0, |m, &r| m | 1 << (r as u16))
}

/// A child's need on every indicator, in [`Indicator::ALL`] order.
pub fn needs_of(child: &Child) -> [i64; 12] {
    Indicator::ALL.map(|i| need(child, i))
}

/// A home's support on every indicator, in [`Indicator::ALL`] order.
pub fn support_of(home: &Home) -> [i64; 12] {
    Indicator::ALL.map(|i| support(home, i))
}

/// The distance limit that applies to a child (the stricter of child and policy).
pub fn max_distance(inst: &Instance, child: usize) -> Option<f64> {
    match (inst.batch.children[child].max_distance_km, inst.policy.max_distance_km) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The minimum rating that applies to a child (the stricter of child and policy).
pub fn min_rating(inst: &Instance, child: usize) -> crate::input::batch::Ofsted {
    match inst.batch.children[child].min_ofsted {
        Some(r) => r.min(inst.policy.min_ofsted),
        None => inst.policy.min_ofsted,
    }
}

fn meets(a: &[Risk], b: &[Risk]) -> bool {
    a.iter().any(|r| b.contains(r))
}

/// Whether two children may not share a home (SPEC §8.11, symmetric).
pub fn children_conflict(a: &Child, b: &Child) -> bool {
    meets(&a.risks, &b.incompatible_risks) || meets(&b.risks, &a.incompatible_risks)
}

/// Kilometres from a child's home to a home.
pub fn pair_km(inst: &Instance, child: usize, home: usize) -> f64 {
    let c = &inst.children[child].place;
    let h = inst.screen(home);
    km(c.lat, c.lon, h.lat, h.lon)
}

/// Evaluates every rule of SPEC §4 for one pair. `group_size` is the number of batch
/// children in the child's kept-together sibling group (1 when none).
pub fn evaluate(inst: &Instance, child: usize, home: usize, group_size: usize, km: f64) -> Reasons {
    rules(inst, child, home, group_size, || km, false).0
}

/// The pair's km when every rule passes, else None. The same rules as [`evaluate`], cheapest
/// first and stopping at the first failure, so that scanning a large batch's pairs costs a few
/// comparisons for most of them and a distance only for the plausible ones.
pub fn eligible_km(inst: &Instance, child: usize, home: usize, group_size: usize) -> Option<f64> {
    match rules(inst, child, home, group_size, || pair_km(inst, child, home), true) {
        (r, km) if r.is_empty() => Some(km.unwrap_or_else(|| pair_km(inst, child, home))),
        _ => None,
    }
}

/// The rules themselves, in one place. With `first`, returns at the first failure; `km` is
/// called at most once, and only when a distance rule needs it.
fn rules(
    inst: &Instance,
    child: usize,
    home: usize,
    group_size: usize,
    km: impl FnOnce() -> f64,
    first: bool,
) -> (Reasons, Option<f64>) {
    let c = &inst.batch.children[child];
    // The packed copy of the home's fields: these rules run on every pair.
    let h = inst.screen(home);
    let mut r = Reasons::default();
    macro_rules! fail {
        ($reason:expr) => {{
            r.add($reason);
            if first {
                return (r, None);
            }
        }};
    }
    if type_position(c, h.kind).is_none() {
        fail!(Reason::TypeNotInPlan);
    }
    if h.kind == PlacementType::Secure && !c.secure_order {
        fail!(Reason::SecureNeedsOrder);
    }
    let age_ok = c.age >= h.age_min as i64 && c.age <= h.age_max as i64;
    if !age_ok || (h.kind == PlacementType::Supported && !(16..=17).contains(&c.age)) {
        fail!(Reason::AgeOutOfRange);
    }
    if let Some(sex) = c.sex {
        if h.sexes != 0 && h.sexes & crate::pair::instance::sex_bit(sex) == 0 {
            fail!(Reason::SexNotAccepted);
        }
    }
    if h.rating > min_rating(inst, child) {
        fail!(Reason::OfstedBelowMinimum);
    }
    if c.requires_solo && h.occupied {
        fail!(Reason::SoloUnavailable);
    }
    if c.budget_cap.is_some_and(|cap| inst.price(child, home) > cap) {
        fail!(Reason::OverBudget);
    }
    if group_size > 1 && group_size as i64 > h.vacancies as i64 {
        fail!(Reason::NoRoomForSiblings);
    }
    if inst.answers.any {
        if let Some(reason) = answer_rule(inst, child, home, group_size) {
            fail!(reason);
        }
    }
    let cp = &inst.children[child];
    if cp.risks & !h.accepts != 0 {
        fail!(Reason::RiskNotAccepted);
    }
    if cp.risks & h.incompatible != 0 || h.resident & cp.incompatible != 0 {
        fail!(Reason::ResidentConflict);
    }
    let hp = &inst.homes[home];
    let shortfall = inst.policy.max_need_shortfall;
    let (needs, support) = (&inst.children[child].needs, &h.support);
    if needs.iter().zip(support).any(|(n, &s)| n - s as i64 >= shortfall) {
        fail!(Reason::NeedNotMet);
    }
    let in_zone = inst.children[child].zones.iter().any(|z| match z {
        Zone::Circle { lat, lon, radius_km } => {
            crate::input::geography::km(*lat, *lon, hp.place.lat, hp.place.lon) <= *radius_km
        }
        Zone::Authority(code) => *code == hp.la || *code == hp.place.lad,
    });
    if in_zone {
        fail!(Reason::InExclusionZone);
    }
    let km = km();
    if max_distance(inst, child).is_some_and(|m| km > m) {
        fail!(Reason::TooFar);
    }
    if c.min_distance_km.is_some_and(|m| km < m) {
        fail!(Reason::TooClose);
    }
    (r, Some(km))
}

/// The providers' answers as a rule (`pair::answers`): a refusal, an acceptance elsewhere, or
/// no room left for a child without a bed of its own there: the beds open to others (free beds
/// less those accepted and held) or its provider's admissions are too few, or a child accepted
/// there cannot live with it (an accepted child is settled, so the rest give way to it).
fn answer_rule(inst: &Instance, child: usize, home: usize, group_size: usize) -> Option<Reason> {
    let a = &inst.answers;
    if a.declined(child, home) {
        return Some(Reason::Declined);
    }
    match a.accepted[child] {
        Some(h) if h != home => return Some(Reason::AcceptedElsewhere),
        Some(_) => return None,
        None if a.reserves(child, home) => return None,
        None => {}
    }
    let h = inst.screen(home);
    let size = group_size.max(1) as i64;
    let vacancies = h.vacancies as i64;
    if a.open_beds(home, vacancies) < size {
        // Held, when the holds are what leaves too few; taken, when acceptances alone do.
        let after_accepted = vacancies - a.accepted_at[home] as i64;
        return Some(if after_accepted >= size {
            Reason::BedHeld
        } else {
            Reason::BedsTaken
        });
    }
    let provider = &inst.batch.providers[h.provider as usize];
    let admissions = provider
        .max_admissions
        .map(|m| m - a.provider_accepted[h.provider as usize] as i64);
    let c = &inst.batch.children[child];
    let company = a.accepted_here[home].iter().map(|&x| &inst.batch.children[x]);
    let cannot_share = !a.accepted_here[home].is_empty()
        && (c.requires_solo || company.clone().any(|x| x.requires_solo || children_conflict(c, x)));
    (admissions.is_some_and(|m| m < size) || cannot_share).then_some(Reason::BedsTaken)
}

/// Why a whole unit can never be placed, whatever the homes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitBlock {
    /// Members of a kept-together group conflict with each other.
    SiblingsConflict,
    /// A kept-together group includes a child who must live alone.
    SiblingNeedsSolo,
}

/// A placement unit: one child, or a sibling group kept together (SPEC §8.10).
#[derive(Debug, Clone)]
pub struct Unit {
    /// Member child indices, ascending.
    pub members: Vec<usize>,
    /// Set when the unit can never be placed.
    pub blocked: Option<UnitBlock>,
}

/// Groups children into units: kept-together sibling groups move as one.
pub fn units(inst: &Instance) -> Vec<Unit> {
    let children = &inst.batch.children;
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in children.iter().enumerate() {
        if let Some(g) = &c.sibling_group {
            groups.entry(g.as_str()).or_default().push(i);
        }
    }
    let mut unit_of: Vec<Option<usize>> = vec![None; children.len()];
    let mut out = Vec::new();
    for i in 0..children.len() {
        if unit_of[i].is_some() {
            continue;
        }
        let kept = children[i].sibling_group.as_deref().and_then(|g| {
            let members = &groups[g];
            let together = members.len() > 1 && members.iter().all(|&m| children[m].keep_together != Some(false));
            together.then(|| members.clone())
        });
        let members = kept.unwrap_or_else(|| vec![i]);
        let mut blocked = None;
        if members.len() > 1 {
            if members.iter().any(|&m| children[m].requires_solo) {
                blocked = Some(UnitBlock::SiblingNeedsSolo);
            }
            for (k, &a) in members.iter().enumerate() {
                for &b in &members[k + 1..] {
                    if children_conflict(&children[a], &children[b]) {
                        blocked = Some(UnitBlock::SiblingsConflict);
                    }
                }
            }
        }
        for &m in &members {
            unit_of[m] = Some(out.len());
        }
        out.push(Unit { members, blocked });
    }
    out
}
