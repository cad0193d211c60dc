//! Step 1, **read**: the batch format v1 (SPEC §1–§3) as serde types.
//!
//! Every record rejects unknown fields, so a typo is an error rather than a
//! silently ignored rule. The JSON Schema printed by `placematch schema` is
//! generated from these same types.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::input::policy::PolicyInput;

/// The format tag a batch must carry.
pub const BATCH_FORMAT: &str = "placematch/batch@1";

/// One day's matching problem: children waiting and homes with free beds.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// Always `placematch/batch@1`.
    pub format: String,
    /// Free-text identifier echoed in the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_id: Option<String>,
    /// The date the batch describes (ISO 8601), for the record only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// Overrides of the policy's defaults for this batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyInput>,
    /// Organisations behind the homes.
    #[serde(default)]
    pub providers: Vec<Provider>,
    /// Places with free beds.
    #[serde(default)]
    pub homes: Vec<Home>,
    /// Children waiting for a placement (pseudonymous ids only).
    #[serde(default)]
    pub children: Vec<Child>,
    /// Providers' own prices for one child at one home, replacing the list price for that pair.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offers: Vec<Offer>,
    /// Providers' answers to referrals: accepted, declined or held (SPEC §3, "answers").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<Decision>,
}

/// A provider's price for one child at one of its homes: it replaces the home's list price
/// for that pair only (its price term, the child's budget cap and the weekly spend).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    /// The child's id.
    pub child: String,
    /// The home's id.
    pub home: String,
    /// The offered weekly price in pounds (money spent), above 0.
    pub weekly_price: f64,
    /// Free text kept for the record (what the price includes, who offered it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a provider answered for one child at one home.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Agreed: the child is placed there and stays there (settled).
    Accepted,
    /// Refused: the pair is never proposed again.
    Declined,
    /// The provider keeps a bed for the child while the broker decides: no other child of the
    /// batch is placed at that home; the child may still be proposed elsewhere.
    Held,
}

impl DecisionKind {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            DecisionKind::Accepted => "accepted",
            DecisionKind::Declined => "declined",
            DecisionKind::Held => "held",
        }
    }
}

/// A provider's answer for one child at one home.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The child's id.
    pub child: String,
    /// The home's id.
    pub home: String,
    /// `accepted`, `declined` or `held`.
    pub decision: DecisionKind,
    /// Why, in the provider's words (quoted in explanations of a refusal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the answer was given: a date (`2026-12-07`) or a date and time
    /// (`2026-12-07T14:30`, optionally with seconds and `Z` or an offset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// What kind of organisation a provider is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// The council's own provision (SSDA903 PR1).
    LocalAuthority,
    /// A private company (PR4).
    Private,
    /// A voluntary or charitable organisation (PR5).
    Voluntary,
}

/// An organisation that runs homes.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Unique provider id.
    pub id: String,
    /// Display name, used in explanations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Kind of organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ProviderKind>,
    /// The agency's own Ofsted rating, taken by its fostering households that have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ofsted: Option<Ofsted>,
    /// Whether the provider can move a child from residential to fostering in-house.
    #[serde(default)]
    pub step_across: bool,
    /// Most children of this batch the provider will admit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_admissions: Option<i64>,
    /// A price reduction when enough of the batch's children go to this provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_discount: Option<VolumeDiscount>,
}

/// `{"min_placements": n, "percent": p}`: p% off every placement's price when at least n
/// children of the batch are placed with the provider.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VolumeDiscount {
    /// Children needed to trigger the discount.
    pub min_placements: i64,
    /// Percentage of `weekly_price` taken off each of the provider's placements.
    pub percent: f64,
}

/// A place with free beds.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Home {
    /// Unique home id.
    pub id: String,
    /// Display name, used in explanations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Id of the provider that runs the home.
    pub provider: String,
    /// Placement type (a type name or an SSDA903 `PLACE` code).
    #[serde(rename = "type")]
    pub kind: PlacementType,
    /// Where the home is.
    pub location: Location,
    /// Explicit upper-tier authority code, overriding the one found from the location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub la: Option<String>,
    /// The home's own Ofsted rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ofsted: Option<Ofsted>,
    /// Free beds today.
    pub vacancies: i64,
    /// How many of the free beds are already paid for under a block contract.
    #[serde(default)]
    pub block_vacancies: i64,
    /// Children living there now.
    #[serde(default)]
    pub occupied: i64,
    /// Youngest age accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_min: Option<i64>,
    /// Oldest age accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_max: Option<i64>,
    /// Sexes accepted (all when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sexes: Vec<Sex>,
    /// Highest level of need supported per indicator (missing = 1).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub support: BTreeMap<Indicator, i64>,
    /// Risks the home can manage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepts: Vec<Risk>,
    /// Risks the current residents present.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resident_risks: Vec<Risk>,
    /// Risks the current residents must not live alongside.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incompatible_risks: Vec<Risk>,
    /// Weekly price per child in pounds.
    pub weekly_price: f64,
    /// Languages spoken in the home (ISO 639-1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
}

