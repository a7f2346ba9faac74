//! Helpers shared by the conformance test binaries.

#![allow(dead_code)] // each test binary uses only some of them

pub mod faulty;
pub mod proxy;
pub mod quotes;

use std::collections::BTreeSet;
use std::time::Duration;
use voxproof_conformance::case::Case;
use voxproof_conformance::registry;
use voxproof_conformance::run::{run, RunConfig, RunReport};
use voxproof_conformance::target::Target;
use voxproof_conformance::verdict::Verdict;
use voxproof_conformance::wire::frame::{decode, Decoded, Frame};

/// Cases where a per-frame UTF-8 check is NON-STRICT (Autobahn 6.4.3, 6.4.4):
/// tungstenite (and the test servers) check UTF-8 per frame, not per byte, so
/// invalid UTF-8 inside one frame written in pieces fails only at its end, as
/// in tungstenite's published Autobahn results.
pub const PER_FRAME_UTF8: &[&str] = &["framing.utf8.6_4_3", "framing.utf8.6_4_4"];

/// Run `cases` with 10 s per case: the CLI's 2 s leaves a loaded machine
/// too little room.
pub fn run_patiently(target: &Target, cases: &[Case], config: RunConfig) -> RunReport {
    let config = RunConfig {
        timeout: Duration::from_secs(10),
        ..config
    };
    run(target, cases, &config, &|_| {})
}

/// Every result that is neither OK nor INFORMATIONAL, except the NON-STRICT
/// and UNIMPLEMENTED ones expected by id, as "VERDICT id: detail" lines.
pub fn not_ok(report: &RunReport, non_strict: &[&str], unimplemented: &[&str]) -> Vec<String> {
    report
        .results
        .iter()
        .filter(|r| match r.verdict {
            Verdict::Ok | Verdict::Informational => false,
            Verdict::NonStrict => !non_strict.contains(&r.id.as_str()),
            Verdict::Unimplemented => !unimplemented.contains(&r.id.as_str()),
            Verdict::Failed | Verdict::Error => true,
        })
        .map(|r| format!("{} {}: {}", r.verdict, r.id, r.detail))
        .collect()
}

/// Every way to cut `n` bytes into reads: for each subset of the n - 1 inner
/// positions, the offsets where a read ends.
pub fn every_chunking(n: usize) -> impl Iterator<Item = Vec<usize>> {
    let inner = n.saturating_sub(1);
    (0u64..1 << inner).map(move |cuts| {
        (0..inner)
            .filter(|i| cuts >> i & 1 == 1)
            .map(|i| i + 1)
            .collect()
    })
}

/// Every registered case whose id starts with `prefix` is claimed by a
/// faulty target, and every claimed id exists: a new case cannot arrive
/// without its proof that it can fail.
pub fn assert_every_case_claimed<'a>(prefix: &str, claimed: impl IntoIterator<Item = &'a str>) {
    let claimed: BTreeSet<&str> = claimed.into_iter().collect();
    let all = registry::all();
    let unclaimed: Vec<&str> = all
        .iter()
        .map(|c| c.id.as_ref())
        .filter(|id| id.starts_with(prefix) && !claimed.contains(id))
        .collect();
    assert!(
        unclaimed.is_empty(),
        "{prefix} cases with no faulty target: {unclaimed:?}"
    );
    let unknown: Vec<&&str> = claimed
        .iter()
        .filter(|id| !all.iter().any(|c| c.id == **id))
        .collect();
    assert!(unknown.is_empty(), "faults name unknown cases: {unknown:?}");
}

/// Decode every frame of `bytes`, fed to the reader in pieces cut at `cuts`
/// (taken modulo the length), as reads would deliver them.
pub fn decode_piecewise(
    bytes: &[u8],
    cuts: &[usize],
    max_payload: u64,
) -> Result<Vec<Frame>, String> {
    let mut ends: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    ends.push(bytes.len());
    ends.sort_unstable();
    let (mut buf, mut at, mut frames) = (Vec::new(), 0, Vec::new());
    for end in ends {
        buf.extend_from_slice(&bytes[at..end]);
        at = end;
        loop {
            match decode(&buf, max_payload) {
                Decoded::Frame(f, used) => {
                    frames.push(f);
                    buf.drain(..used);
                }
                Decoded::Partial => break,
                Decoded::Invalid(e) => return Err(e),
            }
        }
    }
    if buf.is_empty() {
        Ok(frames)
    } else {
        Err(format!("{} bytes left over", buf.len()))
    }
}

/// Run the `voxproof` binary: exit code, stdout, stderr.
pub fn voxproof(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_voxproof"))
        .args(args)
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `voxproof ARGS` exits 2 with one `error: ` line naming `mentions`;
/// returns what it printed on stdout.
pub fn one_line_error(args: &[&str], mentions: &str) -> String {
    let (code, out, err) = voxproof(args);
    assert_eq!(code, 2, "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: not one line: {err}");
    assert!(
        err.starts_with("error: ") && err.contains(mentions),
        "{args:?}: {err}"
    );
    out
}
