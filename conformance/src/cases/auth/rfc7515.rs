//! RFC 7515 (JWS): the signature, `crit`, the compact serialization's three
//! segments, strict base64url, and a header that is a JSON object.

use super::exchange::{minted, refuse, refuse_form, Attempt, REFUSED, REFUSED_FORM};
use super::mint;
use crate::case::{case, Case};
use crate::rule::Rule;
use crate::target::AuthSettings;
use crate::verdict::Outcome;
use base64::Engine;
use serde_json::{json, Value};

const SIGNATURE: Rule = Rule::new(
    "RFC 7515",
    "5.2",
    "8.  Validate the JWS Signature against the JWS Signing Input ASCII(BASE64URL(UTF8(JWS \
Protected Header)) || '.' || BASE64URL(JWS Payload)) in the manner defined for the algorithm being used [...]. \
Record whether the validation succeeded or not.",
);

const CRIT: Rule = Rule::new(
    "RFC 7515",
    "4.1.11",
    "If any of the listed extension Header Parameters are not understood and supported by the \
recipient, then the JWS is invalid.",
);

const CRIT_ABSENT: Rule = Rule::new(
    "RFC 7515",
    "4.1.11",
    "Producers MUST NOT include Header Parameter names defined by this specification or \
[JWA] for use with JWS, duplicate names, or names that do not occur as Header Parameter names within the JOSE Header \
in the \"crit\" list.",
);

const PARTS: Rule = Rule::new(
    "RFC 7515",
    "5.2",
    "1.  Parse the JWS representation to extract the serialized values for the components of \
the JWS.  When using the JWS Compact Serialization, these components are the base64url-encoded representations of \
the JWS Protected Header, the JWS Payload, and the JWS Signature",
);

const BASE64URL: Rule = Rule::new(
    "RFC 7515",
    "2",
    "Base64 encoding using the URL- and filename-safe character set defined in Section 5 of \
RFC 4648 [RFC4648], with all trailing '=' characters omitted (as permitted by Section 3.2) and without the inclusion \
of any line breaks, whitespace, or other additional characters.",
);

const HEADER_OBJECT: Rule = Rule::new(
    "RFC 7515",
    "5.2",
    "3.  Verify that the resulting octet sequence is a UTF-8-encoded representation of a \
completely valid JSON object conforming to RFC 7159 [RFC7159]; let the JWS Protected Header be this JSON object.",
);

/// Why accepting a segment that is not strict base64url is NON-STRICT: the
/// key holder signed exactly the bytes sent, with good claims.
const LAX_BASE64URL_WHY: &str = "the key holder signed exactly these bytes and the claims are good, so no \
forged, expired or misdirected token gets in; but a lenient decoder makes token strings malleable (one token, \
several spellings), which matters to replay caches and token blocklists";

const FOUR_SEGMENTS_WHY: &str =
    "the first three segments are a genuine token with good claims; the extra \
segment only makes token strings malleable (one token, several spellings)";

const CRIT_ABSENT_WHY: &str =
    "the producer broke RFC 7515 §4.1.11, but the extension it names is not \
there to restrict anything; the token is otherwise genuine";

const HEADER_NOT_OBJECT_WHY: &str =
    "the key holder signed it with good claims; a verifier that takes the \
algorithm from its own configuration rather than the header lets no forged token in";

