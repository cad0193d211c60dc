//! Layer 0, **support**: small pieces every layer may use, with no knowledge of the domain.

pub mod debug;
pub mod memory;
pub mod money;
pub mod progress;
pub mod random;
pub mod words;
