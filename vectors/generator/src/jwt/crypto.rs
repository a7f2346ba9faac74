//! Signing and checking for the JWT generator, straight on the RustCrypto
//! crates (RFC 7518 §3), never through jsonwebtoken or the reference.

use crate::SplitMix64;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer, Verifier};
use rsa::{BigUint, RsaPrivateKey};
use serde_json::{json, Value};
use sha2::{Sha256, Sha384, Sha512};

pub fn b64u(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

pub fn unb64u(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(text)
        .unwrap_or_else(|e| panic!("generator constant {text:?} is not base64url: {e}"))
}

/// Private key material for every algorithm the generator signs with.
pub enum SignKey {
    Hmac(Vec<u8>),
    Rsa(Box<RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

/// A CSPRNG stand-in with a fixed seed, so PSS salts (and so PSS signatures)
/// are reproducible and the committed files can be compared byte for byte.
/// Only ever used to make test vectors.
struct FixedRng(SplitMix64);

impl rand_core::RngCore for FixedRng {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill(dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.fill(dest);
        Ok(())
    }
}
impl rand_core::CryptoRng for FixedRng {}

fn hmac_sha256(key: &[u8], input: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key size");
    mac.update(input);
    mac.finalize().into_bytes().to_vec()
}

fn hmac_sha384(key: &[u8], input: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha384>::new_from_slice(key).expect("any key size");
    mac.update(input);
    mac.finalize().into_bytes().to_vec()
}

fn hmac_sha512(key: &[u8], input: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha512>::new_from_slice(key).expect("any key size");
    mac.update(input);
    mac.finalize().into_bytes().to_vec()
}

/// Signs `input` (the JWS Signing Input) with `alg`. ECDSA uses RFC 6979
/// deterministic nonces; PSS draws its salt from a fixed-seed generator keyed
/// by the input, so every output is reproducible.
pub fn sign(alg: &str, key: &SignKey, input: &[u8]) -> Vec<u8> {
    let mut rng = FixedRng(SplitMix64(
        input
            .iter()
            .fold(0x6a77_7473u64, |h, &b| h.rotate_left(5) ^ u64::from(b)),
    ));
    match (alg, key) {
        ("HS256", SignKey::Hmac(k)) => hmac_sha256(k, input),
        ("HS384", SignKey::Hmac(k)) => hmac_sha384(k, input),
        ("HS512", SignKey::Hmac(k)) => hmac_sha512(k, input),
        ("RS256", SignKey::Rsa(k)) => rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone())
            .sign(input)
            .to_vec(),
        ("RS384", SignKey::Rsa(k)) => rsa::pkcs1v15::SigningKey::<Sha384>::new((**k).clone())
            .sign(input)
            .to_vec(),
        ("RS512", SignKey::Rsa(k)) => rsa::pkcs1v15::SigningKey::<Sha512>::new((**k).clone())
            .sign(input)
            .to_vec(),
        ("PS256", SignKey::Rsa(k)) => rsa::pss::SigningKey::<Sha256>::new((**k).clone())
            .sign_with_rng(&mut rng, input)
            .to_vec(),
        ("PS384", SignKey::Rsa(k)) => rsa::pss::SigningKey::<Sha384>::new((**k).clone())
            .sign_with_rng(&mut rng, input)
            .to_vec(),
        ("PS512", SignKey::Rsa(k)) => rsa::pss::SigningKey::<Sha512>::new((**k).clone())
            .sign_with_rng(&mut rng, input)
            .to_vec(),
        ("ES256", SignKey::P256(k)) => {
            let s: p256::ecdsa::Signature = k.sign(input);
            s.to_bytes().to_vec()
        }
        ("ES384", SignKey::P384(k)) => {
            let s: p384::ecdsa::Signature = k.sign(input);
            s.to_bytes().to_vec()
        }
        ("EdDSA", SignKey::Ed25519(k)) => k.sign(input).to_bytes().to_vec(),
        _ => panic!("generator cannot sign {alg} with this key"),
    }
}

/// Checks a signature independently of the code under test: used on the
/// RFCs' published (randomized) signatures before they enter the corpus.
pub fn verify(alg: &str, key: &SignKey, input: &[u8], sig: &[u8]) -> bool {
    match (alg, key) {
        ("HS256" | "HS384" | "HS512", SignKey::Hmac(_)) => sign(alg, key, input) == sig,
        ("RS256", SignKey::Rsa(k)) => rsa::pkcs1v15::Signature::try_from(sig).is_ok_and(|s| {
            rsa::pkcs1v15::VerifyingKey::<Sha256>::new(k.to_public_key())
                .verify(input, &s)
                .is_ok()
        }),
        ("PS256", SignKey::Rsa(k)) => rsa::pss::Signature::try_from(sig).is_ok_and(|s| {
            rsa::pss::VerifyingKey::<Sha256>::new(k.to_public_key())
                .verify(input, &s)
                .is_ok()
        }),
        ("PS384", SignKey::Rsa(k)) => rsa::pss::Signature::try_from(sig).is_ok_and(|s| {
            rsa::pss::VerifyingKey::<Sha384>::new(k.to_public_key())
                .verify(input, &s)
                .is_ok()
        }),
        ("ES256", SignKey::P256(k)) => p256::ecdsa::Signature::from_slice(sig)
            .is_ok_and(|s| k.verifying_key().verify(input, &s).is_ok()),
        ("ES384", SignKey::P384(k)) => p384::ecdsa::Signature::from_slice(sig)
            .is_ok_and(|s| k.verifying_key().verify(input, &s).is_ok()),
        ("EdDSA", SignKey::Ed25519(k)) => ed25519_dalek::Signature::from_slice(sig)
            .is_ok_and(|s| k.verifying_key().verify(input, &s).is_ok()),
        _ => panic!("generator cannot check {alg} with this key"),
    }
}

fn member<'a>(jwk: &'a Value, name: &str) -> &'a str {
    jwk[name]
        .as_str()
        .unwrap_or_else(|| panic!("JWK lacks {name}"))
}

