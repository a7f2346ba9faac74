//! JWS verification (RFC 7515 §5.2) then JWT claim validation (RFC 7519 §7.2, §4.1)
//! ([docs/jwt.md](../../../docs/jwt.md#the-reference-verifiers-policy)).

use super::json::{self, JsonError};
use super::policy::{Alg, ConfiguredKey, Key, Policy};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p521::ecdsa::signature::Verifier;
use serde_json::{Map, Value};
use std::fmt;

/// Why a token was refused. [`AuthError::code`] is the vectors' vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// Not three base64url segments, not JSON, not UTF-8, not an object, or
    /// a header parameter of the wrong type.
    Malformed(String),
    /// A member name occurs twice in the header or the Claims Set.
    DuplicateName(String),
    /// The header's alg is not one the policy lists.
    AlgNotAllowed(String),
    /// A `crit` the verifier cannot honour.
    UnsupportedCrit(String),
    /// A header parameter whose value the verifier cannot honour (`b64` false).
    UnsupportedHeader(String),
    /// No configured key matches the header's kid and alg.
    UnknownKey,
    BadSignature,
    /// A registered claim of the wrong JSON type.
    BadClaimType(String),
    Expired,
    NotYetValid,
    WrongIssuer,
    WrongAudience,
    MissingClaim(String),
}

impl AuthError {
    /// The error's name in the vector vocabulary (`vectors/jwt`, `docs/jwt.md`).
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Malformed(_) => "malformed",
            AuthError::DuplicateName(_) => "duplicate-name",
            AuthError::AlgNotAllowed(_) => "alg-not-allowed",
            AuthError::UnsupportedCrit(_) => "unsupported-crit",
            AuthError::UnsupportedHeader(_) => "unsupported-header",
            AuthError::UnknownKey => "unknown-key",
            AuthError::BadSignature => "bad-signature",
            AuthError::BadClaimType(_) => "bad-claim-type",
            AuthError::Expired => "expired",
            AuthError::NotYetValid => "not-yet-valid",
            AuthError::WrongIssuer => "wrong-issuer",
            AuthError::WrongAudience => "wrong-audience",
            AuthError::MissingClaim(_) => "missing-claim",
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            AuthError::Malformed(why) => write!(f, "malformed: {why}"),
            AuthError::DuplicateName(n) => write!(f, "duplicate-name: {n}"),
            AuthError::AlgNotAllowed(a) => write!(f, "alg-not-allowed: {a:?}"),
            AuthError::UnsupportedCrit(why) => write!(f, "unsupported-crit: {why}"),
            AuthError::UnsupportedHeader(why) => write!(f, "unsupported-header: {why}"),
            AuthError::BadClaimType(n) => write!(f, "bad-claim-type: {n}"),
            AuthError::MissingClaim(n) => write!(f, "missing-claim: {n}"),
            other => f.write_str(other.code()),
        }
    }
}

impl std::error::Error for AuthError {}

/// A verified JWT Claims Set.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims(Map<String, Value>);

impl Claims {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
    pub fn sub(&self) -> Option<&str> {
        self.0.get("sub").and_then(Value::as_str)
    }
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }
}

/// A verified JWS: its protected header and payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Jws {
    pub header: Map<String, Value>,
    pub payload: Vec<u8>,
}

//= https://www.rfc-editor.org/rfc/rfc7515#section-4.1.11
//# Producers MUST NOT include Header Parameter names defined by
//# this specification or [JWA] for use with JWS, duplicate names, or
//# names that do not occur as Header Parameter names within the JOSE
//# Header in the "crit" list.
const REGISTERED: [&str; 11] = [
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
];

/// Extension parameters this verifier understands and supports. None: not
/// even RFC 7797's b64, whose false value JWTs may not use anyway.
const UNDERSTOOD: [&str; 0] = [];

//= https://www.rfc-editor.org/rfc/rfc7515#section-2
//# Base64url Encoding
//#    Base64 encoding using the URL- and filename-safe character set
//#    defined in Section 5 of RFC 4648 [RFC4648], with all trailing '='
//#    characters omitted [...] and without the inclusion of any line
//#    breaks, whitespace, or other additional characters.
fn b64(segment: &str, what: &str) -> Result<Vec<u8>, AuthError> {
    // The engine rejects padding, whitespace, the standard alphabet and
    // non-zero unused bits (RFC 4648 §3.5 lets a decoder refuse those).
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|e| AuthError::Malformed(format!("{what} is not base64url: {e}")))
}

