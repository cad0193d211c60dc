//! The one door to HiGHS's C API. The `highs` crate's safe API covers building and solving a
//! model, but not what warm re-solves need: columns and rows added with our own row indices
//! (its `Row` handles are minted only for rows it added), bounds changed on such columns,
//! trailing columns and rows dropped, a model read back for the restricted MIPs, and a
//! time limit measured from now. Each `unsafe` call is here, wrapped in a safe function
//! that checks the lengths it passes and the status HiGHS returns.

use highs::Model;
use highs_sys::HighsInt;

use super::SolveOptions;

pub(super) fn configure(m: &mut Model, opts: &SolveOptions, mip: bool, knapsacks: bool) {
    // HiGHS's own log (numbers only, no child details) when PLACEMATCH_HIGHS_LOG is set.
    if std::env::var_os("PLACEMATCH_HIGHS_LOG").is_none() {
        m.make_quiet();
    } else {
        m.set_option("output_flag", true);
        m.set_option("log_to_console", true);
    }
    // One thread per solver: components may run side by side on the two cores.
    m.set_option("threads", 1);
    if mip && !knapsacks {
        // On these small, nearly unimodular MIPs the sub-MIP heuristics and restarts cost more
        // than they find (measured: 2.6× faster on the example batch without them). Budget rows
        // are knapsacks, where the LP is far from integral and only the sub-MIP heuristics find
        // good placements (regional backlog, 60 s: gap 0.8% with them, 20.8% without).
        m.set_option("mip_heuristic_run_rins", false);
        m.set_option("mip_heuristic_run_rens", false);
        m.set_option("mip_allow_restart", false);
    }
    // The root reduced-cost heuristic is off there too, and on budget MIPs that only a proof
    // ends (no time limit, no gap): its sub-MIP costs more than it finds (the 150 × 6,000
    // batches with every side rule proved their MIPs 10–40 % faster without it;
    // docs/measurements.md, "Weekly budgets on time").
    if mip && (!knapsacks || (opts.time_limit.is_none() && opts.gap <= 0.0)) {
        m.set_option("mip_heuristic_run_root_reduced_cost", false);
    }
    m.set_option("mip_rel_gap", opts.gap);
    m.set_option("mip_abs_gap", 1e-6);
    m.set_option("random_seed", 0);
    // Presolve costs more than it saves on the LP relaxation of an assignment model; for the
    // MIP it is the user's choice (`--no-presolve`).
    if !mip || !opts.presolve {
        m.set_option("presolve", "off");
    }
}

