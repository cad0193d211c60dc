//! The flat column design of the three sheets (and the optional `batch` sheet): one column per
//! scalar field, one per Valuing Care indicator, and `;`-separated lists for risks, types and
//! exclusion zones. The template's notes are generated from this table, so they cannot drift.

use crate::input::batch::Indicator;

/// Which sheet a column belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sheet {
    /// `providers.csv` / sheet `providers`.
    Providers,
    /// `homes.csv` / sheet `homes`.
    Homes,
    /// `children.csv` / sheet `children`.
    Children,
    /// `batch.csv` / sheet `batch` (optional): the batch's id and date.
    Batch,
    /// `offers.csv` / sheet `offers` (optional): providers' prices for one child at one home.
    Offers,
    /// `decisions.csv` / sheet `decisions` (optional): providers' answers (accepted, declined, held).
    Decisions,
}

impl Sheet {
    /// Every sheet, in the order they are read.
    pub const ALL: [Sheet; 6] = [
        Sheet::Batch,
        Sheet::Providers,
        Sheet::Homes,
        Sheet::Children,
        Sheet::Offers,
        Sheet::Decisions,
    ];
    /// The sheet name (and the CSV file's stem).
    pub fn name(self) -> &'static str {
        match self {
            Sheet::Providers => "providers",
            Sheet::Homes => "homes",
            Sheet::Children => "children",
            Sheet::Batch => "batch",
            Sheet::Offers => "offers",
            Sheet::Decisions => "decisions",
        }
    }
    /// Whether an import without this sheet is an error.
    pub fn required(self) -> bool {
        matches!(self, Sheet::Providers | Sheet::Homes | Sheet::Children)
    }
    /// The batch array the sheet's rows become (`children`, …), none for `batch`.
    pub fn array(self) -> Option<&'static str> {
        match self {
            Sheet::Batch => None,
            s => Some(s.name()),
        }
    }
}

/// The allowed words of an enumerated column: (word as written, normalised; value in the batch).
pub type Words = &'static [(&'static str, &'static str)];

/// How a cell is read.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Free text (ids, names, authority codes).
    Text,
    /// A whole number.
    Int,
    /// A number; `£` and thousands commas are allowed.
    Number,
    /// yes/no, y/n, true/false, 1/0.
    YesNo,
    /// A date (DD/MM/YYYY, YYYY-MM-DD or an Excel date), kept as YYYY-MM-DD.
    Date,
    /// A date turned into days waited before the batch's `as_of`.
    ReferralDate,
    /// A date with an optional time (`07/12/2026 14:30`, ISO, or an Excel date-time), kept as
    /// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`.
    DateTime,
    /// A postcode (spacing and case are tidied, the validator checks it).
    Postcode,
    /// One of a list of words.
    Word(Words),
    /// A `;`-separated list of words, in order.
    Words(Words),
    /// A `;`-separated list of free text (languages).
    TextList,
    /// A `;`-separated list of exclusion zones.
    Zones,
}

/// One column of a sheet.
#[derive(Debug, Clone)]
pub struct Column {
    /// Header as written in the template (lower case, `_` between words).
    pub name: String,
    /// Where the value goes in the record's JSON (`location.postcode`, `needs.education`).
    pub json: String,
    /// How the cell is read.
    pub kind: Kind,
    /// Whether every row needs it.
    pub required: bool,
    /// What the column means.
    pub meaning: String,
    /// The values it takes, in words.
    pub allowed: String,
    /// The SSDA903 equivalent, where there is one.
    pub ssda903: String,
}

/// Placement types and their SSDA903 `PLACE` codes.
pub const PLACEMENT_TYPES: Words = &[
    ("foster", "foster"),
    ("residential", "residential"),
    ("secure", "secure"),
    ("supported", "supported"),
    ("parent_and_child", "parent_and_child"),
    ("u1", "U1"),
    ("u2", "U2"),
    ("u3", "U3"),
    ("u4", "U4"),
    ("u5", "U5"),
    ("u6", "U6"),
    ("k1", "K1"),
    ("k2", "K2"),
    ("h5", "H5"),
];
const KINDS: Words = &[
    ("local_authority", "local_authority"),
    ("private", "private"),
    ("voluntary", "voluntary"),
    ("pr1", "local_authority"),
    ("pr4", "private"),
    ("pr5", "voluntary"),
];
const OFSTED: Words = &[
    ("outstanding", "outstanding"),
    ("good", "good"),
    ("not_yet_inspected", "not_yet_inspected"),
    ("requires_improvement", "requires_improvement"),
    ("inadequate", "inadequate"),
];
const DECISIONS: Words = &[("accepted", "accepted"), ("declined", "declined"), ("held", "held")];
const SEXES: Words = &[("female", "female"), ("male", "male"), ("f", "female"), ("m", "male")];
const URGENCIES: Words = &[("emergency", "emergency"), ("urgent", "urgent"), ("planned", "planned")];
const RISKS: Words = &[
    ("cse", "cse"),
    ("cce", "cce"),
    ("missing", "missing"),
    ("self_harm", "self_harm"),
    ("harm_to_others", "harm_to_others"),
    ("harmful_sexual_behaviour", "harmful_sexual_behaviour"),
    ("fire_setting", "fire_setting"),
    ("substance_misuse", "substance_misuse"),
];

