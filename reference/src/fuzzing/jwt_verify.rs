//! Fuzz target `jwt_verify`: the reference verifier on arbitrary tokens and on mutations of valid
//! ones ([fuzz/README.md](../../../fuzz/README.md#jwt_verify)).

use crate::auth::vectors::{policy, Group, FILES};
use crate::auth::{verify, verify_jws, Policy};
use arbitrary::{Arbitrary, Unstructured};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// One test group, ready to verify with.
struct Configured {
    group: Group,
    policy: Policy,
    /// Tokens the group's tests call valid.
    valid: Vec<String>,
    /// The HMAC secret, for groups with one (`kty` `oct`, alone or in a set).
    secret: Option<Vec<u8>>,
}

fn groups() -> &'static [Configured] {
    static GROUPS: OnceLock<Vec<Configured>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut out = Vec::new();
        for (_, text) in FILES {
            let file: crate::auth::vectors::File =
                serde_json::from_str(text).expect("the embedded JWT vectors parse");
            for group in file.test_groups {
                let Ok(policy) = policy(&group) else { continue };
                let valid = group
                    .tests
                    .iter()
                    .filter(|t| t.result == "valid")
                    .map(|t| t.token.clone())
                    .collect();
                let secret = hmac_secret(&group.key);
                out.push(Configured {
                    group,
                    policy,
                    valid,
                    secret,
                });
            }
        }
        out
    })
}

fn hmac_secret(key: &Value) -> Option<Vec<u8>> {
    let jwk = match key.get("keys") {
        Some(Value::Array(keys)) => keys.iter().find(|k| k["kty"] == "oct")?,
        _ => key,
    };
    (jwk["kty"] == "oct")
        .then(|| URL_SAFE_NO_PAD.decode(jwk["k"].as_str()?).ok())
        .flatten()
}

/// The groups byte 0 chooses from in `mode`: all of them for raw tokens,
/// those with a valid token for edits, those with an HMAC secret for
/// re-signing.
fn selectable(mode: u8) -> Vec<usize> {
    let all = groups();
    (0..all.len())
        .filter(|&i| match mode % 3 {
            1 => !all[i].valid.is_empty(),
            2 => all[i].secret.is_some(),
            _ => true,
        })
        .collect()
}

/// Seed inputs from the vectors: one token of each group per expected
/// result and error as a raw token (mode 0), each group's first valid token
/// unedited (mode 1), and every valid token of an HMAC group as its header
/// and claims JSON to re-sign (mode 2).
pub fn seeds() -> Vec<Vec<u8>> {
    let all = groups();
    let mut out = Vec::new();
    for mode in 0..3u8 {
        for (n, &i) in selectable(mode).iter().enumerate() {
            let byte = u8::try_from(n).expect("fewer than 256 groups");
            match mode {
                0 => {
                    let mut seen = Vec::new();
                    for t in &all[i].group.tests {
                        if !seen.contains(&(&t.result, &t.error)) {
                            seen.push((&t.result, &t.error));
                            out.push([&[byte, 0][..], t.token.as_bytes()].concat());
                        }
                    }
                }
                1 => out.push(vec![byte, 1, 0]),
                _ => {
                    for token in &all[i].valid {
                        let Some(segments) = decoded_segments(token) else {
                            continue;
                        };
                        out.push([&[byte, 2][..], &segments[0], b"\n", &segments[1]].concat());
                    }
                }
            }
        }
    }
    out
}

/// An edit of a token's text.
#[derive(Debug, Clone, Arbitrary)]
pub enum Edit {
    /// Flip one bit of the byte at `at` (positions wrap around the length).
    Flip {
        at: u16,
        bit: u8,
    },
    Set {
        at: u16,
        byte: u8,
    },
    Insert {
        at: u16,
        byte: u8,
    },
    Remove {
        at: u16,
    },
    Truncate {
        at: u16,
    },
    /// Replace segment `which` (mod 3) with the base64url of `bytes`.
    Segment {
        which: u8,
        bytes: Vec<u8>,
    },
    /// Decode segment `which`, set its byte `at` to `byte`, encode it again:
    /// well-formed base64url whose JSON or signature changed.
    Inner {
        which: u8,
        at: u16,
        byte: u8,
    },
    /// Exchange two segments.
    Swap {
        a: u8,
        b: u8,
    },
}

