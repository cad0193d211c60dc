//! `placematch report`: a self-contained HTML page of a result, bench, simulate or plan output.

use std::io::IsTerminal;

use super::files::{emit, load, read_text, refuse_existing, source_name};
use super::options::ReportArgs;
use super::{Exit, RunError};

/// Runs `report`: its options are its settings.
pub(super) fn run(a: &ReportArgs) -> Result<Exit, RunError> {
    // A page of HTML is no use in a terminal: without `-o` it goes only to a pipe or a file.
    if a.output.is_none() && std::io::stdout().is_terminal() {
        return Err(anyhow::anyhow!(
            "report writes a web page: give `-o report.html` (or `-o -` to print the HTML here)"
        )
        .into());
    }
    refuse_existing(&a.output, a.force)?;
    let inst = match &a.batch {
        Some(b) => Some(load(b, None)?),
        None => None,
    };
    let text = read_text(&a.input)?;
    let page = crate::report::render(&text, &source_name(&a.input), inst.as_ref())?;
    emit(a.output.as_deref(), &page, a.force)?;
    Ok(Exit::Ok)
}
