//! Law: any claims set the policy accepts, signed with a corpus key, is
//! accepted by the reference verifier under the matching validation and
//! comes back unchanged; and changing any single byte of the signed part
//! (header.payload) to any other value makes it rejected.
//!
//! Tokens are signed by the vector generator's signer
//! (`voxproof_vectors_generator::jwt::crypto`, RustCrypto crates straight),
//! never by jsonwebtoken, which the verifier checks signatures with. ES512,
//! which that signer lacks, is signed here with p521's `SigningKey`: the same
//! crate the verifier checks ES512 with, but not its code.
//!
//! Runs are deterministic: each algorithm has its own fixed seed, so a
//! failure reproduces as it is.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::{alphabet, Engine};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRng, TestRunner};
use serde_json::{Map, Value};
use voxproof_reference::auth::{verify, Policy};
use voxproof_vectors::JwtGroup;
use voxproof_vectors_generator::jwt::crypto::{from_jwk, public_jwk, sign, SignKey};

/// The registered claims (RFC 7519 §4.1); custom names avoid them.
const REGISTERED: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// The corpus key of `alg`: the private JWK of its group in
/// `vectors/jwt/algorithms.json` (ES512: RFC 7515 A.4's, in published.json).
fn corpus_key(alg: &str) -> Value {
    let file = if alg == "ES512" {
        "jwt/published.json"
    } else {
        "jwt/algorithms.json"
    };
    let files = voxproof_vectors::jwt();
    let (_, f) = files
        .iter()
        .find(|(name, _)| *name == file)
        .expect("file in the corpus");
    let group: &JwtGroup = f
        .test_groups
        .iter()
        .find(|g| g.algorithms == [alg] && g.key.get("kty").is_some())
        .unwrap_or_else(|| panic!("no {alg} key in {file}"));
    group.key.clone()
}

enum Signer {
    Corpus(SignKey),
    P521(p521::ecdsa::SigningKey),
}

impl Signer {
    fn new(alg: &str, jwk: &Value) -> Signer {
        if alg == "ES512" {
            let d = URL_SAFE_NO_PAD
                .decode(jwk["d"].as_str().expect("d"))
                .expect("base64url d");
            Signer::P521(p521::ecdsa::SigningKey::from_slice(&d).expect("P-521 scalar"))
        } else {
            Signer::Corpus(from_jwk(jwk))
        }
    }

    fn sign(&self, alg: &str, input: &[u8]) -> Vec<u8> {
        match self {
            Signer::Corpus(key) => sign(alg, key, input),
            Signer::P521(key) => {
                use p521::ecdsa::signature::Signer as _;
                let sig: p521::ecdsa::Signature = key.sign(input);
                sig.to_bytes().to_vec()
            }
        }
    }
}

/// The verifier's settings and a claims set they accept.
#[derive(Debug, Clone)]
struct Input {
    now: u64,
    leeway: u64,
    audience: Option<Vec<String>>,
    issuer: Option<String>,
    required: Vec<String>,
    typ: bool,
    claims: Map<String, Value>,
    /// Where to change the signed part (taken modulo its length) and by how
    /// much (1..=255, so the byte always changes).
    changes: Vec<(usize, u8)>,
}

/// Any text: every Unicode scalar value, controls, quotes and backslashes
/// included (the JSON encoder escapes what it must).
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter)
}

/// A NumericDate: whole seconds or quarter seconds (exact in binary, so the
/// decimal text reads back as the same number).
fn date(lo: i64, hi: i64) -> impl Strategy<Value = Value> {
    prop_oneof![
        (lo..=hi).prop_map(Value::from),
        (lo..hi, 1..4i64).prop_map(|(s, q)| Value::from(s as f64 + q as f64 / 4.0)),
    ]
}

