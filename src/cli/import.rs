//! `placematch import`: spreadsheets to a batch, or the blank templates.

use super::files::{emit, load_policy, refuse_existing};
use super::options::ImportArgs;
use super::{Exit, RunError};

/// Runs `import`: its options are its settings.
pub(super) fn run(a: &ImportArgs) -> Result<Exit, RunError> {
    if let Some(dir) = &a.template {
        let files = crate::input::sheets::template_files().map_err(anyhow::Error::from)?;
        crate::result::sheets::write_files(dir, &files, a.force)?;
        eprintln!("wrote {} files into {}", files.len(), dir.display());
        return Ok(Exit::Ok);
    }
    let source = a.source.as_deref().expect("clap requires a source without --template");
    refuse_existing(a.output.iter(), a.force)?;
    let policy = load_policy(a.policy.as_deref())?;
    // Checked as `validate` would check the JSON (the embedded policy, the located rules of
    // the answers), each problem at its cell: a workbook that imports also validates.
    let name = source.display().to_string();
    let batch = crate::input::sheets::import_checked(source, policy, |text| {
        crate::pair::instance::load_batch(text, &name, None)
            .err()
            .map_or_else(Vec::new, |e| e.issues)
    })?;
    let mut text = serde_json::to_string_pretty(&batch).map_err(anyhow::Error::from)?;
    text.push('\n');
    emit(a.output.as_deref(), &text, a.force)?;
    Ok(Exit::Ok)
}
