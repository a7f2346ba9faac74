//! Minting tokens for the auth cases with the suite's own code
//! ([docs/auth.md](../../../../docs/auth.md#the-auth-cases)).

use crate::target::{AuthSettings, Key, Target, TokenIn};
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, AlgorithmFamily, EncodingKey};
use serde_json::{json, Map, Value};
use std::str::FromStr;

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Standard alphabet (`+`, `/`), which base64url forbids.
pub fn b64_standard(bytes: &[u8]) -> String {
    STANDARD_NO_PAD.encode(bytes)
}

/// A Claims Set the target should accept at `now`.
pub fn claims(s: &AuthSettings, now: u64) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert("sub".into(), json!("voxproof-conformance"));
    c.insert("iat".into(), json!(now));
    c.insert("exp".into(), json!(now + 600));
    c.insert("rooms".into(), json!("*"));
    if let Some(aud) = &s.aud {
        c.insert("aud".into(), json!(aud));
    }
    if let Some(iss) = &s.iss {
        c.insert("iss".into(), json!(iss));
    }
    c
}

/// The header the target should accept.
pub fn header(alg: &str) -> Value {
    json!({"alg": alg, "typ": "JWT"})
}

/// The signature (base64url) of `input` under `alg` with the settings' key.
pub fn sign(s: &AuthSettings, alg: &str, input: &str) -> Result<String, String> {
    let algorithm = Algorithm::from_str(alg).map_err(|_| format!("cannot sign with {alg}"))?;
    let key = match (&s.key, algorithm.family()) {
        (Key::Secret(k), AlgorithmFamily::Hmac) => EncodingKey::from_secret(k),
        (Key::PrivatePem(p), AlgorithmFamily::Rsa) => {
            EncodingKey::from_rsa_pem(p).map_err(|e| format!("RSA private key: {e}"))?
        }
        (Key::PrivatePem(p), AlgorithmFamily::Ec) => {
            EncodingKey::from_ec_pem(p).map_err(|e| format!("EC private key: {e}"))?
        }
        (Key::PrivatePem(p), AlgorithmFamily::Ed) => {
            EncodingKey::from_ed_pem(p).map_err(|e| format!("Ed25519 private key: {e}"))?
        }
        _ => return Err(format!("the key given does not suit {alg}")),
    };
    jsonwebtoken::crypto::sign(input.as_bytes(), &key, algorithm)
        .map_err(|e| format!("signing with {alg} failed: {e}"))
}

/// `segments` joined by dots, signed under `alg`: `h.p.sig`.
pub fn signed(s: &AuthSettings, alg: &str, h: &str, p: &str) -> Result<String, String> {
    let input = format!("{h}.{p}");
    let sig = sign(s, alg, &input)?;
    Ok(format!("{input}.{sig}"))
}

/// A compact JWS of `header` and `payload`, signed with the settings' alg.
pub fn jws(s: &AuthSettings, header: &Value, payload: &[u8]) -> Result<String, String> {
    signed(
        s,
        &s.alg,
        &b64(header.to_string().as_bytes()),
        &b64(payload),
    )
}

/// A token the target should accept, with `edit` applied to its claims.
pub fn token(
    s: &AuthSettings,
    now: u64,
    edit: impl FnOnce(&mut Map<String, Value>),
) -> Result<String, String> {
    let mut c = claims(s, now);
    edit(&mut c);
    jws(s, &header(&s.alg), Value::Object(c).to_string().as_bytes())
}

/// The public key PEM of the settings' private key, for HMAC-keyed-with-the-
/// public-key attacks: as given, or derived for RSA (SubjectPublicKeyInfo).
pub fn public_pem(s: &AuthSettings) -> Result<Vec<u8>, String> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
    if let Some(p) = &s.public_pem {
        return Ok(p.clone());
    }
    let Key::PrivatePem(pem) = &s.key else {
        return Err("the key is a shared secret".into());
    };
    let text = std::str::from_utf8(pem).map_err(|_| "the private key is not PEM text")?;
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(text)
        .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(text))
        .map_err(|_| "not an RSA key: pass its public key with --jwt-public-key")?;
    key.to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map(String::into_bytes)
        .map_err(|e| e.to_string())
}

/// A different algorithm the same key can sign with, which a target pinned
/// to `alg` must refuse.
pub fn sibling_alg(alg: &str) -> Option<&'static str> {
    Some(match alg {
        "HS256" => "HS512",
        "HS384" | "HS512" => "HS256",
        "RS256" => "RS512",
        "RS384" | "RS512" | "PS256" | "PS384" | "PS512" => "RS256",
        _ => return None,
    })
}

/// The handshake request carrying `token` (or none) to `target`.
pub fn request(target: &Target, token: Option<&str>, carrier: TokenIn, key: &str) -> Vec<u8> {
    let mut resource = target.resource.clone();
    let mut extra = String::new();
    if let Some(t) = token {
        match carrier {
            TokenIn::Header => extra = format!("Authorization: Bearer {t}\r\n"),
            TokenIn::Query => {
                resource.push(if resource.contains('?') { '&' } else { '?' });
                resource.push_str("access_token=");
                resource.extend(url::form_urlencoded::byte_serialize(t.as_bytes()));
            }
            // The user's subprotocol (--subprotocol) is offered first.
            TokenIn::Protocol => {
                let offered = match &target.shape.subprotocol {
                    Some(p) => format!("{p}, bearer.{t}"),
                    None => format!("bearer.{t}"),
                };
                extra = format!("Sec-WebSocket-Protocol: {offered}\r\n");
            }
        }
    }
    let request = format!(
        "GET {resource} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n",
        target.authority
    );
    target.shape.apply(request.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> AuthSettings {
        AuthSettings {
            key: Key::Secret(b"0123456789abcdef0123456789abcdef".to_vec()),
            public_pem: None,
            alg: "HS256".into(),
            aud: Some("a".into()),
            iss: None,
            token_in: TokenIn::Header,
            target: None,
        }
    }

    #[test]
    fn tokens_have_three_segments_and_the_settings_claims() {
        let t = token(&settings(), 1000, |c| {
            c.insert("x".into(), json!(1));
        })
        .unwrap();
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        let c: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(c["aud"], "a");
        assert_eq!(c["exp"], 1600);
        assert_eq!(c["x"], 1);
        // HMAC-SHA-256: 32 bytes.
        assert_eq!(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().len(), 32);
    }

    #[test]
    fn query_tokens_are_escaped() {
        let target = Target::parse("ws://127.0.0.1:9/echo?x=1").unwrap();
        let r = request(&target, Some("a b"), TokenIn::Query, "k");
        assert!(String::from_utf8(r)
            .unwrap()
            .starts_with("GET /echo?x=1&access_token=a+b HTTP/1.1"));
    }
}