/// Any JSON value for a custom claim: nested arrays and objects included.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1_000_000i32..1_000_000).prop_map(|q| Value::from(f64::from(q) / 4.0)),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn input() -> impl Strategy<Value = Input> {
    let settings = (
        1_000_000_000u64..2_000_000_000,
        prop_oneof![Just(0u64), 1u64..300],
        proptest::option::of(prop::collection::vec(text(), 1..3)),
        proptest::option::of(text()),
    );
    settings
        .prop_flat_map(|(now, leeway, audience, issuer)| {
            let (n, l) = (now as i64, leeway as i64);
            // What the policy requires of each claim, and what it leaves free.
            let iss = match &issuer {
                Some(want) => Just(Some(Value::from(want.clone()))).boxed(),
                None => proptest::option::of(text().prop_map(Value::from)).boxed(),
            };
            let aud = match &audience {
                // Ours somewhere among others, as a string or an array.
                Some(ours) => {
                    let ours = ours.clone();
                    (
                        0..ours.len(),
                        any::<bool>(),
                        prop::collection::vec(text(), 0..3),
                    )
                        .prop_map(move |(i, single, mut others)| {
                            if single {
                                Some(Value::from(ours[i].clone()))
                            } else {
                                let at = i % (others.len() + 1);
                                others.insert(at, ours[i].clone());
                                Some(Value::from(others))
                            }
                        })
                        .boxed()
                }
                // A verifier without an audience rejects any aud (RFC 7519 §4.1.3).
                None => Just(None).boxed(),
            };
            let claims = (
                iss,
                aud,
                // Valid while now < exp + leeway and now + leeway >= nbf.
                proptest::option::of(date(n - l + 1, n + 1_000_000)),
                proptest::option::of(date(0, n + l)),
                proptest::option::of(date(0, 4_000_000_000)),
                proptest::option::of(text().prop_map(Value::from)),
                proptest::option::of(text().prop_map(Value::from)),
                prop::collection::btree_map(
                    text().prop_filter("not a registered claim", |k| {
                        !REGISTERED.contains(&k.as_str())
                    }),
                    json_value(),
                    0..4,
                ),
            );
            (
                Just((now, leeway, audience, issuer)),
                claims,
                any::<bool>(),
                prop::collection::vec(any::<bool>(), 8),
                prop::collection::vec((any::<usize>(), 1u8..=255), 24),
            )
        })
        .prop_map(
            |(
                (now, leeway, audience, issuer),
                (iss, aud, exp, nbf, iat, sub, jti, custom),
                typ,
                require,
                changes,
            )| {
                let mut claims: Map<String, Value> = custom.into_iter().collect();
                for (name, v) in [
                    ("iss", iss),
                    ("aud", aud),
                    ("exp", exp),
                    ("nbf", nbf),
                    ("iat", iat),
                    ("sub", sub),
                    ("jti", jti),
                ] {
                    if let Some(v) = v {
                        claims.insert(name.into(), v);
                    }
                }
                // Require some of the claims present (never one that is absent).
                let required = claims
                    .keys()
                    .zip(require.iter().cycle())
                    .filter(|(_, r)| **r)
                    .map(|(k, _)| k.clone())
                    .collect();
                Input {
                    now,
                    leeway,
                    audience,
                    issuer,
                    required,
                    typ,
                    claims,
                    changes,
                }
            },
        )
}

fn policy(alg: &str, jwk: &Value, i: &Input) -> Policy {
    let mut p = Policy::jwks(&public_jwk(jwk).to_string(), &[alg])
        .expect("corpus key configures")
        .leeway(i.leeway)
        .require(i.required.iter().cloned());
    if let Some(aud) = &i.audience {
        p = p.audience(aud.iter().cloned());
    }
    if let Some(iss) = &i.issuer {
        p = p.issuer(iss.clone());
    }
    p
}

/// base64url that, unlike the verifier's, ignores the unused bits of the
/// last character: two segments it reads alike differ in those bits only.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// The signed part with byte `at` changed to `to`, as the verifier's `&str`.
/// A byte that breaks UTF-8 is read as U+FFFD, as a lossy HTTP layer would.
fn changed(signed: &str, at: usize, to: u8) -> String {
    let mut bytes = signed.as_bytes().to_vec();
    bytes[at] = to;
    String::from_utf8_lossy(&bytes).into_owned()
}

