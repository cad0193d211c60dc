//! Layer 1, **input**: what a user hands placematch, from text to a valid batch.
//!
//! [`read`] turns text into typed records ([`batch`], [`policy`]) and reports every syntax
//! and type problem with its JSON path; [`validate`] applies the semantic rules, each with a
//! stable code, from the generic value rules of [`rules`] that every input format shares; [`geography`] resolves postcode sectors and authority codes to points; [`answers`] holds the rules of providers'
//! answers (offers and decisions) that need no geography.

pub mod answers;
pub mod batch;
pub mod geography;
pub mod policy;
pub mod read;
pub mod rules;
pub mod sheets;
pub mod validate;
pub mod weights;
