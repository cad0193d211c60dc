//! `placematch validate`: read a batch and report every problem without solving.

use super::files::load;
use super::options::ValidateArgs;
use super::{Exit, RunError};

/// Runs `validate`: its options are its settings.
pub(super) fn run(a: &ValidateArgs) -> Result<Exit, RunError> {
    let inst = load(&a.batch, a.policy.as_deref())?;
    println!(
        "{} is valid: {} children, {} homes, {} providers",
        a.batch.display(),
        inst.batch.children.len(),
        inst.batch.homes.len(),
        inst.batch.providers.len()
    );
    Ok(Exit::Ok)
}
