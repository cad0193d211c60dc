//! `placematch report`: a self-contained HTML page of a result, bench, simulate or plan output.

use super::files::{emit, load, read_text, refuse_existing};
use super::options::ReportArgs;
use super::{Exit, RunError};

/// Runs `report`: its options are its settings.
pub(super) fn run(a: &ReportArgs) -> Result<Exit, RunError> {
    refuse_existing(&a.output, a.force)?;
    let inst = match &a.batch {
        Some(b) => Some(load(b, None)?),
        None => None,
    };
    let text = read_text(&a.input)?;
    let page = crate::report::render(&text, &a.input.display().to_string(), inst.as_ref())?;
    emit(a.output.as_deref(), &page, a.force)?;
    Ok(Exit::Ok)
}
