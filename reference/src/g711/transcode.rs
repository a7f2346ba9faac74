//! Direct A-law ↔ µ-law conversion with G.711's conversion tables
//! ([docs/g711.md](../../../docs/g711.md#transcoding)).

//= https://www.itu.int/rec/T-REC-G.711 Table 3 (µ-law to A-law)
/// G.711 Table 3: µ-law decoder output value number (index, 0–127) → A-law
/// decoder output value number (1–128).
const TABLE_3_ULAW_TO_ALAW: [u8; 128] = [
    1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, //
    9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, //
    25, 27, 29, 31, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, //
    46, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, //
    64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, //
    80, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, //
    97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, //
    113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128,
];

//= https://www.itu.int/rec/T-REC-G.711 Table 4 (A-law to µ-law)
/// G.711 Table 4: A-law decoder output value number (index + 1, 1–128) →
/// µ-law decoder output value number (0–127).
const TABLE_4_ALAW_TO_ULAW: [u8; 128] = [
    1, 3, 5, 7, 9, 11, 13, 15, 16, 17, 18, 19, 20, 21, 22, 23, //
    24, 25, 26, 27, 28, 29, 30, 31, 32, 32, 33, 33, 34, 34, 35, 35, //
    36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 48, 49, 49, //
    50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 64, //
    65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, //
    80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, //
    96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, //
    112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127,
];

const fn build_ulaw_to_alaw() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut code = 0;
    while code < 256 {
        let sign = code as u8 & 0x80;
        // µ-law transmits the complement of the value number (Table 2).
        let number = (!(code as u8) & 0x7F) as usize;
        // A-law code bits are the value number − 1, even bits inverted (Table 1).
        t[code] = ((TABLE_3_ULAW_TO_ALAW[number] - 1) | sign) ^ 0x55;
        code += 1;
    }
    t
}

const fn build_alaw_to_ulaw() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut code = 0;
    while code < 256 {
        let sign = code as u8 & 0x80;
        let index = ((code as u8 ^ 0x55) & 0x7F) as usize;
        t[code] = (!TABLE_4_ALAW_TO_ULAW[index] & 0x7F) | sign;
        code += 1;
    }
    t
}

use super::codec::lookup_bytes;

static ULAW_TO_ALAW: [u8; 256] = build_ulaw_to_alaw();
static ALAW_TO_ULAW: [u8; 256] = build_alaw_to_ulaw();

/// A-law code for one µ-law code (G.711 Table 3).
#[inline]
pub fn ulaw_to_alaw_sample(code: u8) -> u8 {
    ULAW_TO_ALAW[code as usize]
}

/// µ-law code for one A-law code (G.711 Table 4).
#[inline]
pub fn alaw_to_ulaw_sample(code: u8) -> u8 {
    ALAW_TO_ULAW[code as usize]
}

fn same_length(what: &str, input: usize, output: usize) {
    assert_eq!(
        input, output,
        "{what}: input has {input} codes but output has room for {output}"
    );
}

/// Converts a µ-law frame to A-law. Panics if the slices differ in length.
pub fn ulaw_to_alaw(input: &[u8], output: &mut [u8]) {
    same_length("ulaw_to_alaw", input.len(), output.len());
    lookup_bytes(&ULAW_TO_ALAW, input, output);
}

/// Converts an A-law frame to µ-law. Panics if the slices differ in length.
pub fn alaw_to_ulaw(input: &[u8], output: &mut [u8]) {
    same_length("alaw_to_ulaw", input.len(), output.len());
    lookup_bytes(&ALAW_TO_ULAW, input, output);
}

/// Converts a µ-law frame to a new A-law frame.
pub fn ulaw_to_alaw_vec(input: &[u8]) -> Vec<u8> {
    let mut out = vec![0; input.len()];
    ulaw_to_alaw(input, &mut out);
    out
}

/// Converts an A-law frame to a new µ-law frame.
pub fn alaw_to_ulaw_vec(input: &[u8]) -> Vec<u8> {
    let mut out = vec![0; input.len()];
    alaw_to_ulaw(input, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::g711::codec::{decode_alaw_sample, decode_ulaw_sample};
    use crate::g711::codec::{encode_alaw_sample, encode_ulaw_sample};

    // The counts the module doc states, from the two tables themselves.
    #[test]
    fn differs_from_decode_then_encode_where_g711_says() {
        let u2a = (0..=255u8)
            .filter(|&c| ulaw_to_alaw_sample(c) != encode_alaw_sample(decode_ulaw_sample(c)))
            .count();
        let a2u = (0..=255u8)
            .filter(|&c| alaw_to_ulaw_sample(c) != encode_ulaw_sample(decode_alaw_sample(c)))
            .count();
        assert_eq!((u2a, a2u), (44, 32));
    }

    #[test]
    fn sign_is_kept() {
        for c in 0..=255u8 {
            assert_eq!(ulaw_to_alaw_sample(c) & 0x80, c & 0x80);
            assert_eq!(alaw_to_ulaw_sample(c) & 0x80, c & 0x80);
        }
    }
}