/// A placement request for one looked-after child.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Child {
    /// Pseudonymous child id (never a name).
    pub id: String,
    /// Responsible upper-tier authority; defaults to the authority of `location`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub la: Option<String>,
    /// Home location (postcode sector is enough).
    pub location: Location,
    /// Age in years.
    pub age: i64,
    /// Sex, checked against a home's `sexes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Acceptable placement types in order of preference (all types when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placement_types: Vec<PlacementType>,
    /// Valuing Care scores, 0–3 per indicator (missing = 0).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub needs: BTreeMap<Indicator, i64>,
    /// Risks the child presents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risks: Vec<Risk>,
    /// Risks the child must not live alongside.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incompatible_risks: Vec<Risk>,
    /// How soon the child must be placed.
    #[serde(default)]
    pub urgency: Urgency,
    /// Days already waited.
    #[serde(default)]
    pub waiting_days: i64,
    /// Children sharing a sibling group id are siblings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sibling_group: Option<String>,
    /// `false` lets the sibling group be split (any member saying so splits it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_together: Option<bool>,
    /// The child must be the only child in the home.
    #[serde(default)]
    pub requires_solo: bool,
    /// The child is subject to a secure accommodation order.
    #[serde(default)]
    pub secure_order: bool,
    /// Furthest acceptable distance from home, km (the stricter of this and the policy applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_distance_km: Option<f64>,
    /// Nearest acceptable distance from home, km.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_distance_km: Option<f64>,
    /// Areas the child must not be placed in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusion_zones: Vec<ExclusionZone>,
    /// A plan to step across to another type (usually `foster`) later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_across: Option<StepAcross>,
    /// Most the authority will pay per week for this child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_cap: Option<f64>,
    /// Languages the child speaks (ISO 639-1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// The child's own minimum Ofsted rating (the stricter of this and the policy applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ofsted: Option<Ofsted>,
}

impl Child {
    /// A planned child of `age` at a point, accepting only `kind`, with `needs` and nothing
    /// else asked: what `plan`'s simulation and a history forecast make of an expected child.
    pub fn planned(
        id: String,
        la: &str,
        (lat, lon): (f64, f64),
        age: i64,
        kind: PlacementType,
        needs: BTreeMap<Indicator, i64>,
    ) -> Child {
        Child {
            id,
            la: Some(la.to_string()),
            location: Location {
                postcode: None,
                lat: Some(lat),
                lon: Some(lon),
            },
            age,
            sex: None,
            placement_types: vec![kind],
            needs,
            risks: Vec::new(),
            incompatible_risks: Vec::new(),
            urgency: Urgency::Planned,
            waiting_days: 0,
            sibling_group: None,
            keep_together: None,
            requires_solo: false,
            secure_order: kind == PlacementType::Secure,
            max_distance_km: None,
            min_distance_km: None,
            exclusion_zones: Vec::new(),
            step_across: None,
            budget_cap: None,
            languages: Vec::new(),
            min_ofsted: None,
        }
    }
}

/// `{"to": "foster"}`: the type the child should step across to.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepAcross {
    /// Target placement type.
    pub to: PlacementType,
}

/// A postcode (full or sector) or a latitude/longitude pair.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Full postcode (`RH12 1AB`) or sector (`RH12 1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// WGS84 latitude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    /// WGS84 longitude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
}

/// A circle `{"center": …, "radius_km": r}` or an authority `{"la": "E10000032"}`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExclusionZone {
    /// Centre of a circular zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center: Option<Location>,
    /// Radius of a circular zone, km (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radius_km: Option<f64>,
    /// An authority (upper-tier or district code) the child must not be placed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub la: Option<String>,
}

/// Sex as recorded on the referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

/// How soon a child must be placed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Tonight.
    Emergency,
    /// Within days.
    Urgent,
    /// Planned move.
    #[default]
    Planned,
}

impl Urgency {
    /// All urgencies, most urgent first.
    pub const ALL: [Urgency; 3] = [Urgency::Emergency, Urgency::Urgent, Urgency::Planned];
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Urgency::Emergency => "emergency",
            Urgency::Urgent => "urgent",
            Urgency::Planned => "planned",
        }
    }
}

/// Ofsted rating, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Ofsted {
    /// Outstanding.
    Outstanding,
    /// Good.
    Good,
    /// Not yet inspected (ranks between good and requires improvement).
    NotYetInspected,
    /// Requires improvement.
    RequiresImprovement,
    /// Inadequate.
    Inadequate,
}