fn check(alg: &str, jwk: &Value, signer: &Signer, i: &Input) -> Result<(), TestCaseError> {
    let mut header = Map::new();
    header.insert("alg".into(), Value::from(alg));
    if i.typ {
        header.insert("typ".into(), Value::from("JWT"));
    }
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap()),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&i.claims).unwrap())
    );
    let sig = URL_SAFE_NO_PAD.encode(signer.sign(alg, signed.as_bytes()));
    let token = format!("{signed}.{sig}");
    let policy = policy(alg, jwk, i);

    let got = verify(&token, &policy, i.now).map(|c| c.into_map());
    prop_assert_eq!(got, Ok(i.claims.clone()), "token {}", token);

    // Single-byte changes: the random ones, and the bytes where a careless
    // verifier is most likely to look away — each segment's first and last
    // characters, and the dot between them.
    let dot = signed.find('.').expect("two segments");
    let mut changes = i.changes.clone();
    for at in [0, dot - 1, dot, dot + 1, signed.len() - 1] {
        changes.push((at, 1 + (at % 255) as u8));
    }
    for (at, by) in changes {
        let at = at % signed.len();
        let to = signed.as_bytes()[at].wrapping_add(by);
        let forged = format!("{}.{sig}", changed(&signed, at, to));
        prop_assert!(
            verify(&forged, &policy, i.now).is_err(),
            "byte {} changed to {:#04x} and still accepted: {}",
            at,
            to,
            forged
        );
    }

    // The last character of a segment whose length is not a multiple of 4
    // carries unused bits: other characters differing only there decode to
    // the same bytes under a lenient decoder. The verifier must still reject
    // them, both because its decoder refuses non-zero unused bits and because
    // the signature covers the text as sent, not the decoded bytes.
    for (start, end) in [(0, dot), (dot + 1, signed.len())] {
        let segment = &signed[start..end];
        let bytes = LENIENT.decode(segment).expect("our own base64url");
        let last = end - 1;
        for c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
            if *c == signed.as_bytes()[last] {
                continue;
            }
            let forged = changed(&signed, last, *c);
            if LENIENT.decode(&forged[start..end]).ok().as_ref() != Some(&bytes) {
                continue;
            }
            let forged = format!("{forged}.{sig}");
            prop_assert!(
                verify(&forged, &policy, i.now).is_err(),
                "same bytes, other text, accepted: {}",
                forged
            );
        }
    }
    Ok(())
}

/// `cases` claims sets for `alg`, from a seed of its own.
fn law(alg: &str, cases: u32) {
    let jwk = corpus_key(alg);
    let signer = Signer::new(alg, &jwk);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::from_seed(
        proptest::test_runner::RngAlgorithm::ChaCha,
        &alg.bytes()
            .chain(std::iter::repeat(0))
            .take(32)
            .collect::<Vec<u8>>(),
    );
    let mut runner = TestRunner::new_with_rng(config, rng);
    if let Err(e) = runner.run(&input(), |i| check(alg, &jwk, &signer, &i)) {
        panic!("{alg}: {e}");
    }
}

// Case counts keep the whole file at a few seconds unoptimised: RSA signing
// and P-521 arithmetic are the slow parts, so those algorithms get fewer.
#[test]
fn hs256() {
    law("HS256", 256);
}
#[test]
fn hs384() {
    law("HS384", 256);
}
#[test]
fn hs512() {
    law("HS512", 256);
}
#[test]
fn rs256() {
    law("RS256", 48);
}
#[test]
fn rs384() {
    law("RS384", 48);
}
#[test]
fn rs512() {
    law("RS512", 48);
}
#[test]
fn ps256() {
    law("PS256", 48);
}
#[test]
fn ps384() {
    law("PS384", 48);
}
#[test]
fn ps512() {
    law("PS512", 48);
}
#[test]
fn es256() {
    law("ES256", 128);
}
#[test]
fn es384() {
    law("ES384", 128);
}
#[test]
fn es512() {
    law("ES512", 48);
}
#[test]
fn eddsa() {
    law("EdDSA", 128);
}