fn uint(jwk: &Value, name: &str) -> BigUint {
    BigUint::from_bytes_be(&unb64u(member(jwk, name)))
}

/// Private key from a JWK (RFC 7518 §6).
pub fn from_jwk(jwk: &Value) -> SignKey {
    match member(jwk, "kty") {
        "oct" => SignKey::Hmac(unb64u(member(jwk, "k"))),
        "RSA" => SignKey::Rsa(Box::new(
            RsaPrivateKey::from_components(
                uint(jwk, "n"),
                uint(jwk, "e"),
                uint(jwk, "d"),
                vec![uint(jwk, "p"), uint(jwk, "q")],
            )
            .expect("published RSA key is consistent"),
        )),
        "EC" => {
            let d = unb64u(member(jwk, "d"));
            match member(jwk, "crv") {
                "P-256" => SignKey::P256(p256::ecdsa::SigningKey::from_slice(&d).expect("P-256 d")),
                "P-384" => SignKey::P384(p384::ecdsa::SigningKey::from_slice(&d).expect("P-384 d")),
                crv => panic!("generator has no curve {crv}"),
            }
        }
        "OKP" => {
            let d: [u8; 32] = unb64u(member(jwk, "d")).try_into().expect("32-byte seed");
            SignKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&d))
        }
        kty => panic!("generator has no key type {kty}"),
    }
}

/// The public half of a private JWK, members in RFC order.
pub fn public_jwk(jwk: &Value) -> Value {
    let keep: &[&str] = match member(jwk, "kty") {
        "RSA" => &["kty", "kid", "n", "e"],
        "EC" => &["kty", "kid", "crv", "x", "y"],
        "OKP" => &["kty", "kid", "crv", "x"],
        _ => &["kty", "kid", "k"],
    };
    let mut out = serde_json::Map::new();
    for name in keep {
        if let Some(v) = jwk.get(*name) {
            out.insert((*name).to_string(), v.clone());
        }
    }
    Value::Object(out)
}