impl Ofsted {
    /// All ratings, best first.
    pub const ALL: [Ofsted; 5] = [
        Ofsted::Outstanding,
        Ofsted::Good,
        Ofsted::NotYetInspected,
        Ofsted::RequiresImprovement,
        Ofsted::Inadequate,
    ];
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Ofsted::Outstanding => "outstanding",
            Ofsted::Good => "good",
            Ofsted::NotYetInspected => "not_yet_inspected",
            Ofsted::RequiresImprovement => "requires_improvement",
            Ofsted::Inadequate => "inadequate",
        }
    }
    /// Plain-English label.
    pub fn label(self) -> &'static str {
        match self {
            Ofsted::Outstanding => "Outstanding",
            Ofsted::Good => "Good",
            Ofsted::NotYetInspected => "not yet inspected",
            Ofsted::RequiresImprovement => "Requires Improvement",
            Ofsted::Inadequate => "Inadequate",
        }
    }
}

/// Risk flags a child presents or a home manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Child sexual exploitation.
    Cse,
    /// Child criminal exploitation.
    Cce,
    /// Going missing.
    Missing,
    /// Self-harm.
    SelfHarm,
    /// Harm to others.
    HarmToOthers,
    /// Harmful sexual behaviour.
    HarmfulSexualBehaviour,
    /// Fire setting.
    FireSetting,
    /// Substance misuse.
    SubstanceMisuse,
}

/// The twelve Valuing Care indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// Be healthy: physical health.
    PhysicalHealth,
    /// Be healthy: emotional or mental health.
    EmotionalHealth,
    /// Be safe: attachments and friendships, free from exploitation.
    Relationships,
    /// Be safe: safe decisions about drugs, alcohol, sex.
    RiskyBehaviour,
    /// Be ambitious: assessed learning difficulty or disability.
    LearningDisability,
    /// Be ambitious: lower educational progress.
    Education,
    /// Be resilient: managing emotions, stress, boundaries.
    SelfRegulation,
    /// Be resilient: social activities in the community.
    Community,
    /// Be independent: self-care skills.
    SelfCare,
    /// Be independent: setting goals.
    Goals,
    /// Be happy: making wishes known.
    Voice,
    /// Be happy: identity, life story, self-esteem.
    Identity,
}

impl Indicator {
    /// All twelve indicators in SPEC order.
    pub const ALL: [Indicator; 12] = [
        Indicator::PhysicalHealth,
        Indicator::EmotionalHealth,
        Indicator::Relationships,
        Indicator::RiskyBehaviour,
        Indicator::LearningDisability,
        Indicator::Education,
        Indicator::SelfRegulation,
        Indicator::Community,
        Indicator::SelfCare,
        Indicator::Goals,
        Indicator::Voice,
        Indicator::Identity,
    ];
    /// The snake_case key.
    pub fn name(self) -> &'static str {
        match self {
            Indicator::PhysicalHealth => "physical_health",
            Indicator::EmotionalHealth => "emotional_health",
            Indicator::Relationships => "relationships",
            Indicator::RiskyBehaviour => "risky_behaviour",
            Indicator::LearningDisability => "learning_disability",
            Indicator::Education => "education",
            Indicator::SelfRegulation => "self_regulation",
            Indicator::Community => "community",
            Indicator::SelfCare => "self_care",
            Indicator::Goals => "goals",
            Indicator::Voice => "voice",
            Indicator::Identity => "identity",
        }
    }
}

/// Placement types. Inputs may use the type name or an SSDA903 `PLACE` code
/// (U1–U6 foster, K2 residential, K1 secure, H5 supported).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlacementType {
    /// Fostering household (U1–U6).
    #[serde(alias = "U1", alias = "U2", alias = "U3", alias = "U4", alias = "U5", alias = "U6")]
    Foster,
    /// Children's home (K2).
    #[serde(alias = "K2")]
    Residential,
    /// Secure children's home (K1).
    #[serde(alias = "K1")]
    Secure,
    /// Supported accommodation, 16–17 only (H5).
    #[serde(alias = "H5")]
    Supported,
    /// Parent-and-child placement.
    ParentAndChild,
}

impl PlacementType {
    /// All types.
    pub const ALL: [PlacementType; 5] = [
        PlacementType::Foster,
        PlacementType::Residential,
        PlacementType::Secure,
        PlacementType::Supported,
        PlacementType::ParentAndChild,
    ];
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            PlacementType::Foster => "foster",
            PlacementType::Residential => "residential",
            PlacementType::Secure => "secure",
            PlacementType::Supported => "supported",
            PlacementType::ParentAndChild => "parent_and_child",
        }
    }
}

impl JsonSchema for PlacementType {
    fn schema_name() -> String {
        "PlacementType".into()
    }
    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        // Hand-written because derived schemas omit serde aliases (the 903 codes).
        let values = [
            "foster",
            "residential",
            "secure",
            "supported",
            "parent_and_child",
            "U1",
            "U2",
            "U3",
            "U4",
            "U5",
            "U6",
            "K2",
            "K1",
            "H5",
        ];
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            enum_values: Some(values.iter().map(|v| serde_json::json!(v)).collect()),
            metadata: Some(Box::new(schemars::schema::Metadata {
                description: Some(
                    "Placement type name or SSDA903 PLACE code (U1-U6 foster, K2 residential, K1 secure, H5 supported)."
                        .into(),
                ),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}
