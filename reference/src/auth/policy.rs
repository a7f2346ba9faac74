//! What a verifier is configured with: keys, the algorithms it accepts, and
//! how claims are validated. The token never chooses any of these.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};
use p521::ecdsa::VerifyingKey as P521Key;
use p521::pkcs8::DecodePublicKey;
use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// A configuration the verifier refuses to run with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    /// An algorithm name the verifier does not implement (none, ES256K, …).
    UnsupportedAlgorithm(String),
    /// No algorithm configured.
    NoAlgorithm,
    /// A key that does not parse, or does not suit the configured algorithms.
    BadKey(String),
    /// An HMAC key shorter than the hash output.
    WeakKey { bytes: usize, needed: usize },
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            PolicyError::UnsupportedAlgorithm(a) => write!(f, "unsupported algorithm {a}"),
            PolicyError::NoAlgorithm => f.write_str("no algorithm configured"),
            PolicyError::BadKey(why) => write!(f, "unusable key: {why}"),
            PolicyError::WeakKey { bytes, needed } => {
                write!(f, "HMAC key of {bytes} bytes, {needed} needed")
            }
        }
    }
}

impl std::error::Error for PolicyError {}

/// An algorithm the verifier can be configured with: one of jsonwebtoken's,
/// or ES512, which jsonwebtoken lacks and p521 provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Alg {
    Jwt(Algorithm),
    Es512,
}

impl Alg {
    /// The algorithm named exactly `name` (case-sensitive, RFC 7515 §4.1.1).
    pub fn from_name(name: &str) -> Option<Alg> {
        match name {
            "ES512" => Some(Alg::Es512),
            _ => Algorithm::from_str(name).ok().map(Alg::Jwt),
        }
    }

    fn family(self) -> AlgorithmFamily {
        match self {
            Alg::Jwt(a) => a.family(),
            Alg::Es512 => AlgorithmFamily::Ec,
        }
    }
}

/// Public key material: what jsonwebtoken checks, or a P-521 key for ES512.
pub(crate) enum Key {
    Jwt(DecodingKey),
    P521(P521Key),
}

pub(crate) struct ConfiguredKey {
    pub kid: Option<String>,
    pub key: Key,
    /// The JWK's own `alg`, which restricts the key to that algorithm
    /// (RFC 7517 §4.4).
    pub alg: Option<Alg>,
}

impl ConfiguredKey {
    /// Whether this key can check signatures made with `alg`.
    pub fn serves(&self, alg: Alg) -> bool {
        let kind = match (&self.key, alg) {
            (Key::P521(_), Alg::Es512) => true,
            (Key::Jwt(k), Alg::Jwt(a)) => k.family() == a.family(),
            _ => false,
        };
        kind && self.alg.is_none_or(|a| a == alg)
    }
}

/// Keys, algorithms and claim rules for [`super::verify()`].
pub struct Policy {
    pub(crate) keys: Vec<ConfiguredKey>,
    pub(crate) algorithms: Vec<Alg>,
    pub(crate) audience: Option<Vec<String>>,
    pub(crate) issuer: Option<String>,
    pub(crate) leeway: u64,
    pub(crate) required: Vec<String>,
}

fn parse_algorithm(name: &str) -> Result<Alg, PolicyError> {
    Alg::from_name(name).ok_or_else(|| PolicyError::UnsupportedAlgorithm(name.to_string()))
}

fn parse_algorithms(names: &[&str]) -> Result<Vec<Alg>, PolicyError> {
    if names.is_empty() {
        return Err(PolicyError::NoAlgorithm);
    }
    names.iter().map(|n| parse_algorithm(n)).collect()
}

//= https://www.rfc-editor.org/rfc/rfc7518#section-3.2
//# A key of the same size as the hash output (for instance, 256
//# bits for "HS256") or larger MUST be used with this algorithm.
fn hmac_min_len(algorithms: &[Alg]) -> usize {
    algorithms
        .iter()
        .map(|a| match a {
            Alg::Jwt(Algorithm::HS384) => 48,
            Alg::Jwt(Algorithm::HS512) => 64,
            _ => 32,
        })
        .max()
        .unwrap_or(32)
}

fn family_of(algorithms: &[Alg]) -> Result<AlgorithmFamily, PolicyError> {
    let family = algorithms[0].family();
    if algorithms.iter().any(|a| a.family() != family) {
        return Err(PolicyError::BadKey(
            "one key cannot serve algorithms of different families".into(),
        ));
    }
    Ok(family)
}