pub fn cases() -> Vec<Case> {
    vec![
        case(Case {
            id: "auth.7515.bad-signature".into(),
            title: "A token with a wrong signature is refused".into(),
            rule: SIGNATURE,
            sends: "a valid token with one bit of its signature flipped".into(),
            expects: REFUSED.into(),
            run: refuse(bad_signature),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.7515.crit-unknown".into(),
            title: "A token whose crit names an unknown extension is refused".into(),
            rule: CRIT,
            sends: "a signed token with crit [\"urn:voxproof:unknown\"] and that parameter present"
                .into(),
            expects: REFUSED.into(),
            run: refuse(|s, now| {
                header_with(
                    s,
                    now,
                    json!({"alg": s.alg, "typ": "JWT", "crit": ["urn:voxproof:unknown"], "urn:voxproof:unknown": true}),
                )
            }),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.7515.crit-absent".into(),
            title: "A token whose crit names a parameter that is not there is refused".into(),
            rule: CRIT_ABSENT,
            sends: "a signed token with crit [\"urn:voxproof:absent\"] and no such parameter"
                .into(),
            expects: REFUSED_FORM.into(),
            run: refuse_form(
                |s, now| {
                    header_with(
                        s,
                        now,
                        json!({"alg": s.alg, "typ": "JWT", "crit": ["urn:voxproof:absent"]}),
                    )
                },
                CRIT_ABSENT_WHY,
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.7515.two-segments".into(),
            title: "A token of two segments is refused".into(),
            rule: PARTS,
            sends: "a valid token without its signature segment (header.payload)".into(),
            expects: REFUSED.into(),
            run: refuse(|s, now| {
                segments(s, now, |t| t.rsplit_once('.').expect("three").0.to_string())
            }),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.7515.four-segments".into(),
            title: "A token of four segments is refused".into(),
            rule: PARTS,
            sends: "a valid token with its signature segment repeated (four segments)".into(),
            expects: REFUSED_FORM.into(),
            run: refuse_form(
                |s, now| {
                    segments(s, now, |t| {
                        let sig = t.rsplit_once('.').expect("three").1;
                        format!("{t}.{sig}")
                    })
                },
                FOUR_SEGMENTS_WHY,
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.7515.padding".into(),
            title: "A token with '=' padding is refused".into(),
            rule: BASE64URL,
            sends: "a token whose payload segment carries '=' padding, signed as sent".into(),
            expects: REFUSED_FORM.into(),
            run: refuse_form(
                |s, now| {
                    lax_payload(s, now, |bytes| {
                        let p = mint::b64(bytes);
                        let pad = (4 - p.len() % 4) % 4;
                        (pad > 0).then(|| format!("{p}{}", "=".repeat(pad)))
                    })
                },
                LAX_BASE64URL_WHY,
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.7515.whitespace".into(),
            title: "A token with whitespace inside a segment is refused".into(),
            rule: BASE64URL,
            sends: "a token with a space in the middle of its payload segment, signed as sent"
                .into(),
            expects: REFUSED_FORM.into(),
            run: refuse_form(
                |s, now| {
                    let h = mint::b64(mint::header(&s.alg).to_string().as_bytes());
                    let p = mint::b64(Value::Object(mint::claims(s, now)).to_string().as_bytes());
                    let (a, b) = p.split_at(p.len() / 2);
                    minted(mint::signed(s, &s.alg, &h, &format!("{a} {b}")))
                },
                LAX_BASE64URL_WHY,
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.7515.not-base64url".into(),
            title: "A token in the standard base64 alphabet is refused".into(),
            rule: BASE64URL,
            sends: "a token whose payload segment uses '+' or '/', signed as sent".into(),
            expects: REFUSED_FORM.into(),
            run: refuse_form(
                |s, now| {
                    lax_payload(s, now, |bytes| {
                        let p = mint::b64_standard(bytes);
                        p.contains(['+', '/']).then_some(p)
                    })
                },
                LAX_BASE64URL_WHY,
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.7515.header-not-object".into(),
            title: "A token whose header is a JSON array is refused".into(),
            rule: HEADER_OBJECT,
            sends: "a signed token whose header is [\"<alg>\"]".into(),
            expects: REFUSED_FORM.into(),
            run: refuse_form(
                |s, now| header_with(s, now, json!([s.alg])),
                HEADER_NOT_OBJECT_WHY,
            ),
            ..Case::BASE
        }),
    ]
}

/// A valid token with one bit of its signature flipped (also the bad token
/// of `auth.6750.invalid-token-challenge`).
pub fn bad_signature(s: &AuthSettings, now: u64) -> Result<Attempt, Outcome> {
    let t = mint::token(s, now, |_| {}).map_err(Outcome::unimplemented)?;
    let (input, sig) = t.rsplit_once('.').expect("three segments");
    let mut bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(sig)
        .expect("own signature decodes");
    bytes[0] ^= 0x01;
    Ok(Attempt::token(format!("{input}.{}", mint::b64(&bytes))))
}

/// Valid claims signed under `header`.
fn header_with(s: &AuthSettings, now: u64, header: Value) -> Result<Attempt, Outcome> {
    let claims = Value::Object(mint::claims(s, now)).to_string();
    minted(mint::jws(s, &header, claims.as_bytes()))
}

/// A valid token, its segments edited.
fn segments(s: &AuthSettings, now: u64, edit: fn(&str) -> String) -> Result<Attempt, Outcome> {
    let t = mint::token(s, now, |_| {}).map_err(Outcome::unimplemented)?;
    Ok(Attempt::token(edit(&t)))
}

/// A payload segment that is not strict base64url, signed as sent: a target
/// whose decoder is lenient would find the signature good.
fn lax_payload(
    s: &AuthSettings,
    now: u64,
    encode: fn(&[u8]) -> Option<String>,
) -> Result<Attempt, Outcome> {
    let h = mint::b64(mint::header(&s.alg).to_string().as_bytes());
    for filler in 0..64 {
        let mut c = mint::claims(s, now);
        c.insert("jti".into(), json!("?".repeat(filler)));
        if let Some(p) = encode(Value::Object(c).to_string().as_bytes()) {
            return minted(mint::signed(s, &s.alg, &h, &p));
        }
    }
    Err(Outcome::unimplemented(
        "no Claims Set gave the encoding wanted",
    ))
}
