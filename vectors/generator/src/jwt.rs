//! `vectors/jwt/*.json`: JWT and JWS verification vectors, built and signed independently of the
//! verifier ([docs/jwt.md](../../../docs/jwt.md#where-the-expected-values-come-from)).

pub mod algorithms;
pub mod attacks;
pub mod claims;
pub mod crypto;
pub mod header;
pub mod published;

use crypto::{b64u, sign, SignKey};
use serde_json::{json, Value};
use sha2::Digest;
use std::collections::BTreeMap;
use voxproof_vectors::jwt::{JwtGroup, JwtTest, Validation, JWS_VERIFY, JWT_VERIFY};
use voxproof_vectors::{Envelope, Expected};

/// The clock of every generated group: 2023-11-14T22:13:20Z.
pub const NOW: u64 = 1_700_000_000;

/// RFC 7515 Appendix A.1 (and RFC 7519 §3.1, RFC 7797 §4) HMAC key.
pub fn key_a1() -> Value {
    json!({"kty": "oct", "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})
}

/// RFC 7515 Appendix A.2 RSA key.
pub fn key_a2() -> Value {
    json!({
        "kty": "RSA",
        "n": "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
        "e": "AQAB",
        "d": "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ",
        "p": "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc",
        "q": "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc",
        "dp": "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0",
        "dq": "h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU",
        "qi": "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U"
    })
}

/// RFC 7515 Appendix A.3 P-256 key.
pub fn key_a3() -> Value {
    json!({
        "kty": "EC",
        "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        "d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"
    })
}

/// RFC 8037 Appendix A.1 Ed25519 key.
pub fn key_ed25519() -> Value {
    json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    })
}

/// A P-384 key (no RFC publishes one for JWS): the scalar is SHA-384 of a
/// fixed label, so anyone can recompute it.
pub fn key_p384() -> Value {
    crypto::p384_jwk(&sha2::Sha384::digest(b"voxproof ES384 test key"), None)
}

/// Keys an attacker holds: same types as the configured ones, different values.
pub fn attacker_hmac() -> Value {
    json!({"kty": "oct", "k": b64u(&sha2::Sha512::digest(b"voxproof attacker HMAC key"))})
}
pub fn attacker_p256() -> Value {
    crypto::p256_jwk(&sha2::Sha256::digest(b"voxproof attacker P-256 key"), None)
}
pub fn attacker_p384() -> Value {
    crypto::p384_jwk(&sha2::Sha384::digest(b"voxproof attacker P-384 key"), None)
}
pub fn attacker_ed25519() -> Value {
    crypto::ed25519_jwk(&sha2::Sha256::digest(b"voxproof attacker Ed25519 key").into())
}

/// Builds tests for one file, numbering them from 1.
#[derive(Default)]
pub struct Tests {
    next: u32,
}

impl Tests {
    pub fn test(
        &mut self,
        comment: impl Into<String>,
        token: impl Into<String>,
        result: Expected,
        error: Option<&str>,
        flags: &[&str],
    ) -> JwtTest {
        if let Some(e) = error {
            assert!(
                voxproof_vectors::jwt::ERRORS.contains(&e),
                "unknown error {e}"
            );
        }
        // Invalid and acceptable tests name an error; valid ones do not.
        assert_eq!(error.is_some(), result != Expected::Valid);
        self.next += 1;
        JwtTest {
            tc_id: self.next,
            comment: comment.into(),
            token: token.into(),
            result,
            flags: flags.iter().map(|f| f.to_string()).collect(),
            error: error.map(str::to_string),
            claims: None,
            payload: None,
        }
    }

    pub fn valid(
        &mut self,
        comment: impl Into<String>,
        token: impl Into<String>,
        flags: &[&str],
    ) -> JwtTest {
        self.test(comment, token, Expected::Valid, None, flags)
    }

    pub fn invalid(
        &mut self,
        comment: impl Into<String>,
        token: impl Into<String>,
        error: &str,
        flags: &[&str],
    ) -> JwtTest {
        self.test(comment, token, Expected::Invalid, Some(error), flags)
    }

    /// The RFCs allow accepting or rejecting; `error` is what a rejecting
    /// verifier reports.
    pub fn acceptable(
        &mut self,
        comment: impl Into<String>,
        token: impl Into<String>,
        error: &str,
        flags: &[&str],
    ) -> JwtTest {
        self.test(comment, token, Expected::Acceptable, Some(error), flags)
    }
}

/// Decodes a segment the way a lenient decoder would (padding and whitespace
/// dropped), to record what an accepting verifier sees.
fn lenient_b64u(seg: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let cleaned: String = seg
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
    )
    .decode(cleaned)
    .ok()
}