fn apply(token: &mut Vec<u8>, edit: &Edit) {
    let wrap = |at: u16, len: usize| if len == 0 { 0 } else { usize::from(at) % len };
    match *edit {
        Edit::Flip { at, bit } if !token.is_empty() => {
            let i = wrap(at, token.len());
            token[i] ^= 1 << (bit % 8);
        }
        Edit::Set { at, byte } if !token.is_empty() => {
            let i = wrap(at, token.len());
            token[i] = byte;
        }
        Edit::Insert { at, byte } => {
            let i = wrap(at, token.len() + 1);
            token.insert(i, byte);
        }
        Edit::Remove { at } if !token.is_empty() => {
            let i = wrap(at, token.len());
            token.remove(i);
        }
        Edit::Truncate { at } => {
            let i = wrap(at, token.len() + 1);
            token.truncate(i);
        }
        Edit::Segment { which, ref bytes } => {
            with_segments(token, |segments| {
                segments[usize::from(which) % 3] = URL_SAFE_NO_PAD.encode(bytes).into_bytes();
            });
        }
        Edit::Inner { which, at, byte } => {
            with_segments(token, |segments| {
                let s = &mut segments[usize::from(which) % 3];
                if let Ok(mut decoded) = URL_SAFE_NO_PAD.decode(&*s) {
                    if !decoded.is_empty() {
                        let i = wrap(at, decoded.len());
                        decoded[i] = byte;
                        *s = URL_SAFE_NO_PAD.encode(decoded).into_bytes();
                    }
                }
            });
        }
        Edit::Swap { a, b } => {
            with_segments(token, |segments| {
                segments.swap(usize::from(a) % 3, usize::from(b) % 3);
            });
        }
        _ => {}
    }
}

/// Runs `f` on the three dot-separated segments, if there are three.
fn with_segments(token: &mut Vec<u8>, f: impl FnOnce(&mut [Vec<u8>; 3])) {
    let parts: Vec<Vec<u8>> = token.split(|&b| b == b'.').map(<[u8]>::to_vec).collect();
    let Ok(mut segments) = <[Vec<u8>; 3]>::try_from(parts) else {
        return;
    };
    f(&mut segments);
    *token = segments.join(&b'.');
}

pub fn run(data: &[u8]) {
    let [group_byte, mode, rest @ ..] = data else {
        return;
    };
    let usable = selectable(*mode);
    if usable.is_empty() {
        return;
    }
    let g = &groups()[usable[usize::from(*group_byte) % usable.len()]];
    match mode % 3 {
        1 => mutate(g, rest),
        2 => resign(g, rest),
        _ => {
            check(g, &String::from_utf8_lossy(rest));
        }
    }
}

fn mutate(g: &Configured, rest: &[u8]) {
    let mut u = Unstructured::new(rest);
    let Ok(choice) = u8::arbitrary(&mut u) else {
        return;
    };
    let original = &g.valid[usize::from(choice) % g.valid.len()];
    let Ok(edits) = Vec::<Edit>::arbitrary_take_rest(u) else {
        return;
    };
    let mut bytes = original.clone().into_bytes();
    for edit in &edits {
        apply(&mut bytes, edit);
    }
    let token = String::from_utf8_lossy(&bytes).into_owned();
    let accepted = check(g, &token);
    if accepted && token != *original {
        assert_eq!(
            decoded_segments(&token),
            decoded_segments(original),
            "an edited token was accepted: {token}"
        );
    }
}

fn decoded_segments(token: &str) -> Option<Vec<Vec<u8>>> {
    token
        .split('.')
        .map(|s| URL_SAFE_NO_PAD.decode(s).ok())
        .collect()
}

