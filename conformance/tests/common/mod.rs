//! Helpers shared by the conformance test binaries.

#![allow(dead_code)] // each test binary uses only some of them

use std::collections::BTreeSet;
use voxproof_conformance::registry;
use voxproof_conformance::wire::frame::{decode, Decoded, Frame};

/// Every registered case whose id starts with `prefix` is claimed by a
/// faulty target, and every claimed id exists: a new case cannot arrive
/// without its proof that it can fail.
pub fn assert_every_case_claimed<'a>(prefix: &str, claimed: impl IntoIterator<Item = &'a str>) {
    let claimed: BTreeSet<&str> = claimed.into_iter().collect();
    let all = registry::all();
    let unclaimed: Vec<&str> = all
        .iter()
        .map(|c| c.id.as_str())
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