/// A group; valid and acceptable tests get the claims (JWT) or payload (JWS)
/// an accepting verifier returns, read from the token's payload segment (for
/// duplicate names, the lexically last wins, as RFC 7519 §4 allows).
pub fn group(
    kind: &str,
    comment: &str,
    key: Value,
    key_pem: Option<String>,
    algorithms: &[&str],
    validation: Option<Validation>,
    mut tests: Vec<JwtTest>,
) -> JwtGroup {
    for t in &mut tests {
        if t.result == Expected::Invalid {
            continue;
        }
        let payload = t.token.split('.').nth(1).and_then(lenient_b64u);
        if kind == JWT_VERIFY {
            t.claims = payload
                .and_then(|p| serde_json::from_slice::<Value>(&p).ok())
                .filter(Value::is_object);
            assert!(
                t.claims.is_some() || t.result == Expected::Acceptable,
                "valid test {} has no claims",
                t.tc_id
            );
        } else {
            t.payload = Some(String::from_utf8(payload.expect("payload")).expect("UTF-8 payload"));
        }
    }
    JwtGroup {
        kind: kind.into(),
        comment: comment.into(),
        key,
        key_pem,
        algorithms: algorithms.iter().map(|a| a.to_string()).collect(),
        validation,
        tests,
    }
}

/// Validation at [`NOW`] with no leeway and nothing required.
pub fn at_now() -> Validation {
    Validation {
        now: NOW,
        leeway: 0,
        aud: None,
        iss: None,
        required: vec![],
    }
}

/// Compact serialization of `header` and `payload` (raw JSON texts), signed.
pub fn token(header: &str, payload: &str, alg: &str, key: &SignKey) -> String {
    token_bytes(header.as_bytes(), payload.as_bytes(), alg, key)
}

pub fn token_bytes(header: &[u8], payload: &[u8], alg: &str, key: &SignKey) -> String {
    signed(&b64u(header), &b64u(payload), alg, key)
}

/// Signs already-encoded segments (which may be deliberately malformed).
pub fn signed(header_seg: &str, payload_seg: &str, alg: &str, key: &SignKey) -> String {
    let input = format!("{header_seg}.{payload_seg}");
    let sig = sign(alg, key, input.as_bytes());
    format!("{input}.{}", b64u(&sig))
}

/// Replaces the signature segment.
pub fn with_sig(token: &str, sig: &str) -> String {
    let (input, _) = token.rsplit_once('.').expect("three segments");
    format!("{input}.{sig}")
}

/// Replaces the payload segment, keeping header and signature.
pub fn with_payload(token: &str, payload: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    format!("{}.{}.{}", parts[0], b64u(payload.as_bytes()), parts[2])
}

/// The signature bytes of a token.
pub fn sig_of(token: &str) -> Vec<u8> {
    crypto::unb64u(token.rsplit('.').next().expect("segment"))
}

/// Flips the lowest bit of the signature's last byte.
pub fn flip_sig(token: &str) -> String {
    let mut sig = sig_of(token);
    *sig.last_mut().expect("non-empty signature") ^= 1;
    with_sig(token, &b64u(&sig))
}

pub fn notes(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
    entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn envelope(
    suite: &str,
    header: &[&str],
    notes: BTreeMap<String, String>,
    groups: Vec<JwtGroup>,
) -> Envelope<JwtGroup> {
    let used: std::collections::BTreeSet<&String> = groups
        .iter()
        .flat_map(|g| g.tests.iter().flat_map(|t| t.flags.iter()))
        .collect();
    for flag in &used {
        assert!(
            notes.contains_key(*flag),
            "{suite}: flag {flag} has no note"
        );
    }
    for flag in notes.keys() {
        assert!(used.contains(flag), "{suite}: note {flag} is unused");
    }
    Envelope {
        suite: suite.into(),
        schema: "schema/jwt.schema.json".into(),
        header: crate::header(header),
        number_of_tests: groups.iter().map(|g| g.tests.len()).sum(),
        notes,
        test_groups: groups,
    }
}

/// Every JWT file: (path under `vectors/`, contents).
pub fn build_all() -> Vec<(&'static str, Envelope<JwtGroup>)> {
    vec![
        ("jwt/published.json", published::build()),
        ("jwt/algorithms.json", algorithms::build()),
        ("jwt/claims.json", claims::build()),
        ("jwt/header.json", header::build()),
        ("jwt/attacks.json", attacks::build()),
    ]
}

pub const JWT: &str = JWT_VERIFY;
pub const JWS: &str = JWS_VERIFY;
