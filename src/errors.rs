//! The registry of stable error codes: each with its cause and what to do.
//!
//! Codes never change meaning once published; new ones are appended. The
//! error table in docs/reference/errors.md is generated from [`ErrorCode::ALL`] (`placematch codes`).

use std::fmt;

use serde::Serialize;

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $name:literal, $action:literal; )*) => {
        /// A stable input-error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }
        impl ErrorCode {
            /// Every code, in numeric order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];
            /// The code as printed, e.g. `E1203`.
            pub fn code(self) -> &'static str { match self { $(ErrorCode::$variant => $code,)* } }
            /// A short snake_case name.
            pub fn name(self) -> &'static str { match self { $(ErrorCode::$variant => $name,)* } }
            /// What the user should do about it.
            pub fn action(self) -> &'static str { match self { $(ErrorCode::$variant => $action,)* } }
        }
    };
}

codes! {
    /// The file is not valid JSON.
    MalformedJson = "E1001", "malformed_json", "Fix the JSON syntax at the line and column given (a validator or `jq .` shows it too).";
    /// The `format` field is missing or not the expected format.
    WrongFormat = "E1002", "wrong_format", "Set \"format\" to \"placematch/batch@1\" (or the format this command reads).";
    /// A value has the wrong JSON type.
    WrongType = "E1003", "wrong_type", "Give the value the type the schema asks for (`placematch schema`).";
    /// A field is not part of the format.
    UnknownField = "E1004", "unknown_field", "Remove the field or fix its spelling; unknown fields are rejected so typos never pass silently.";
    /// A required field is missing.
    MissingField = "E1005", "missing_field", "Add the field; see docs/reference/batch-format.md.";
    /// A value is not one of the allowed words.
    UnknownValue = "E1006", "unknown_value", "Use one of the values listed in the message.";
    /// A key given twice in one JSON object.
    DuplicateKey = "E1007", "duplicate_key", "Give each field once: with a key repeated, which value was meant cannot be known.";
    /// A spreadsheet export (CSV) given where JSON is read.
    NotJson = "E1008", "not_json", "placematch reads JSON; turn the spreadsheet into a JSON batch (the format is in docs/reference/batch-format.md).";
    /// Another of placematch's own documents given where this command reads a different kind.
    WrongDocument = "E1009", "wrong_document", "Give this command the kind of file it reads: the message says what this file is and which command reads it.";
    /// Two records share an id.
    DuplicateId = "E1101", "duplicate_id", "Give every child, home and provider a unique id.";
    /// Nothing to match.
    EmptyBatch = "E1102", "empty_batch", "Add at least one child and one home.";
    /// An id that is empty, too long or holds a control character.
    BadId = "E1103", "bad_id", "Give every child, home and provider an id of 1 to 64 printable characters (a pseudonymous reference, never a name).";
    /// A location is neither a postcode nor a lat/lon pair, or is both.
    BadLocation = "E1201", "bad_location", "Give either {\"postcode\": \"RH12 1AB\"} or {\"lat\": 51.06, \"lon\": -0.33}.";
    /// The postcode's sector is not in the bundled England and Wales table.
    UnknownPostcode = "E1202", "unknown_postcode", "Check the postcode; only England and Wales sectors are bundled. Use lat/lon for a place outside them.";
    /// A home names a provider that is not in `providers`.
    UnknownProvider = "E1203", "unknown_provider", "Add the provider to `providers` or correct the home's `provider`.";
    /// An authority code is not in the bundled table.
    UnknownAuthority = "E1204", "unknown_authority", "Use a 2025 ONS upper-tier or district code such as E10000032.";
    /// A coordinate outside England and Wales.
    OutsideCoverage = "E1205", "outside_coverage", "Give a latitude/longitude inside England and Wales (lat 49.8–55.9, lon −6.5–2.0).";
    /// A postal district alone (a town), where a sector is needed.
    PostcodeDistrictOnly = "E1206", "postcode_district_only", "Give the sector (the district, a space and the next digit, e.g. \"RH12 1\") or the full postcode; the message lists the district's sectors.";
    /// A postcode written without its space that names two different places.
    AmbiguousPostcode = "E1207", "ambiguous_postcode", "Write the postcode with its space (\"RH1 2\" or \"RH12 1\"): without it, the district and the sector are different places.";
    /// An age outside 0–25.
    AgeOutOfRange = "E1301", "age_out_of_range", "Ages are whole years from 0 to 25.";
    /// A need or support score outside 0–3.
    ScoreOutOfRange = "E1302", "score_out_of_range", "Valuing Care scores are 0 (none) to 3 (high).";
    /// A count, price or distance below zero, or a number that is not finite.
    NegativeValue = "E1303", "negative_value", "Counts, prices, distances and policy weights must be finite and not negative.";
    /// A range whose bounds contradict each other.
    InconsistentRange = "E1304", "inconsistent_range", "Make the lower bound at most the upper one (age_min ≤ age_max, block_vacancies ≤ vacancies, min_distance_km ≤ max_distance_km).";
    /// A percentage outside 0–100.
    PercentOutOfRange = "E1305", "percent_out_of_range", "A discount percent is between 0 and 100.";
    /// A number above its documented range.
    ValueTooLarge = "E1306", "value_too_large", "Give a value within its range (docs/reference/ranges.md): the message gives the largest allowed and its unit.";
    /// A result file that does not belong to the batch or is not a result.
    ResultMismatch = "E1401", "result_mismatch", "Check the result against the batch it was solved from.";
    /// A scenario without authorities, arrival segments or homes.
    EmptyScenario = "E1501", "empty_scenario", "Add at least one authority, one arrival segment and one home or home generator.";
    /// A probability outside 0–1, or a distribution over levels, urgencies or ratings that does not sum to 1.
    BadProbability = "E1502", "bad_probability", "Give probabilities between 0 and 1; where they describe one choice (need levels, urgency, Ofsted) make them sum to 1.";
    /// A duration distribution with impossible parameters.
    BadDistribution = "E1503", "bad_distribution", "Give positive days (median_days, mean_days, days), a positive shape and a sigma of at least 0.";
    /// A segment names an authority that is not a member of the scenario.
    AuthorityNotInScenario = "E1504", "authority_not_in_scenario", "Add the authority to `authorities` or correct the code.";
    /// A sector listed for an authority lies in another authority.
    SectorOutsideAuthority = "E1505", "sector_outside_authority", "List only sectors inside the authority (the bundled table decides), or leave `sectors` out to use all of them.";
    /// A plan has no demand: neither `segments` nor `history`.
    NoDemand = "E1601", "no_demand", "Give demand as `segments` (arrival rates and durations) or as a `history` episodes file, or both.";
    /// A plan names an authority that is not one of its `members`.
    NotAMember = "E1602", "not_a_member", "Add the authority to `members` or correct the code; a plan covers its member authorities only.";
    /// A placement-duration distribution is malformed.
    BadDuration = "E1603", "bad_duration", "Give either {\"mean_weeks\": m} with m ≥ 1 or {\"weeks\": [{\"weeks\": w, \"share\": s}, …]} with shares summing to 1.";
    /// A probability outside 0–1. Deprecated alias of E1502 ([`ErrorCode::BadProbability`]),
    /// which every format now reports for this fault; kept so the code is never reused.
    ProbabilityOutOfRange = "E1604", "probability_out_of_range", "A probability is between 0 and 1 (0.3 means 30%). Deprecated alias of E1502, no longer reported: plans now report this as E1502.";
    /// A demand segment has no spot market to fall back on.
    NoSpotMarket = "E1605", "no_spot_market", "Add a `spot` entry for the segment's placement type (for its authority, or one without `la` for every member).";
    /// The history file cannot be read or lacks a required column.
    HistoryUnreadable = "E1606", "history_unreadable", "Check the path (relative to the plan file) and that the header has CHILD, DECOM, PLACE and LA.";
    /// A date in the history file is not a date, or an episode ends before it starts.
    BadDate = "E1607", "bad_date", "Write dates as DD/MM/YYYY (as in the SSDA903 return) or YYYY-MM-DD, with DEC on or after DECOM.";
    /// A `PLACE` code that is not an SSDA903 placement code.
    UnknownPlaceCode = "E1608", "unknown_place_code", "Use an SSDA903 PLACE code (U1–U6, K1, K2, H5, …); codes for placements that are not bought (P1, A3, …) are skipped.";
    /// A spreadsheet column that is not part of the sheet's format.
    UnknownColumn = "E1701", "unknown_column", "Rename the column to one in the template's notes (the message suggests the nearest), or delete it.";
    /// A spreadsheet file or sheet the import needs is missing.
    MissingSheet = "E1702", "missing_sheet", "Give children.csv, homes.csv and providers.csv in the folder, or sheets named children, homes and providers in the workbook (`placematch import --template DIR` writes them).";
    /// A date cell that is not a date, or could be read more than one way.
    UnreadableDate = "E1703", "unreadable_date", "Write the date as DD/MM/YYYY (day first) or YYYY-MM-DD, with a four-digit year, or as an Excel date.";
    /// Two columns of one sheet have the same name.
    DuplicateColumn = "E1704", "duplicate_column", "Keep one column of each name; delete or rename the other.";
    /// A spreadsheet file that cannot be opened or read.
    UnreadableSheet = "E1705", "unreadable_sheet", "Save the file as CSV (UTF-8), .xlsx or .ods and check that it opens.";
    /// An offer or decision names a child that is not in the batch.
    AnswerUnknownChild = "E1710", "answer_unknown_child", "Use the id of a child in `children`, or remove the row: a provider's answer about a child not in today's batch cannot be applied.";
    /// An offer or decision names a home that is not in the batch.
    AnswerUnknownHome = "E1711", "answer_unknown_home", "Use the id of a home in `homes`; if the vacancy has gone, remove the answer too.";
    /// Two offers for one child at one home.
    DuplicateOffer = "E1712", "duplicate_offer", "Keep one offer per child and home: the latest price the provider gave.";
    /// Two decisions for one child at one home.
    DuplicateDecision = "E1713", "duplicate_decision", "Keep one decision per child and home: the provider's latest answer.";
    /// A child accepted at two homes, or kept-together siblings accepted at different homes.
    AcceptedTwice = "E1714", "accepted_twice", "A child is accepted at one home only: change the other acceptance to declined, or remove it.";
    /// An accepted or held pair that breaks a hard rule.
    DecisionNotEligible = "E1715", "decision_not_eligible", "Check the child's and the home's records (the message names the rules broken): an agreed placement must meet every hard rule, or the record is wrong.";
    /// More children accepted at or holding beds at a home than it has vacancies.
    BedsOvercommitted = "E1716", "beds_overcommitted", "Raise the home's `vacancies` if the provider has more beds, or release a hold (remove the decision).";
    /// More children accepted with a provider than its `max_admissions`.
    AdmissionsOvercommitted = "E1717", "admissions_overcommitted", "Raise the provider's `max_admissions` or remove an acceptance.";
    /// A decision's `at` that is not a date or date and time.
    UnreadableTime = "E1718", "unreadable_time", "Write `at` as a date, optionally with a time: YYYY-MM-DD or YYYY-MM-DDTHH:MM in JSON (seconds and Z or an offset such as +00:00 allowed), DD/MM/YYYY HH:MM in a spreadsheet.";
    /// An offer at a home whose free beds include block-contract beds.
    OfferOnBlockHome = "E1719", "offer_on_block_home", "A block-contract bed is paid at the contract price: remove the offer, or give the home's spot beds as a home of their own.";
    /// Decisions for one child that cannot all hold.
    ContradictoryDecisions = "E1720", "contradictory_decisions", "Keep the answers that stand: an accepted child holds no other bed, and children accepted at one home must be able to live together.";
    /// `--since` names a file that is not a placematch result.
    NotAResult = "E1721", "not_a_result", "Give --since a result written by `placematch solve -o result.json` (format \"placematch/result@1\").";
    /// An offered price of zero.
    ZeroPrice = "E1722", "zero_price", "Give the weekly price the provider offered, above £0; an in-house placement at no charge still has a price.";
    /// The children accepted for one authority cost more than its weekly budget.
    BudgetOvercommitted = "E1723", "budget_overcommitted", "Raise the authority's `weekly_budget` in the policy, or remove an acceptance: agreed placements are paid before any other.";
    /// `simulate --sweep` names a weight the policy does not have (or that cannot be swept).
    UnknownSweepWeight = "E1801", "unknown_sweep_weight", "Name one of the policy weights listed in the message (the closest is suggested), e.g. `--sweep per_km=0,5,10,20`.";
    /// A `--sweep` value that is not a number, is negative or is above the weight's range.
    BadSweepValue = "E1802", "bad_sweep_value", "Give numbers within the weight's range (docs/reference/ranges.md): the message gives the range and its unit.";
    /// A `--sweep` without `=`, without values, with a value twice or with too many values.
    BadSweepSpec = "E1803", "bad_sweep_spec", "Write `--sweep WEIGHT=v1,v2,…` with 1 to 12 different values.";
    /// `solve --forecast` given a file that is neither a simulation scenario, a plan with a
    /// `history` section nor a history CSV.
    ForecastNotAScenario = "E1804", "forecast_not_a_scenario", "Give --forecast a simulation scenario (placematch/scenario@1), a plan (placematch/plan@1) with a `history` section, or a history CSV of episodes (header with CHILD, DECOM, PLACE and LA).";
    /// `solve --forecast` given history with no bought placement in its window.
    ForecastWithoutDemand = "E1805", "forecast_without_demand", "Give history with fostering, children's home, secure or supported episodes starting in the window (a plan's `history.from`/`to`; a CSV's own dates), or a scenario.";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.name())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// One problem found in an input, at a JSON path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    /// JSON path, e.g. `children[3].location.postcode` (empty for the whole file).
    pub path: String,
    /// Stable code.
    pub code: ErrorCode,
    /// What is wrong, in words.
    pub message: String,
}

impl Issue {
    /// A new issue.
    pub fn new(path: impl Into<String>, code: ErrorCode, message: impl Into<String>) -> Self {
        Issue {
            path: path.into(),
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() { "(file)" } else { &self.path };
        write!(
            f,
            "{path}: {} {}: {}\n    what to do: {}",
            self.code.code(),
            self.code.name(),
            self.message,
            self.code.action()
        )
    }
}

/// All problems found in one input, reported together.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct InvalidInput {
    /// The file or input name.
    pub source_name: String,
    /// Every problem found, in document order.
    pub issues: Vec<Issue>,
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} is not valid: {} problem(s)", self.source_name, self.issues.len())?;
        for issue in &self.issues {
            writeln!(f, "  {issue}")?;
        }
        Ok(())
    }
}
