fn main() {
    keep_freed_memory();
    std::process::exit(voxproof_conformance::cli::main(std::env::args_os()));
}

/// Large messages (up to 16 MiB) are built and freed case after case. By
/// default glibc maps each large block afresh and unmaps it on free, so every
/// case pays page faults for all of its memory; keeping freed memory in the
/// heap makes the limits cases several times cheaper.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // SAFETY: mallopt only tunes the allocator; called before any thread starts.
    unsafe {
        // 32 MiB is the largest threshold glibc accepts (it refuses more).
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}