//= https://www.rfc-editor.org/rfc/rfc7518#section-6.2.1.2
//# The length of this octet string MUST
//# be the full size of a coordinate for the curve specified in the "crv"
//# parameter.  For example, if the value of "crv" is "P-521", the octet
//# string must be 66 octets long.
// (§6.2.1.3 says the same of "y".) Shorter or longer encodings are refused.
fn p521_coordinate(jwk: &Value, name: &str) -> Result<p521::FieldBytes, PolicyError> {
    let text = jwk
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| PolicyError::BadKey(format!("P-521 key without {name}")))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| PolicyError::BadKey(format!("{name}: {e}")))?;
    if bytes.len() != 66 {
        let why = format!("{name} is {} octets, not 66", bytes.len());
        return Err(PolicyError::BadKey(why));
    }
    Ok(p521::FieldBytes::clone_from_slice(&bytes))
}

/// A public JWK with `crv` P-521 (RFC 7518 §6.2.1): the point must lie on
/// the curve.
fn p521_jwk(jwk: &Value) -> Result<P521Key, PolicyError> {
    let (x, y) = (p521_coordinate(jwk, "x")?, p521_coordinate(jwk, "y")?);
    let point = p521::EncodedPoint::from_affine_coordinates(&x, &y, false);
    P521Key::from_encoded_point(&point)
        .map_err(|_| PolicyError::BadKey("P-521 point not on the curve".into()))
}

fn p521_pem(pem: &[u8]) -> Result<P521Key, PolicyError> {
    let pem = std::str::from_utf8(pem).map_err(|e| PolicyError::BadKey(e.to_string()))?;
    let key = p521::PublicKey::from_public_key_pem(pem)
        .map_err(|e| PolicyError::BadKey(format!("not a P-521 public key: {e}")))?;
    P521Key::from_affine(*key.as_affine()).map_err(|e| PolicyError::BadKey(e.to_string()))
}

impl Policy {
    fn with_keys(keys: Vec<ConfiguredKey>, algorithms: Vec<Alg>) -> Self {
        Policy {
            keys,
            algorithms,
            audience: None,
            issuer: None,
            leeway: 0,
            required: Vec::new(),
        }
    }

    /// One shared secret for HS256/384/512.
    pub fn hmac(secret: &[u8], algorithms: &[&str]) -> Result<Self, PolicyError> {
        let algorithms = parse_algorithms(algorithms)?;
        if family_of(&algorithms)? != AlgorithmFamily::Hmac {
            return Err(PolicyError::BadKey(
                "a secret serves HMAC algorithms only".into(),
            ));
        }
        let needed = hmac_min_len(&algorithms);
        if secret.len() < needed {
            return Err(PolicyError::WeakKey {
                bytes: secret.len(),
                needed,
            });
        }
        let key = ConfiguredKey {
            kid: None,
            key: Key::Jwt(DecodingKey::from_secret(secret)),
            alg: None,
        };
        Ok(Self::with_keys(vec![key], algorithms))
    }

    /// One PEM public key (SubjectPublicKeyInfo, or PKCS#1 for RSA) for the
    /// RSA, EC or EdDSA algorithms given.
    pub fn public_key_pem(pem: &[u8], algorithms: &[&str]) -> Result<Self, PolicyError> {
        let algorithms = parse_algorithms(algorithms)?;
        let family = family_of(&algorithms)?;
        // A P-521 key serves ES512 only, and ES512 needs a P-521 key.
        let es512 = algorithms.contains(&Alg::Es512);
        if es512 && algorithms.len() > 1 {
            return Err(PolicyError::BadKey(
                "one EC key cannot serve ES512 and another curve's algorithm".into(),
            ));
        }
        let key = match family {
            AlgorithmFamily::Ec if es512 => Key::P521(p521_pem(pem)?),
            AlgorithmFamily::Rsa => Key::Jwt(
                DecodingKey::from_rsa_pem(pem).map_err(|e| PolicyError::BadKey(e.to_string()))?,
            ),
            AlgorithmFamily::Ec => Key::Jwt(
                DecodingKey::from_ec_pem(pem).map_err(|e| PolicyError::BadKey(e.to_string()))?,
            ),
            AlgorithmFamily::Ed => Key::Jwt(
                DecodingKey::from_ed_pem(pem).map_err(|e| PolicyError::BadKey(e.to_string()))?,
            ),
            AlgorithmFamily::Hmac => {
                return Err(PolicyError::BadKey(
                    "HMAC needs a secret, not a public key".into(),
                ))
            }
        };
        let key = ConfiguredKey {
            kid: None,
            key,
            alg: None,
        };
        Ok(Self::with_keys(vec![key], algorithms))
    }