fn object(bytes: &[u8], what: &str) -> Result<Map<String, Value>, AuthError> {
    //= https://www.rfc-editor.org/rfc/rfc7515#section-4
    //# The Header Parameter names within the JOSE Header MUST be unique;
    //# JWS parsers MUST either reject JWSs with duplicate Header Parameter
    //# names or use a JSON parser that returns only the lexically last
    //# duplicate member name
    // (RFC 7519 §4 says the same of Claim Names.) We reject.
    json::object(bytes).map_err(|e| match e {
        JsonError::Syntax(why) => AuthError::Malformed(format!("{what}: {why}")),
        JsonError::Duplicate(name) => AuthError::DuplicateName(format!("{what}: {name}")),
    })
}

fn optional_string<'a>(
    header: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, AuthError> {
    match header.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(AuthError::Malformed(format!(
            "header {name} is not a string"
        ))),
    }
}

fn check_crit(header: &Map<String, Value>) -> Result<(), AuthError> {
    let Some(crit) = header.get("crit") else {
        return Ok(());
    };
    //= https://www.rfc-editor.org/rfc/rfc7515#section-4.1.11
    //# Its value is an array listing the Header Parameter names present in
    //# the JOSE Header that use those extensions.
    let Value::Array(names) = crit else {
        return Err(AuthError::UnsupportedCrit("crit is not an array".into()));
    };
    //# Producers MUST NOT use the empty list "[]" as the "crit" value.
    //# Recipients MAY consider the JWS to be invalid if the critical list
    //# contains any Header Parameter names defined by this specification or
    //# [JWA] for use with JWS or if any other constraints on its use are
    //# violated.
    // We do, for every such constraint.
    if names.is_empty() {
        return Err(AuthError::UnsupportedCrit("crit is empty".into()));
    }
    let mut seen = Vec::new();
    for name in names {
        let Value::String(name) = name else {
            return Err(AuthError::UnsupportedCrit("crit holds a non-string".into()));
        };
        if REGISTERED.contains(&name.as_str()) {
            return Err(AuthError::UnsupportedCrit(format!(
                "crit lists {name}, a registered name"
            )));
        }
        if seen.contains(&name) {
            return Err(AuthError::UnsupportedCrit(format!(
                "crit lists {name} twice"
            )));
        }
        seen.push(name);
        if !header.contains_key(name) {
            return Err(AuthError::UnsupportedCrit(format!(
                "crit lists {name}, absent from the header"
            )));
        }
        //# If any of the listed extension Header Parameters are not
        //# understood and supported by the recipient, then the JWS is invalid.
        if !UNDERSTOOD.contains(&name.as_str()) {
            return Err(AuthError::UnsupportedCrit(format!(
                "{name} is not understood"
            )));
        }
    }
    Ok(())
}

fn select_key<'p>(
    policy: &'p Policy,
    alg: Alg,
    kid: Option<&str>,
) -> Result<Vec<&'p ConfiguredKey>, AuthError> {
    let suitable: Vec<&ConfiguredKey> = policy.keys.iter().filter(|k| k.serves(alg)).collect();
    //= https://www.rfc-editor.org/rfc/rfc7515#section-4.1.4
    //# The "kid" (key ID) Header Parameter is a hint indicating which key
    //# was used to secure the JWS.
    // A hint among the keys we hold: it selects, never adds. When our keys
    // carry no kid it selects nothing and every suitable key is tried.
    let keyed = policy.keys.iter().any(|k| k.kid.is_some());
    let chosen: Vec<&ConfiguredKey> = match (keyed, kid) {
        (true, Some(kid)) => suitable
            .into_iter()
            .filter(|k| k.kid.as_deref() == Some(kid))
            .collect(),
        // Several identified keys and no kid: refuse rather than guess.
        (true, None) if suitable.len() > 1 => Vec::new(),
        _ => suitable,
    };
    if chosen.is_empty() {
        return Err(AuthError::UnknownKey);
    }
    Ok(chosen)
}