/// The objective coefficients of `model`'s columns, read back from HiGHS (so the check of its
/// answer uses exactly what it solved).
pub(super) fn column_costs(model: &Model) -> Vec<f64> {
    let n = model.num_cols();
    let mut costs = vec![0.0; n];
    let ptr = model.as_ptr();
    if n > 0 {
        let mut got = 0;
        // SAFETY: `ptr` is a live Highs instance and `costs` has one slot per column; HiGHS
        // skips the outputs whose pointers are null.
        let status = unsafe {
            highs_sys::Highs_getColsByRange(
                ptr,
                0,
                n as highs_sys::HighsInt - 1,
                &mut got,
                costs.as_mut_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &mut 0,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        ffi_ok(status, "reading the costs");
    }
    costs
}

/// `model` as HiGHS holds it, columns and rows, for the restricted MIPs of [`crate::matching::lns`];
/// `integer` marks its integer columns.
pub(super) fn full_model(model: &Model, integer: Vec<bool>) -> crate::matching::lns::FullModel {
    let (n, m) = (model.num_cols(), model.num_rows());
    let ptr = model.as_ptr();
    // SAFETY: `ptr` is a live Highs instance; every buffer is sized for all columns (rows) and
    // all nonzeros, as `Highs_getColsByRange` and `Highs_getRowsByRange` write them (HiGHS
    // skips the outputs whose pointers are null).
    unsafe {
        let nnz = highs_sys::Highs_getNumNz(ptr).max(0) as usize;
        let (mut costs, mut lower, mut upper) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let (mut start, mut index, mut value) = (vec![0; n + 1], vec![0; nnz.max(1)], vec![0.0; nnz.max(1)]);
        let (mut row_lower, mut row_upper) = (vec![0.0; m], vec![0.0; m]);
        let (mut got, mut got_nz) = (0, 0);
        if n > 0 {
            highs_sys::Highs_getColsByRange(
                ptr,
                0,
                n as highs_sys::HighsInt - 1,
                &mut got,
                costs.as_mut_ptr(),
                lower.as_mut_ptr(),
                upper.as_mut_ptr(),
                &mut got_nz,
                start.as_mut_ptr(),
                index.as_mut_ptr(),
                value.as_mut_ptr(),
            );
        }
        start[n] = got_nz;
        if m > 0 {
            // Only the bounds: null matrix pointers spare HiGHS a transpose.
            highs_sys::Highs_getRowsByRange(
                ptr,
                0,
                m as highs_sys::HighsInt - 1,
                &mut got,
                row_lower.as_mut_ptr(),
                row_upper.as_mut_ptr(),
                &mut 0,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            );
        }
        index.truncate(start[n] as usize);
        value.truncate(start[n] as usize);
        crate::matching::lns::FullModel {
            costs,
            lower,
            upper,
            integer,
            row_lower,
            row_upper,
            start: start.into_iter().map(|s| s as usize).collect(),
            index: index.into_iter().map(|r| r as usize).collect(),
            value,
        }
    }
}

/// Gives `m` `seconds` from now. HiGHS holds its time limit against the run time it has
/// accumulated over every solve of the same instance, so column generation's later LPs (and
/// the regret search's forced LPs) were stopped early: on a 1,000-child London batch with
/// `--time-limit 10` the fourth LP stopped 0.6 s in, 3.8 s before the deadline.
pub(super) fn limit_time(m: &mut Model, seconds: f64) {
    // SAFETY: the pointer is the live HiGHS instance that `m` owns, and the call only reads.
    let ran = unsafe { highs_sys::Highs_getRunTime(m.as_mut_ptr()) };
    m.set_option("time_limit", ran + seconds);
}

pub(super) fn set_bounds(m: &mut Model, col: usize, lo: f64, hi: f64) {
    // The safe API mints column handles only for columns it added itself; ours come from
    // `ColProblem` and `Highs_addCol`, so bounds change through the C API.
    let status = unsafe { highs_sys::Highs_changeColBounds(m.as_mut_ptr(), col as highs_sys::HighsInt, lo, hi) };
    ffi_ok(status, "a bound change");
}

/// HiGHS's C API reports failure by status; a rejected call here is a bug, not bad input.
fn ffi_ok(status: highs_sys::HighsInt, what: &str) {
    assert_eq!(
        status,
        highs_sys::STATUS_OK as highs_sys::HighsInt,
        "HiGHS rejected {what}"
    );
}

/// Adds a column of cost `cost` and bounds [0, 1] with entries `value` at rows `index` (rows
/// that exist already; the safe API takes only `Row` handles it minted itself).
pub(super) fn add_col(m: &mut Model, cost: f64, index: &[HighsInt], value: &[f64]) {
    assert_eq!(index.len(), value.len(), "a column's entries");
    // SAFETY: a live Highs instance; `index` and `value` hold the column's entries, each index
    // an existing row.
    let status = unsafe {
        highs_sys::Highs_addCol(
            m.as_mut_ptr(),
            cost,
            0.0,
            1.0,
            index.len() as HighsInt,
            index.as_ptr(),
            value.as_ptr(),
        )
    };
    ffi_ok(status, "a column");
}

/// Adds rows in one call (HiGHS rebuilds its column-wise matrix per call): row `i` has bounds
/// `lower[i]..=upper[i]` and its entries from `start[i]` in `index` (existing columns) and
/// `value`.
pub(super) fn add_rows(
    m: &mut Model,
    lower: &[f64],
    upper: &[f64],
    start: &[HighsInt],
    index: &[HighsInt],
    value: &[f64],
) {
    assert!(
        lower.len() == upper.len() && lower.len() == start.len(),
        "rows' bounds and starts"
    );
    assert_eq!(index.len(), value.len(), "rows' entries");
    // SAFETY: a live Highs instance; `start` has one entry per row, `index`/`value` hold
    // every entry, and each index is an existing column.
    let status = unsafe {
        highs_sys::Highs_addRows(
            m.as_mut_ptr(),
            lower.len() as HighsInt,
            lower.as_ptr(),
            upper.as_ptr(),
            index.len() as HighsInt,
            start.as_ptr(),
            index.as_ptr(),
            value.as_ptr(),
        )
    };
    ffi_ok(status, "rows");
}

/// Rows of the model as HiGHS holds it.
pub(super) fn num_rows(m: &mut Model) -> usize {
    // SAFETY: a live Highs instance; the call only reads.
    unsafe { highs_sys::Highs_getNumRow(m.as_mut_ptr()) as usize }
}

/// Drops the columns from `first` on.
pub(super) fn drop_cols_from(m: &mut Model, first: usize) {
    let ptr = m.as_mut_ptr();
    // SAFETY: a live Highs instance; the range is its trailing columns.
    unsafe {
        let n = highs_sys::Highs_getNumCol(ptr);
        ffi_ok(
            highs_sys::Highs_deleteColsByRange(ptr, first as HighsInt, n - 1),
            "dropping columns",
        );
    }
}

/// Drops the rows from `first` on, if there are any.
pub(super) fn drop_rows_from(m: &mut Model, first: usize) {
    let ptr = m.as_mut_ptr();
    // SAFETY: a live Highs instance; the range is its trailing rows.
    unsafe {
        let n = highs_sys::Highs_getNumRow(ptr);
        if (n as usize) > first {
            ffi_ok(
                highs_sys::Highs_deleteRowsByRange(ptr, first as HighsInt, n - 1),
                "dropping rows",
            );
        }
    }
}

/// Writes the model to `path` (MPS, by HiGHS); whether it was written.
pub(super) fn write_model(m: &mut Model, path: &std::path::Path) -> bool {
    std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
        .ok()
        // SAFETY: a live Highs instance and a NUL-terminated path.
        .map(|c| unsafe { highs_sys::Highs_writeModel(m.as_mut_ptr(), c.as_ptr()) })
        // HiGHS writes MPS with a warning status (it names rows and columns itself).
        .is_some_and(|status| status != highs_sys::STATUS_ERROR as HighsInt)
}
