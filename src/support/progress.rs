//! The one progress bar every long command shows on standard error.

/// A progress bar on standard error, hidden when standard error is not a terminal. With
/// `len` 0 (not known yet) it is a spinner with the time so far until [`count_to`] gives it
/// one; it ticks on its own, so a long stage that reports nothing (finding a national
/// what-if's pairs, 12 s) still shows the clock running.
pub fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    // Cleared when dropped, so an error that ends a run early is not printed after a stale bar.
    let bar = indicatif::ProgressBar::new(len).with_finish(indicatif::ProgressFinish::AndClear);
    bar.set_style(bar_style(len));
    bar.set_message(what.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(250));
    bar
}

/// [`progress_bar`] when `show`, else a hidden bar (for callers that may run quietly, such as
/// the planner inside tests or another command).
pub fn progress_bar_if(show: bool, len: u64, what: &str) -> indicatif::ProgressBar {
    if show {
        progress_bar(len, what)
    } else {
        indicatif::ProgressBar::hidden()
    }
}

/// Gives `bar` ([`progress_bar`]) a length, from position 0.
pub fn count_to(bar: &indicatif::ProgressBar, len: u64) {
    bar.set_length(len);
    bar.set_position(0);
    if !bar.is_hidden() {
        bar.set_style(bar_style(len));
    }
}

fn bar_style(len: u64) -> indicatif::ProgressStyle {
    // The templates are constants, so they parse; the default style is a fallback only.
    let template = if len == 0 {
        "{spinner} {msg} {elapsed_precise}"
    } else {
        "{spinner} {msg} [{bar:30}] {pos}/{len} {elapsed_precise}"
    };
    indicatif::ProgressStyle::with_template(template)
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
}