/// Verifies the signature of a JWS in Compact Serialization under `policy`,
/// and returns its header and payload. No claims are looked at.
pub fn verify_jws(token: &str, policy: &Policy) -> Result<Jws, AuthError> {
    //= https://www.rfc-editor.org/rfc/rfc7515#section-5.2
    //# 1.  Parse the JWS representation to extract the serialized values
    //#     for the components of the JWS.  When using the JWS Compact
    //#     Serialization, these components are the base64url-encoded
    //#     representations of the JWS Protected Header, the JWS Payload,
    //#     and the JWS Signature
    let parts: Vec<&str> = token.split('.').collect();
    let [header_seg, payload_seg, sig_seg] = parts[..] else {
        return Err(AuthError::Malformed(format!(
            "{} segments, not 3",
            parts.len()
        )));
    };
    //# 2.  Base64url-decode the encoded representation of the JWS
    //#     Protected Header [...]
    //# 3.  Verify that the resulting octet sequence is a UTF-8-encoded
    //#     representation of a completely valid JSON object
    let header = object(&b64(header_seg, "header")?, "header")?;

    //= https://www.rfc-editor.org/rfc/rfc7515#section-4.1.1
    //# This Header Parameter MUST be present and MUST be understood and
    //# processed by implementations.
    let alg_name = match header.get("alg") {
        Some(Value::String(a)) => a.as_str(),
        Some(_) => return Err(AuthError::Malformed("alg is not a string".into())),
        None => return Err(AuthError::Malformed("alg is absent".into())),
    };
    let kid = optional_string(&header, "kid")?;
    optional_string(&header, "typ")?;
    optional_string(&header, "cty")?;

    //= https://www.rfc-editor.org/rfc/rfc8725#section-3.1
    //# Libraries MUST enable the caller to specify a supported set of
    //# algorithms and MUST NOT use any other algorithms when performing
    //# cryptographic operations.
    // The comparison is by exact, case-sensitive name (RFC 7515 §4.1.1).
    let alg = policy
        .algorithms
        .iter()
        .copied()
        .find(|a| Alg::from_name(alg_name) == Some(*a))
        .ok_or_else(|| AuthError::AlgNotAllowed(alg_name.to_string()))?;

    //= https://www.rfc-editor.org/rfc/rfc7515#section-5.2
    //# 5.  Verify that the implementation understands and can process all
    //#     fields that it is required to support, whether required by this
    //#     specification, by the algorithm being used, or by the "crit"
    //#     Header Parameter value
    check_crit(&header)?;
    //= https://www.rfc-editor.org/rfc/rfc7797#section-7
    //# For interoperability reasons, JSON Web Tokens [JWT] MUST NOT use
    //# "b64" with a "false" value.
    // Without crit (which check_crit refuses) b64 is merely present; false
    // would change the signing input, so it is refused, true is the default.
    match header.get("b64") {
        None | Some(Value::Bool(true)) => {}
        Some(Value::Bool(false)) => {
            return Err(AuthError::UnsupportedHeader(
                "b64 false (unencoded payload)".into(),
            ))
        }
        Some(_) => return Err(AuthError::Malformed("b64 is not a boolean".into())),
    }

    //= https://www.rfc-editor.org/rfc/rfc7515#section-5.2
    //# 6.  Base64url-decode the encoded representation of the JWS Payload [...]
    //# 7.  Base64url-decode the encoded representation of the JWS Signature
    let payload = b64(payload_seg, "payload")?;
    let signature = b64(sig_seg, "signature")?;

    //# 8.  Validate the JWS Signature against the JWS Signing Input
    //#     ASCII(BASE64URL(UTF8(JWS Protected Header)) || '.' ||
    //#     BASE64URL(JWS Payload)) in the manner defined for the algorithm
    //#     being used, which MUST be accurately represented by the value of
    //#     the "alg" (algorithm) Header Parameter
    // jku, x5u, jwk and x5c are never read: only configured keys verify.
    //= https://www.rfc-editor.org/rfc/rfc7518#section-3.4
    //# The JWS Signature value MUST be a 64-octet sequence.  If it is not a
    //# 64-octet sequence, the validation has failed.
    // (For ES256; 96 octets for ES384, 132 for ES512.) jsonwebtoken reads
    // ECDSA signatures as fixed-size R || S, so DER or padded forms fail here;
    // es512 below does the same for P-521.
    let input = &token[..header_seg.len() + 1 + payload_seg.len()];
    let keys = select_key(policy, alg, kid)?;
    let ok = keys.iter().any(|k| match (&k.key, alg) {
        (Key::P521(key), Alg::Es512) => es512(key, input.as_bytes(), &signature),
        (Key::Jwt(key), Alg::Jwt(alg)) => {
            jsonwebtoken::crypto::verify(sig_seg, input.as_bytes(), key, alg).unwrap_or(false)
        }
        // select_key returns only keys that serve alg.
        _ => false,
    });
    if !ok {
        return Err(AuthError::BadSignature);
    }
    Ok(Jws { header, payload })
}