/// SubjectPublicKeyInfo PEM of an RSA or EC key (RFC 7468 §13).
pub fn public_pem(key: &SignKey) -> String {
    use p256::pkcs8::EncodePublicKey as _;
    use rsa::pkcs8::LineEnding;
    match key {
        SignKey::Rsa(k) => {
            rsa::pkcs8::EncodePublicKey::to_public_key_pem(&k.to_public_key(), LineEnding::LF)
                .expect("RSA SPKI")
        }
        SignKey::P256(k) => k
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("P-256 SPKI"),
        _ => panic!("no PEM form needed for this key"),
    }
}

/// Uncompressed SEC1 point of a P-256 key, as JWK members.
pub fn p256_jwk(d: &[u8], kid: Option<&str>) -> Value {
    let sk = p256::ecdsa::SigningKey::from_slice(d).expect("P-256 scalar");
    let point = sk.verifying_key().to_encoded_point(false);
    let mut v = json!({
        "kty": "EC",
        "crv": "P-256",
        "x": b64u(point.x().expect("x")),
        "y": b64u(point.y().expect("y")),
        "d": b64u(d),
    });
    if let Some(kid) = kid {
        v["kid"] = json!(kid);
    }
    v
}

/// As [`p256_jwk`] for P-384.
pub fn p384_jwk(d: &[u8], kid: Option<&str>) -> Value {
    let sk = p384::ecdsa::SigningKey::from_slice(d).expect("P-384 scalar");
    let point = sk.verifying_key().to_encoded_point(false);
    let mut v = json!({
        "kty": "EC",
        "crv": "P-384",
        "x": b64u(point.x().expect("x")),
        "y": b64u(point.y().expect("y")),
        "d": b64u(d),
    });
    if let Some(kid) = kid {
        v["kid"] = json!(kid);
    }
    v
}

/// An Ed25519 JWK (RFC 8037 §2) from a 32-byte seed.
pub fn ed25519_jwk(d: &[u8; 32]) -> Value {
    let sk = ed25519_dalek::SigningKey::from_bytes(d);
    json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64u(sk.verifying_key().as_bytes()),
        "d": b64u(d),
    })
}

/// The order n of P-256 (SEC 2 §2.4.2).
pub const P256_N: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
];

/// The order n of P-384 (SEC 2 §2.5.1).
pub const P384_N: [u8; 48] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xC7, 0x63, 0x4D, 0x81, 0xF4, 0x37, 0x2D, 0xDF,
    0x58, 0x1A, 0x0D, 0xB2, 0x48, 0xB0, 0xA7, 0x7A, 0xEC, 0xEC, 0x19, 0x6A, 0xCC, 0xC5, 0x29, 0x73,
];

/// a − b for big-endian numbers of equal width (a ≥ b).
pub fn sub_be(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len()];
    let mut borrow = 0i16;
    for i in (0..a.len()).rev() {
        let mut d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = 0;
        if d < 0 {
            d += 256;
            borrow = 1;
        }
        out[i] = d as u8;
    }
    assert_eq!(borrow, 0, "sub_be: a < b");
    out
}

/// ASN.1 DER `Ecdsa-Sig-Value` (RFC 3279 §2.2.3), the form RFC 7518 §3.4
/// rules out for JWS.
pub fn der_ecdsa(raw: &[u8]) -> Vec<u8> {
    fn integer(bytes: &[u8]) -> Vec<u8> {
        let mut v: Vec<u8> = bytes.iter().copied().skip_while(|&b| b == 0).collect();
        if v.first().is_none_or(|&b| b & 0x80 != 0) {
            v.insert(0, 0);
        }
        let mut out = vec![0x02, v.len() as u8];
        out.extend(v);
        out
    }
    let half = raw.len() / 2;
    let mut body = integer(&raw[..half]);
    body.extend(integer(&raw[half..]));
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}
