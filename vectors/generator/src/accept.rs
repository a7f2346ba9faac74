//! `vectors/accept.json`: Sec-WebSocket-Key → Sec-WebSocket-Accept.

use super::{b64, sha1, SplitMix64};
use std::collections::BTreeMap;
use voxproof_vectors::{AcceptTest, Envelope, Expected, Group};

/// RFC 6455 §1.3: the GUID appended to the key before hashing.
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Number of pseudo-random keys; fixed so the file is stable.
pub const GENERATED_KEYS: usize = 120;

pub fn accept_of(key: &str) -> String {
    b64::encode(&sha1::digest(format!("{key}{GUID}").as_bytes()))
}

fn test(tc_id: &mut u32, comment: &str, key: &str, result: Expected, flags: &[&str]) -> AcceptTest {
    *tc_id += 1;
    AcceptTest {
        tc_id: *tc_id,
        comment: comment.to_string(),
        key: key.to_string(),
        accept: (result != Expected::Invalid).then(|| accept_of(key)),
        result,
        flags: flags.iter().map(|f| f.to_string()).collect(),
    }
}

pub fn build() -> Envelope<Group<AcceptTest>> {
    let mut id = 0;
    let rfc = vec![test(
        &mut id,
        "RFC 6455 §1.3 example: dGhlIHNhbXBsZSBub25jZQ== is 'the sample nonce'",
        "dGhlIHNhbXBsZSBub25jZQ==",
        Expected::Valid,
        &["RfcExample"],
    )];

    let mut edges = Vec::new();
    for (comment, bytes) in [
        ("16 zero bytes", [0u8; 16]),
        ("16 0xFF bytes: '/' in the encoding", [0xFF; 16]),
        ("16 0xFB bytes: '+' in the encoding", [0xFB; 16]),
        ("bytes 0..15", core::array::from_fn(|i| i as u8)),
    ] {
        edges.push(test(
            &mut id,
            comment,
            &b64::encode(&bytes),
            Expected::Valid,
            &["EdgeBytes"],
        ));
    }

    let mut rng = SplitMix64(0x766f_7870_726f_6f66); // "voxproof"
    let mut generated = Vec::new();
    for i in 0..GENERATED_KEYS {
        let mut nonce = [0u8; 16];
        rng.fill(&mut nonce);
        let comment = format!("pseudo-random 16-byte nonce #{}", i + 1);
        generated.push(test(
            &mut id,
            &comment,
            &b64::encode(&nonce),
            Expected::Valid,
            &["Generated"],
        ));
    }

    let mut invalid = Vec::new();
    for (comment, key, flags) in [
        ("empty key", "", &["Empty"][..]),
        (
            "key from a widely copied tutorial: decodes to 31 bytes, not 16",
            "dGhlIHNhbXBsZSBpbiB0aGUgZm9yIFZhcmlhYmxlIQ==",
            &["WrongLength"],
        ),
        (
            "15 bytes once decoded",
            "AAAAAAAAAAAAAAAAAAAA",
            &["WrongLength"],
        ),
        (
            "17 bytes once decoded",
            "AAAAAAAAAAAAAAAAAAAAAAA=",
            &["WrongLength"],
        ),
        (
            "32 bytes once decoded",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            &["WrongLength"],
        ),
        ("1 byte once decoded", "AA==", &["WrongLength"]),
        (
            "24 characters but not base64",
            "!!!!!!!!!!!!!!!!!!!!!!!!",
            &["NotBase64"],
        ),
        (
            "the nonce in hex, not base64",
            "74686520736170706c65206e6f6e6365",
            &["NotBase64"],
        ),
        (
            "base64url alphabet ('-' and '_') is not base64",
            "-_-_-_-_-_-_-_-_-_-_-w==",
            &["NotBase64"],
        ),
        ("padding missing", "dGhlIHNhbXBsZSBub25jZQ", &["BadPadding"]),
        (
            "one '=' where two are due",
            "dGhlIHNhbXBsZSBub25jZQ=",
            &["BadPadding"],
        ),
        ("three '='", "dGhlIHNhbXBsZSBub25jZQ===", &["BadPadding"]),
        (
            "padding in the middle",
            "dGhlIHNhbXBsZS==Bub25jZQ",
            &["BadPadding"],
        ),
        (
            "leading space",
            " dGhlIHNhbXBsZSBub25jZQ==",
            &["Whitespace"],
        ),
        (
            "trailing space",
            "dGhlIHNhbXBsZSBub25jZQ== ",
            &["Whitespace"],
        ),
        (
            "trailing tab",
            "dGhlIHNhbXBsZSBub25jZQ==\t",
            &["Whitespace"],
        ),
        ("space inside", "dGhlIHNhbXBs ZSBub25jZQ==", &["Whitespace"]),
        (
            "line break inside (MIME style)",
            "dGhlIHNhbXBsZSBu\r\nb25jZQ==",
            &["Whitespace"],
        ),
        (
            "non-ASCII character",
            "dGhlIHNhbXBsZSBub25jZ\u{e9}==",
            &["NotBase64"],
        ),
    ] {
        invalid.push(test(&mut id, comment, key, Expected::Invalid, flags));
    }

    let acceptable = vec![test(
        &mut id,
        "non-canonical: the last character carries non-zero padding bits (decodes to the RFC nonce); \
         RFC 4648 §3.5 lets a decoder reject it; the accept is computed over the key as sent",
        "dGhlIHNhbXBsZSBub25jZR==",
        Expected::Acceptable,
        &["NonCanonical"],
    )];

    let notes: BTreeMap<String, String> = [
        ("RfcExample", "The worked example of RFC 6455 §1.3, copied verbatim."),
        ("EdgeBytes", "A nonce chosen to put particular characters ('+', '/', 'A') in the key."),
        ("Generated", "A pseudo-random nonce (SplitMix64, fixed seed); the accept is computed with the SHA-1 and base64 of this crate's generator."),
        ("Empty", "An empty field value: RFC 6455 §4.1 requires a base64-encoded 16-byte value."),
        ("WrongLength", "Valid base64 that does not decode to exactly 16 bytes (RFC 6455 §4.1 step 7, §4.2.1 item 5)."),
        ("NotBase64", "Characters outside the RFC 4648 §4 alphabet."),
        ("BadPadding", "Padding missing, short, long or misplaced (RFC 4648 §3.2: padding is required)."),
        ("Whitespace", "Whitespace inside the key value itself. An HTTP parser strips whitespace around a field value (RFC 9110 §5.5) before the key reaches this check, so these values only arise when whitespace survives that step."),
        ("NonCanonical", "Encodes the right bytes with non-zero pad bits; RFC 4648 §3.5 allows decoders to reject it."),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();

    let groups = vec![
        group("RfcExample", "The RFC 6455 §1.3 worked example.", rfc),
        group("Valid", "Keys at byte-value edges.", edges),
        group("Valid", "Pseudo-random 16-byte nonces.", generated),
        group("Invalid", "Values that are not the base64 encoding of exactly 16 bytes; a server must refuse the handshake.", invalid),
        group("Acceptable", "Values a strict decoder may refuse and a lenient one may take.", acceptable),
    ];
    Envelope {
        suite: "websocket-accept".into(),
        schema: "schema/accept.schema.json".into(),
        header: crate::header(&[
            "RFC 6455 §1.3 and §4.2.2 step 5.4: Sec-WebSocket-Accept = base64(SHA-1(key + \"258EAFA5-E914-47DA-95CA-C5AB0DC85B11\")).",
            "Test 1 is the RFC's own example.",
            "The other accepts are computed by vectors/generator (SHA-1 per FIPS 180-4 and base64 per RFC 4648, written out there, sharing no code with the reference) and were cross-checked with Python's hashlib and base64 modules.",
            "Validity of a key follows RFC 6455 §4.1 ('a randomly selected 16-byte value that has been base64-encoded') and RFC 4648.",
            "Regenerate with `cargo run -p voxproof-vectors-generator`.",
        ]),
        number_of_tests: id as usize,
        notes,
        test_groups: groups,
    }
}

fn group(kind: &str, comment: &str, tests: Vec<AcceptTest>) -> Group<AcceptTest> {
    Group {
        kind: kind.into(),
        comment: comment.into(),
        tests,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc_6455_section_1_3_example() {
        assert_eq!(
            super::accept_of("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }
}