/// ECDSA P-521 with SHA-512 (RFC 7518 §3.4).
fn es512(key: &p521::ecdsa::VerifyingKey, input: &[u8], signature: &[u8]) -> bool {
    //= https://www.rfc-editor.org/rfc/rfc7518#section-3.4
    //# 1.  The JWS Signature value MUST be a 64-octet sequence.  If it is
    //#     not a 64-octet sequence, the validation has failed.
    // For ES512 the sequence is R || S, 66 octets each: 132 in all.
    let Ok(signature) = <[u8; 132]>::try_from(signature) else {
        return false;
    };
    //# 2.  Split the 64-octet sequence into two 32-octet sequences.  The
    //#     first octet sequence represents R and the second S.  The values
    //#     R and S are represented as octet sequences using the Integer-to-
    //#     OctetString Conversion defined in Section 2.3.7 of SEC1 [SEC1]
    //#     (in big-endian octet order).
    // from_slice splits at 66 octets and refuses r or s that is 0 or not
    // below the group order n, as SEC1 §4.1.4 step 1 requires (r = s = 0 is
    // the "psychic signature"). A DER signature that happens to be 132
    // octets fails here too: its leading 0x30 makes R exceed n.
    let Ok(signature) = p521::ecdsa::Signature::from_slice(&signature) else {
        return false;
    };
    //# 3.  Submit the JWS Signing Input, R, S, and the public key (x, y) to
    //#     the ECDSA P-256 SHA-256 validator.
    // With P-521 and SHA-512 (the table in §3.4); Verifier hashes the input.
    key.verify(input, &signature).is_ok()
}

fn number(claims: &Map<String, Value>, name: &str) -> Result<Option<f64>, AuthError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(_) => Err(AuthError::BadClaimType(name.into())),
    }
}

fn string(claims: &Map<String, Value>, name: &str) -> Result<Option<String>, AuthError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(AuthError::BadClaimType(name.into())),
    }
}

