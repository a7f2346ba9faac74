//! Load tools: throughput, latency and connection cost of a target, measured, never judged
//! ([docs/performance.md](../../../docs/performance.md#method)).

pub mod conn;
pub mod connections;
pub mod echo;
pub mod summary;
pub mod voice;

/// Raise the soft open-file limit to the hard one (each connection is a
/// descriptor); the limit now in force, where it can be known.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn raise_open_files() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return None;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
    }
    // rlim_t is narrower than u64 on some 32-bit targets.
    #[allow(clippy::unnecessary_cast)]
    Some(limit.rlim_cur as u64)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn raise_open_files() -> Option<u64> {
    None
}

/// Handshakes under way at once, so a burst does not overflow the
/// target's accept queue (which would show as connect timeouts, not as
/// what the target can hold).
pub const OPENING_AT_ONCE: usize = 256;

/// Descriptors the process needs besides its connections (stdio, the
/// runtime's own, files written at the end).
pub const SPARE_FILES: u64 = 64;