    /// A JWK Set (RFC 7517 §5), or a single JWK, as JSON text. Private
    /// members are ignored; `kid` selects among the keys.
    pub fn jwks(json: &str, algorithms: &[&str]) -> Result<Self, PolicyError> {
        let algorithms = parse_algorithms(algorithms)?;
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| PolicyError::BadKey(e.to_string()))?;
        let list = match value.get("keys") {
            Some(serde_json::Value::Array(keys)) => keys.clone(),
            Some(_) => return Err(PolicyError::BadKey("keys is not an array".into())),
            None => vec![value],
        };
        let mut keys = Vec::new();
        for jwk in list {
            let kid = jwk.get("kid").and_then(|k| k.as_str()).map(str::to_string);
            let alg = match jwk.get("alg").and_then(|a| a.as_str()) {
                Some(a) => Some(parse_algorithm(a)?),
                None => None,
            };
            if jwk.get("kty").and_then(|k| k.as_str()) == Some("oct") {
                // A secret must meet the length rule like Policy::hmac's.
                let k = jwk.get("k").and_then(|k| k.as_str()).unwrap_or_default();
                let bytes = URL_SAFE_NO_PAD
                    .decode(k)
                    .map_err(|e| PolicyError::BadKey(format!("k: {e}")))?;
                let needed = hmac_min_len(&algorithms);
                if bytes.len() < needed {
                    return Err(PolicyError::WeakKey {
                        bytes: bytes.len(),
                        needed,
                    });
                }
            }
            let is_p521 = jwk.get("kty").and_then(Value::as_str) == Some("EC")
                && jwk.get("crv").and_then(Value::as_str) == Some("P-521");
            let key = if is_p521 {
                Key::P521(p521_jwk(&jwk)?)
            } else {
                // jsonwebtoken's Jwk does not know the name ES512; the
                // JWK's alg was read above, so drop it before parsing.
                let mut jwk = jwk;
                if let Value::Object(members) = &mut jwk {
                    members.remove("alg");
                }
                let parsed: Jwk =
                    serde_json::from_value(jwk).map_err(|e| PolicyError::BadKey(e.to_string()))?;
                Key::Jwt(
                    DecodingKey::from_jwk(&parsed)
                        .map_err(|e| PolicyError::BadKey(e.to_string()))?,
                )
            };
            keys.push(ConfiguredKey { kid, key, alg });
        }
        Ok(Self::with_keys(keys, algorithms))
    }

    /// Audiences this verifier identifies itself with (RFC 7519 §4.1.3).
    /// Once set, `aud` is required.
    pub fn audience<I, S>(mut self, audiences: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.audience = Some(audiences.into_iter().map(Into::into).collect());
        self
    }

    /// The issuer to require (RFC 7519 §4.1.1). Once set, `iss` is required.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Seconds of clock skew allowed on `exp` and `nbf`; 0 unless set.
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds;
        self
    }

    /// Claims that must be present.
    pub fn require<I, S>(mut self, claims: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.required.extend(claims.into_iter().map(Into::into));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_is_refused_rather_than_weakened() {
        let secret = [7u8; 64];
        assert!(Policy::hmac(&secret, &["HS256", "HS512"]).is_ok());
        assert_eq!(
            Policy::hmac(&secret, &["none"]).err(),
            Some(PolicyError::UnsupportedAlgorithm("none".into()))
        );
        // ES512 is implemented, but a secret cannot verify it.
        assert!(matches!(
            Policy::hmac(&secret, &["ES512"]),
            Err(PolicyError::BadKey(_))
        ));
        assert_eq!(
            Policy::hmac(&secret, &[]).err(),
            Some(PolicyError::NoAlgorithm)
        );
        assert_eq!(
            Policy::hmac(&secret[..31], &["HS256"]).err(),
            Some(PolicyError::WeakKey {
                bytes: 31,
                needed: 32
            })
        );
        assert_eq!(
            Policy::hmac(&secret[..48], &["HS512"]).err(),
            Some(PolicyError::WeakKey {
                bytes: 48,
                needed: 64
            })
        );
        assert!(matches!(
            Policy::hmac(&secret, &["RS256"]),
            Err(PolicyError::BadKey(_))
        ));
        assert!(matches!(
            Policy::public_key_pem(b"not a key", &["RS256"]),
            Err(PolicyError::BadKey(_))
        ));
    }
}