/// Verifies a JWT under `policy` at time `now` (seconds since the epoch)
/// and returns its Claims Set.
pub fn verify(token: &str, policy: &Policy, now: u64) -> Result<Claims, AuthError> {
    let jws = verify_jws(token, policy)?;
    //= https://www.rfc-editor.org/rfc/rfc7519#section-7.2
    //# 10.  Verify that the resulting octet sequence is a UTF-8-encoded
    //#      representation of a completely valid JSON object conforming to
    //#      RFC 7159 [RFC7159]; let the JWT Claims Set be this JSON object.
    let claims = object(&jws.payload, "claims")?;

    //= https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4
    //# Its value MUST be a number containing a NumericDate value.
    // So for nbf (§4.1.5) and iat (§4.1.6); null is a wrong type too.
    let exp = number(&claims, "exp")?;
    let nbf = number(&claims, "nbf")?;
    number(&claims, "iat")?;
    //= https://www.rfc-editor.org/rfc/rfc7519#section-4.1.1
    //# The "iss" value is a case-sensitive string containing a StringOrURI
    //# value.
    let iss = string(&claims, "iss")?;
    string(&claims, "sub")?;
    string(&claims, "jti")?;
    //= https://www.rfc-editor.org/rfc/rfc7519#section-4.1.3
    //# In the general case, the "aud" value is an array of case-
    //# sensitive strings, each containing a StringOrURI value.  In the
    //# special case when the JWT has one audience, the "aud" value MAY be a
    //# single case-sensitive string containing a StringOrURI value.
    let aud: Option<Vec<&str>> = match claims.get("aud") {
        None => None,
        Some(Value::String(s)) => Some(vec![s]),
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|v| v.as_str().ok_or(AuthError::BadClaimType("aud".into())))
                .collect::<Result<_, _>>()?,
        ),
        Some(_) => return Err(AuthError::BadClaimType("aud".into())),
    };

    // NumericDates may be non-integral (RFC 7519 §2), so compare as f64;
    // `now` and the leeway are exact in f64 for any plausible clock.
    let (now, leeway) = (now as f64, policy.leeway as f64);
    //= https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4
    //# The processing of the "exp" claim requires that the current
    //# date/time MUST be before the expiration date/time listed in the
    //# "exp" claim.  Implementers MAY provide for some small leeway,
    //# usually no more than a few minutes, to account for clock skew.
    if let Some(exp) = exp {
        if now >= exp + leeway {
            return Err(AuthError::Expired);
        }
    }
    //= https://www.rfc-editor.org/rfc/rfc7519#section-4.1.5
    //# The processing of the "nbf" claim requires that the current
    //# date/time MUST be after or equal to the not-before date/time listed
    //# in the "nbf" claim.
    if let Some(nbf) = nbf {
        if now + leeway < nbf {
            return Err(AuthError::NotYetValid);
        }
    }
    if let Some(want) = &policy.issuer {
        match iss {
            None => return Err(AuthError::MissingClaim("iss".into())),
            Some(iss) if iss != *want => return Err(AuthError::WrongIssuer),
            Some(_) => {}
        }
    }
    //= https://www.rfc-editor.org/rfc/rfc7519#section-4.1.3
    //# If the principal processing the claim does not identify itself
    //# with a value in the "aud" claim when this claim is present, then the
    //# JWT MUST be rejected.
    match (&policy.audience, aud) {
        (None, Some(_)) => return Err(AuthError::WrongAudience),
        (Some(_), None) => return Err(AuthError::MissingClaim("aud".into())),
        (Some(ours), Some(theirs)) if !theirs.iter().any(|a| ours.iter().any(|o| o == a)) => {
            return Err(AuthError::WrongAudience)
        }
        _ => {}
    }
    for name in &policy.required {
        if !claims.contains_key(name) {
            return Err(AuthError::MissingClaim(name.clone()));
        }
    }
    Ok(Claims(claims))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::PolicyError;

    /// RFC 7515 A.4: the P-521 key (public members) and the ES512 JWS.
    const A4_JWK: &str = r#"{"kty":"EC","crv":"P-521",
        "x":"AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk",
        "y":"ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2"}"#;
    const A4_INPUT: &str = "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA";
    const A4_SIG: &str = "AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn";

    fn a4_policy() -> Policy {
        Policy::jwks(A4_JWK, &["ES512"]).unwrap()
    }

    fn a4_signature() -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(A4_SIG).unwrap()
    }

    fn with_signature(signature: &[u8]) -> String {
        format!("{A4_INPUT}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    #[test]
    fn es512_rfc7515_a4_verifies() {
        let jws = verify_jws(&format!("{A4_INPUT}.{A4_SIG}"), &a4_policy()).unwrap();
        assert_eq!(jws.payload, b"Payload");
        assert_eq!(jws.header.get("alg"), Some(&Value::from("ES512")));
    }

    #[test]
    fn es512_key_from_pem() {
        use p521::pkcs8::{EncodePublicKey, LineEnding};
        let jwk: Value = serde_json::from_str(A4_JWK).unwrap();
        let coordinate = |n: &str| URL_SAFE_NO_PAD.decode(jwk[n].as_str().unwrap()).unwrap();
        let (x, y) = (coordinate("x"), coordinate("y"));
        let point = p521::EncodedPoint::from_affine_coordinates(
            p521::FieldBytes::from_slice(&x),
            p521::FieldBytes::from_slice(&y),
            false,
        );
        let pem = p521::PublicKey::from_sec1_bytes(point.as_bytes())
            .unwrap()
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        let policy = Policy::public_key_pem(pem.as_bytes(), &["ES512"]).unwrap();
        assert!(verify_jws(&format!("{A4_INPUT}.{A4_SIG}"), &policy).is_ok());
        // A P-521 key serves ES512 alone.
        assert!(Policy::public_key_pem(pem.as_bytes(), &["ES512", "ES256"]).is_err());
    }

    #[test]
    fn es512_flipped_signature_byte_is_a_bad_signature() {
        for i in [0, 65, 66, 131] {
            let mut sig = a4_signature();
            sig[i] ^= 0x01;
            assert_eq!(
                verify_jws(&with_signature(&sig), &a4_policy()),
                Err(AuthError::BadSignature),
                "byte {i}"
            );
        }
    }

    #[test]
    fn es512_der_signature_is_refused() {
        let sig = p521::ecdsa::Signature::from_slice(&a4_signature()).unwrap();
        let der = sig.to_der();
        assert_eq!(
            verify_jws(&with_signature(der.as_bytes()), &a4_policy()),
            Err(AuthError::BadSignature)
        );
    }

    #[test]
    fn es512_out_of_range_r_and_s_are_refused() {
        // n, the order of the P-521 group, as 66 octets.
        let n = {
            let mut n = [0xff; 66];
            n[0] = 0x01;
            let tail = [
                0xfa, 0x51, 0x86, 0x87, 0x83, 0xbf, 0x2f, 0x96, 0x6b, 0x7f, 0xcc, 0x01, 0x48, 0xf7,
                0x09, 0xa5, 0xd0, 0x3b, 0xb5, 0xc9, 0xb8, 0x89, 0x9c, 0x47, 0xae, 0xbb, 0x6f, 0xb7,
                0x1e, 0x91, 0x38, 0x64, 0x09,
            ];
            n[33..].copy_from_slice(&tail);
            n
        };
        let sig = a4_signature();
        let (r, s) = sig.split_at(66);
        let cases: [(&str, &[u8], &[u8]); 5] = [
            ("r = 0", &[0; 66], s),
            ("s = 0", r, &[0; 66]),
            ("r = s = 0", &[0; 66], &[0; 66]),
            ("r = n", &n, s),
            ("s = n", r, &n),
        ];
        for (what, r, s) in cases {
            let token = with_signature(&[r, s].concat());
            assert_eq!(
                verify_jws(&token, &a4_policy()),
                Err(AuthError::BadSignature),
                "{what}"
            );
        }
    }

    #[test]
    fn es512_keys_are_checked_and_selected_like_the_others() {
        // A coordinate of 65 octets (the leading zero dropped) is refused.
        let y = "ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2";
        let y65 = URL_SAFE_NO_PAD.encode(&URL_SAFE_NO_PAD.decode(y).unwrap()[1..]);
        let short = A4_JWK.replace(y, &y65);
        assert!(matches!(
            Policy::jwks(&short, &["ES512"]),
            Err(PolicyError::BadKey(_))
        ));
        // kid selects among P-521 keys; a JWK's alg restricts it.
        let set = format!(
            r#"{{"keys":[{},{}]}}"#,
            A4_JWK.replacen('{', r#"{"kid":"a4","alg":"ES512","#, 1),
            A4_JWK.replacen('{', r#"{"kid":"other","alg":"ES256","#, 1),
        );
        let policy = Policy::jwks(&set, &["ES512"]).unwrap();
        let token = |kid: &str| {
            let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"ES512","kid":"{kid}"}}"#));
            format!("{header}.UGF5bG9hZA.{A4_SIG}")
        };
        // The signature covers A.4's header, not this one: a key is found,
        // the signature does not match.
        assert_eq!(
            verify_jws(&token("a4"), &policy),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            verify_jws(&token("other"), &policy),
            Err(AuthError::UnknownKey)
        );
        // The algorithm is pinned by configuration, not by the token.
        let hs = Policy::hmac(&[7; 64], &["HS512"]).unwrap();
        assert!(matches!(
            verify_jws(&format!("{A4_INPUT}.{A4_SIG}"), &hs),
            Err(AuthError::AlgNotAllowed(_))
        ));
    }
}
