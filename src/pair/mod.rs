//! Layer 2, **pair**: a valid batch located as an [`instance::Instance`], and for every
//! child–home pair whether it is allowed ([`eligibility`], with reason codes) and what it
//! costs a week, term by term ([`cost`]); providers' answers (offers, acceptances, refusals,
//! holds) indexed for both, with the rules they must meet once located ([`answers`]).

pub mod answers;
pub mod cost;
pub mod eligibility;
pub mod instance;
