//! Writes the computed vector files from the specifications alone, sharing no
//! code with the implementations they test (docs/vectors.md, "Generated files").

pub mod accept;
pub mod b64;
pub mod frames;
pub mod g711;
pub mod jwt;
pub mod sha1;

/// A small deterministic generator (SplitMix64) so regenerated files are stable.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// A file's `header`: one sentence per element, as Wycheproof writes it.
pub fn header(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

/// Pretty JSON with a trailing newline, the form every committed file has.
pub fn to_json<T: serde::Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("vector values serialize");
    s.push('\n');
    s
}

/// Every generated file: (path relative to `vectors/`, contents). `dir` is
/// the `vectors/` directory, for generators that derive files from recorded
/// sources kept there.
pub fn outputs(dir: &std::path::Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = vec![(
        "accept.json".to_string(),
        to_json(&accept::build()).into_bytes(),
    )];
    out.push((
        "frames/client.json".to_string(),
        to_json(&frames::build()).into_bytes(),
    ));
    out.extend(g711::outputs(dir)?);
    for (name, file) in jwt::build_all() {
        out.push((name.to_string(), to_json(&file).into_bytes()));
    }
    Ok(out)
}