fn resign(g: &Configured, rest: &[u8]) {
    let Some(secret) = &g.secret else { return };
    let (header, claims) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let named = serde_json::from_slice::<Value>(header)
        .ok()
        .and_then(|h| h.get("alg")?.as_str().map(str::to_string));
    let alg = [
        named.as_deref(),
        g.group.algorithms.first().map(String::as_str),
    ]
    .into_iter()
    .flatten()
    .find_map(|name| match name {
        "HS256" => Some(jsonwebtoken::Algorithm::HS256),
        "HS384" => Some(jsonwebtoken::Algorithm::HS384),
        "HS512" => Some(jsonwebtoken::Algorithm::HS512),
        _ => None,
    });
    let Some(alg) = alg else { return };
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let key = jsonwebtoken::EncodingKey::from_secret(secret);
    let signature =
        jsonwebtoken::crypto::sign(input.as_bytes(), &key, alg).expect("HMAC signing cannot fail");
    check(g, &format!("{input}.{signature}"));
}

/// Verifies `token` as the group says and checks what an acceptance
/// implies; returns whether it was accepted.
fn check(g: &Configured, token: &str) -> bool {
    if g.group.kind == "JwsVerify" {
        let Ok(jws) = verify_jws(token, &g.policy) else {
            return false;
        };
        let segments = decoded_segments(token).expect("an accepted JWS decodes");
        assert_eq!(
            jws.payload, segments[1],
            "returned payload is not the token's"
        );
        check_alg(g, &jws.header);
        return true;
    }
    let now = g.group.validation.as_ref().map_or(0, |v| v.now);
    let Ok(claims) = verify(token, &g.policy, now) else {
        return false;
    };
    let segments = decoded_segments(token).expect("an accepted JWT decodes");
    let header: Map<String, Value> =
        serde_json::from_slice(&segments[0]).expect("an accepted header is an object");
    check_alg(g, &header);
    let own: Map<String, Value> =
        serde_json::from_slice(&segments[1]).expect("accepted claims are an object");
    assert_eq!(claims.as_map(), &own, "returned claims are not the token's");
    check_claims(g, &own);
    true
}

fn check_alg(g: &Configured, header: &Map<String, Value>) {
    let alg = header.get("alg").and_then(Value::as_str);
    assert!(
        alg.is_some_and(|a| g.group.algorithms.iter().any(|b| b == a)),
        "accepted under alg {alg:?}, configured {:?}",
        g.group.algorithms
    );
}

fn check_claims(g: &Configured, claims: &Map<String, Value>) {
    let Some(v) = &g.group.validation else { return };
    let number = |name: &str| -> Option<f64> {
        claims.get(name).map(|c| {
            c.as_f64()
                .unwrap_or_else(|| panic!("accepted a non-numeric {name}: {c}"))
        })
    };
    for name in ["iss", "sub", "jti"] {
        if let Some(c) = claims.get(name) {
            assert!(c.is_string(), "accepted a non-string {name}: {c}");
        }
    }
    let (now, leeway) = (v.now as f64, v.leeway as f64);
    if let Some(exp) = number("exp") {
        assert!(
            now < exp + leeway,
            "accepted at {now} a token expired at {exp}"
        );
    }
    if let Some(nbf) = number("nbf") {
        assert!(
            now + leeway >= nbf,
            "accepted at {now} a token valid from {nbf}"
        );
    }
    number("iat");
    if let Some(iss) = &v.iss {
        assert_eq!(
            claims.get("iss").and_then(Value::as_str),
            Some(iss.as_str())
        );
    }
    let aud: Option<Vec<&str>> = claims.get("aud").map(|a| match a {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().expect("accepted a non-string audience"))
            .collect(),
        other => panic!("accepted aud {other}"),
    });
    match (&v.aud, aud) {
        (None, aud) => assert!(
            aud.is_none(),
            "accepted an audience none was configured for"
        ),
        (Some(ours), Some(theirs)) => assert!(
            theirs.iter().any(|a| ours.iter().any(|o| o == a)),
            "accepted audience {theirs:?}, configured {ours:?}"
        ),
        (Some(_), None) => panic!("accepted a token without aud"),
    }
    for name in &v.required {
        assert!(
            claims.contains_key(name),
            "accepted without required {name}"
        );
    }
}