const TYPES_TEXT: &str =
    "foster, residential, secure, supported, parent_and_child, or an SSDA903 PLACE code: U1–U6 (foster), K2 (residential), K1 (secure), H5 (supported)";
const PLACE_903: &str = "PLACE: U1–U6 fostering, K2 children's home, K1 secure unit, H5 supported accommodation";
const RISKS_TEXT: &str =
    "a ;-separated list of: cse, cce, missing, self_harm, harm_to_others, harmful_sexual_behaviour, fire_setting, substance_misuse";
const OFSTED_TEXT: &str = "outstanding, good, not_yet_inspected, requires_improvement, inadequate (spaces allowed)";

fn col(name: &str, json: &str, kind: Kind, required: bool, meaning: &str, allowed: &str, ssda903: &str) -> Column {
    Column {
        name: name.into(),
        json: json.into(),
        kind,
        required,
        meaning: meaning.into(),
        allowed: allowed.into(),
        ssda903: ssda903.into(),
    }
}

/// The columns of a sheet, in template order.
pub fn columns(sheet: Sheet) -> Vec<Column> {
    use Kind::*;
    let id = |what: &str| col("id", "id", Text, true, &format!("Unique {what} id"), "text", "");
    match sheet {
        Sheet::Batch => vec![
            col(
                "batch_id",
                "batch_id",
                Text,
                false,
                "An id for this day's batch, copied into the result",
                "text",
                "",
            ),
            col(
                "as_of",
                "as_of",
                Date,
                false,
                "The date the batch describes; needed when children give a referral_date",
                "a date: DD/MM/YYYY (day first) or YYYY-MM-DD, four-digit year",
                "",
            ),
        ],
        Sheet::Offers => vec![
            col("child", "child", Text, true, "The child the price is for", "a child id of the children sheet", "CHILD"),
            col("home", "home", Text, true, "The home the price is for", "a home id of the homes sheet", ""),
            col(
                "weekly_price",
                "weekly_price",
                Number,
                true,
                "The provider's weekly price for this child at this home (money spent); it replaces the home's list price for this pair only",
                "pounds a week, above 0 (£ and commas allowed); not at a home with block-contract beds",
                "",
            ),
            col("note", "note", Text, false, "What the price includes, who offered it", "text", ""),
        ],
        Sheet::Decisions => vec![
            col("child", "child", Text, true, "The child the answer is about", "a child id of the children sheet", "CHILD"),
            col("home", "home", Text, true, "The home the answer is for", "a home id of the homes sheet", ""),
            col(
                "decision",
                "decision",
                Word(DECISIONS),
                true,
                "accepted: agreed, the child stays there; declined: never proposed again; held: the provider keeps the bed for the child while you decide",
                "accepted, declined, held",
                "",
            ),
            col(
                "reason",
                "reason",
                Text,
                false,
                "Why, in the provider's words (quoted when a refused child is left unplaced)",
                "text",
                "",
            ),
            col(
                "at",
                "at",
                DateTime,
                false,
                "When the provider answered",
                "DD/MM/YYYY or YYYY-MM-DD, optionally followed by a time HH:MM",
                "",
            ),
        ],
        Sheet::Providers => vec![
            id("provider"),
            col(
                "name",
                "name",
                Text,
                false,
                "Provider's name, used in explanations",
                "text",
                "",
            ),
            col(
                "kind",
                "kind",
                Word(KINDS),
                false,
                "Kind of organisation",
                "local_authority, private, voluntary, or PR1, PR4, PR5",
                "provider code: PR1 own provision, PR4 private, PR5 voluntary",
            ),
            col(
                "ofsted",
                "ofsted",
                Word(OFSTED),
                false,
                "The agency's own Ofsted rating, used by its fostering households that have none",
                OFSTED_TEXT,
                "",
            ),
            col(
                "step_across",
                "step_across",
                YesNo,
                false,
                "Can move a child from residential to fostering in-house",
                "yes/no (y/n, true/false, 1/0); blank is no",
                "",
            ),
            col(
                "max_admissions",
                "max_admissions",
                Int,
                false,
                "Most children of this batch the provider will admit",
                "whole number; blank for no limit",
                "",
            ),
            col(
                "discount_min_placements",
                "volume_discount.min_placements",
                Int,
                false,
                "Volume discount: children needed to trigger it (give with discount_percent)",
                "whole number",
                "",
            ),
            col(
                "discount_percent",
                "volume_discount.percent",
                Number,
                false,
                "Volume discount: percent taken off every placement's price when triggered",
                "0 to 100",
                "",
            ),
        ],
        Sheet::Homes => {
            let mut v = vec![
                id("home"),
                col(
                    "name",
                    "name",
                    Text,
                    false,
                    "Home's name, used in explanations",
                    "text",
                    "",
                ),
                col(
                    "provider",
                    "provider",
                    Text,
                    true,
                    "Id of the provider that runs the home (a row of providers)",
                    "a provider id",
                    "URN / provider of the placement",
                ),
                col(
                    "type",
                    "type",
                    Word(PLACEMENT_TYPES),
                    true,
                    "Placement type",
                    TYPES_TEXT,
                    PLACE_903,
                ),
                col(
                    "postcode",
                    "location.postcode",
                    Postcode,
                    false,
                    "Where the home is: full postcode or sector (give postcode, or lat and lon)",
                    "an England or Wales postcode, e.g. RH12 1AB or RH12 1",
                    "PL_POST (placement postcode)",
                ),
                col(
                    "lat",
                    "location.lat",
                    Number,
                    false,
                    "Latitude, instead of postcode",
                    "49.8 to 55.9",
                    "",
                ),
                col(
                    "lon",
                    "location.lon",
                    Number,
                    false,
                    "Longitude, instead of postcode",
                    "-6.5 to 2.0",
                    "",
                ),
                col(
                    "la",
                    "la",
                    Text,
                    false,
                    "Authority the home is in, overriding the one found from the postcode",
                    "an ONS code such as E10000032",
                    "PL_LA",
                ),
                col(
                    "ofsted",
                    "ofsted",
                    Word(OFSTED),
                    false,
                    "The home's own Ofsted rating",
                    OFSTED_TEXT,
                    "",
                ),
                col(
                    "vacancies",
                    "vacancies",
                    Int,
                    true,
                    "Free beds today",
                    "whole number",
                    "",
                ),
                col(
                    "block_vacancies",
                    "block_vacancies",
                    Int,
                    false,
                    "How many of the free beds are already paid for under a block contract",
                    "whole number, at most vacancies; blank is 0",
                    "",
                ),
                col(
                    "occupied",
                    "occupied",
                    Int,
                    false,
                    "Children living there now",
                    "whole number; blank is 0",
                    "",
                ),
                col(
                    "age_min",
                    "age_min",
                    Int,
                    false,
                    "Youngest age accepted",
                    "whole years",
                    "",
                ),
                col(
                    "age_max",
                    "age_max",
                    Int,
                    false,
                    "Oldest age accepted",
                    "whole years",
                    "",
                ),
                col(
                    "sexes",
                    "sexes",
                    Words(SEXES),
                    false,
                    "Sexes accepted; blank accepts all",
                    "a ;-separated list of female, male (or f, m)",
                    "",
                ),
            ];
            for i in Indicator::ALL {
                v.push(col(
                    &format!("support_{}", i.name()),
                    &format!("support.{}", i.name()),
                    Int,
                    false,
                    &format!(
                        "Highest level of {} need the home can meet (Valuing Care); blank is 1",
                        i.name().replace('_', " ")
                    ),
                    "0 to 3",
                    "",
                ));
            }
            v.extend([
                col(
                    "accepts",
                    "accepts",
                    Words(RISKS),
                    false,
                    "Risks the home can manage",
                    RISKS_TEXT,
                    "",
                ),
                col(
                    "resident_risks",
                    "resident_risks",
                    Words(RISKS),
                    false,
                    "Risks the current residents present",
                    RISKS_TEXT,
                    "",
                ),
                col(
                    "incompatible_risks",
                    "incompatible_risks",
                    Words(RISKS),
                    false,
                    "Risks the current residents must not live alongside",
                    RISKS_TEXT,
                    "",
                ),
                col(
                    "weekly_price",
                    "weekly_price",
                    Number,
                    true,
                    "Weekly price per child in pounds (money spent)",
                    "a number; £ and thousands commas allowed, e.g. £5,200",
                    "",
                ),
                col(
                    "languages",
                    "languages",
                    TextList,
                    false,
                    "Languages spoken in the home",
                    "a ;-separated list of ISO 639-1 codes, e.g. en; pl",
                    "",
                ),
            ]);
            v
        }
        Sheet::Children => {
            let mut v = vec![
                id("child (pseudonymous, never a name)"),
                col(
                    "la",
                    "la",
                    Text,
                    false,
                    "Authority responsible for the child; blank uses the postcode's",
                    "an ONS code such as E10000032",
                    "LA (the return's own authority)",
                ),
                col(
                    "postcode",
                    "location.postcode",
                    Postcode,
                    false,
                    "The child's home area: postcode or sector (give postcode, or lat and lon)",
                    "an England or Wales postcode, e.g. RH12 1AB or RH12 1",
                    "HOME_POST",
                ),
                col(
                    "lat",
                    "location.lat",
                    Number,
                    false,
                    "Latitude, instead of postcode",
                    "49.8 to 55.9",
                    "",
                ),
                col(
                    "lon",
                    "location.lon",
                    Number,
                    false,
                    "Longitude, instead of postcode",
                    "-6.5 to 2.0",
                    "",
                ),
                col("age", "age", Int, true, "Age in whole years", "0 to 25", "from DOB"),
                col(
                    "sex",
                    "sex",
                    Word(SEXES),
                    false,
                    "Sex, checked against a home's sexes",
                    "female, male (or f, m)",
                    "SEX (1 male, 2 female)",
                ),
                col(
                    "placement_types",
                    "placement_types",
                    Words(PLACEMENT_TYPES),
                    false,
                    "Acceptable placement types, most preferred first; blank accepts all",
                    &format!("a ;-separated list in order of preference of: {TYPES_TEXT}"),
                    PLACE_903,
                ),
            ];
            for i in Indicator::ALL {
                v.push(col(
                    &format!("need_{}", i.name()),
                    &format!("needs.{}", i.name()),
                    Int,
                    false,
                    &format!("Valuing Care score for {}; blank is 0", i.name().replace('_', " ")),
                    "0 (none) to 3 (high)",
                    "",
                ));
            }
            v.extend([
                col("risks", "risks", Words(RISKS), false, "Risks the child presents", RISKS_TEXT, ""),
                col("incompatible_risks", "incompatible_risks", Words(RISKS), false, "Risks the child must not live alongside", RISKS_TEXT, ""),
                col("urgency", "urgency", Word(URGENCIES), false, "How soon the child must be placed; blank is planned", "emergency, urgent, planned", ""),
                col("waiting_days", "waiting_days", Int, false, "Days already waited (or give referral_date)", "whole number; blank is 0", ""),
                col("referral_date", "waiting_days", ReferralDate, false, "Date of the referral, instead of waiting_days: the days to the batch's as_of are counted", "a date: DD/MM/YYYY (day first) or YYYY-MM-DD, four-digit year; needs as_of in the batch sheet", ""),
                col("sibling_group", "sibling_group", Text, false, "Children with the same text here are siblings", "text", ""),
                col("keep_together", "keep_together", YesNo, false, "no lets the sibling group be split; blank or yes keeps it together", "yes/no (y/n, true/false, 1/0)", ""),
                col("requires_solo", "requires_solo", YesNo, false, "The child must be the only child in the home", "yes/no; blank is no", ""),
                col("secure_order", "secure_order", YesNo, false, "The child is subject to a secure accommodation order", "yes/no; blank is no", "LS (legal status) with a s25 order"),
                col("max_distance_km", "max_distance_km", Number, false, "Furthest acceptable distance from home, km", "a number", ""),
                col("min_distance_km", "min_distance_km", Number, false, "Nearest acceptable distance from home, km", "a number", ""),
                col("exclusion_zones", "exclusion_zones", Zones, false, "Areas the child must not be placed in", "a ;-separated list; each an authority code (E06000043) or a circle `RH10 1 within 4 km` (a postcode, or lat,lon, then within R km)", ""),
                col("step_across_to", "step_across.to", Word(PLACEMENT_TYPES), false, "The type the child should later step across to (usually foster)", TYPES_TEXT, ""),
                col("budget_cap", "budget_cap", Number, false, "Most the authority will pay per week for this child, £", "a number; £ and commas allowed", ""),
                col("languages", "languages", TextList, false, "Languages the child speaks", "a ;-separated list of ISO 639-1 codes, e.g. en; pl", ""),
                col("min_ofsted", "min_ofsted", Word(OFSTED), false, "The child's own minimum Ofsted rating", OFSTED_TEXT, ""),
            ]);
            v
        }
    }
}
