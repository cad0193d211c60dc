//! Layer 3, **result**: the result format (`placematch/result@1`), its writers, and what
//! changed since an earlier result ([`changes`], `solve --since`).

pub mod changes;
pub mod format;
pub mod sheets;
pub mod write;
