//! The heap, on glibc: fewer arenas and free pages given back, where a run's peak memory is
//! what a user measures. Nothing elsewhere (the functions do nothing).
//!
//! glibc gives each thread that allocates beside another an arena of its own, and an arena
//! keeps the pages freed in it. The explaining stage runs a second solver on a second thread,
//! which then takes fresh pages while the first thread's arena holds those the optimum's solve
//! freed: on the 300 × 3,000 side-rule batch, 81–89 MB peak against 79–84 MB in one arena, in
//! the same time. `simulate`, whose threads allocate all the time, is slower in one arena
//! (14.8 s to 18.2 s on the co-operative), so only `solve` asks for it.

/// Keeps every thread in one arena. Called first thing in a command, before any thread.
pub fn one_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes a malloc tuning value; no memory is touched.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Gives the heap's free pages back to the system. Called before a second thread starts to
/// allocate much, so that its pages and those still free in the first arena do not add up.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system; it touches nothing live.
    unsafe {
        libc::malloc_trim(0);
    }
}
