//! What a verifier is configured with: keys, the algorithms it accepts, and
//! how claims are validated. The token never chooses any of these.

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};
use std::fmt;
use std::str::FromStr;

/// A configuration the verifier refuses to run with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    /// An algorithm name jsonwebtoken does not implement (ES512, none, …).
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

pub(crate) struct ConfiguredKey {
    pub kid: Option<String>,
    pub key: DecodingKey,
    pub family: AlgorithmFamily,
    /// The JWK's own `alg`, which restricts the key to that algorithm
    /// (RFC 7517 §4.4).
    pub alg: Option<Algorithm>,
}

/// Keys, algorithms and claim rules for [`super::verify()`].
pub struct Policy {
    pub(crate) keys: Vec<ConfiguredKey>,
    pub(crate) algorithms: Vec<Algorithm>,
    pub(crate) audience: Option<Vec<String>>,
    pub(crate) issuer: Option<String>,
    pub(crate) leeway: u64,
    pub(crate) required: Vec<String>,
}

fn parse_algorithms(names: &[&str]) -> Result<Vec<Algorithm>, PolicyError> {
    if names.is_empty() {
        return Err(PolicyError::NoAlgorithm);
    }
    names
        .iter()
        .map(|n| {
            Algorithm::from_str(n).map_err(|_| PolicyError::UnsupportedAlgorithm(n.to_string()))
        })
        .collect()
}

//= https://www.rfc-editor.org/rfc/rfc7518#section-3.2
//# A key of the same size as the hash output (for instance, 256
//# bits for "HS256") or larger MUST be used with this algorithm.
fn hmac_min_len(algorithms: &[Algorithm]) -> usize {
    algorithms
        .iter()
        .map(|a| match a {
            Algorithm::HS384 => 48,
            Algorithm::HS512 => 64,
            _ => 32,
        })
        .max()
        .unwrap_or(32)
}

fn family_of(algorithms: &[Algorithm]) -> Result<AlgorithmFamily, PolicyError> {
    let family = algorithms[0].family();
    if algorithms.iter().any(|a| a.family() != family) {
        return Err(PolicyError::BadKey(
            "one key cannot serve algorithms of different families".into(),
        ));
    }
    Ok(family)
}

impl Policy {
    fn with_keys(keys: Vec<ConfiguredKey>, algorithms: Vec<Algorithm>) -> Self {
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
            key: DecodingKey::from_secret(secret),
            family: AlgorithmFamily::Hmac,
            alg: None,
        };
        Ok(Self::with_keys(vec![key], algorithms))
    }

    /// One PEM public key (SubjectPublicKeyInfo, or PKCS#1 for RSA) for the
    /// RSA, EC or EdDSA algorithms given.
    pub fn public_key_pem(pem: &[u8], algorithms: &[&str]) -> Result<Self, PolicyError> {
        let algorithms = parse_algorithms(algorithms)?;
        let family = family_of(&algorithms)?;
        let key = match family {
            AlgorithmFamily::Rsa => DecodingKey::from_rsa_pem(pem),
            AlgorithmFamily::Ec => DecodingKey::from_ec_pem(pem),
            AlgorithmFamily::Ed => DecodingKey::from_ed_pem(pem),
            AlgorithmFamily::Hmac => {
                return Err(PolicyError::BadKey(
                    "HMAC needs a secret, not a public key".into(),
                ))
            }
        }
        .map_err(|e| PolicyError::BadKey(e.to_string()))?;
        let key = ConfiguredKey {
            kid: None,
            key,
            family,
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
                Some(a) => Some(
                    Algorithm::from_str(a)
                        .map_err(|_| PolicyError::UnsupportedAlgorithm(a.to_string()))?,
                ),
                None => None,
            };
            if jwk.get("kty").and_then(|k| k.as_str()) == Some("oct") {
                // A secret must meet the length rule like Policy::hmac's.
                let k = jwk.get("k").and_then(|k| k.as_str()).unwrap_or_default();
                let bytes =
                    base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, k)
                        .map_err(|e| PolicyError::BadKey(format!("k: {e}")))?;
                let needed = hmac_min_len(&algorithms);
                if bytes.len() < needed {
                    return Err(PolicyError::WeakKey {
                        bytes: bytes.len(),
                        needed,
                    });
                }
            }
            let parsed: Jwk =
                serde_json::from_value(jwk).map_err(|e| PolicyError::BadKey(e.to_string()))?;
            let key =
                DecodingKey::from_jwk(&parsed).map_err(|e| PolicyError::BadKey(e.to_string()))?;
            keys.push(ConfiguredKey {
                kid,
                family: key.family(),
                key,
                alg,
            });
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
        assert_eq!(
            Policy::hmac(&secret, &["ES512"]).err(),
            Some(PolicyError::UnsupportedAlgorithm("ES512".into()))
        );
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
