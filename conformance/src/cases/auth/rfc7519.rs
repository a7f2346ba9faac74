//! RFC 7519 (JWT): the time claims, audience, issuer, and a Claims Set that
//! is a JSON object; expiry during an open connection.

use super::exchange::{minted, now, refuse, NEEDS_KEY, REFUSED};
use super::mint;
use crate::case::{case, Case, Run};
use crate::cases::handshake::open::{check_101, RFC_ACCEPT, RFC_KEY};
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::target::{FrameEnd, ReadEnd};
use crate::verdict::Outcome;
use crate::wire::close_code;
use crate::wire::observer::{Event, Observer};
use serde_json::json;
use std::time::Duration;

const EXP: Rule = Rule::new(
    "RFC 7519",
    "4.1.4",
    "The processing of the \"exp\" claim requires that the current date/time MUST be before the \
expiration date/time listed in the \"exp\" claim.",
);

const NBF: Rule = Rule::new(
    "RFC 7519",
    "4.1.5",
    "The processing of the \"nbf\" claim requires that the current date/time MUST be after or \
equal to the not-before date/time listed in the \"nbf\" claim.",
);

const AUD: Rule = Rule::new(
    "RFC 7519",
    "4.1.3",
    "If the principal processing the claim does not identify itself with a value in the \"aud\" \
claim when this claim is present, then the JWT MUST be rejected.",
);

const ISS: Rule = Rule::new(
    "RFC 7519",
    "4.1.1",
    "The \"iss\" (issuer) claim identifies the principal that issued the JWT.  The processing of \
this claim is generally application specific.",
);

const CLAIMS_OBJECT: Rule = Rule::new(
    "RFC 7519",
    "7.2",
    "10.  Verify that the resulting octet sequence is a UTF-8-encoded representation of a \
completely valid JSON object conforming to RFC 7159 [RFC7159]; let the JWT Claims Set be this JSON object.",
);

pub fn cases() -> Vec<Case> {
    vec![
        case(Case {
            id: "auth.7519.expired".into(),
            title: "A token that expired an hour ago is refused".into(),
            rule: EXP,
            sends: "a token with exp one hour in the past".into(),
            expects: REFUSED.into(),
            // An hour past: beyond any leeway of "a few minutes".
            run: refuse(|s, now| {
                minted(mint::token(s, now, |c| {
                    c.insert("iat".into(), json!(now - 7200));
                    c.insert("exp".into(), json!(now - 3600));
                }))
            }),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.7519.not-yet-valid".into(),
            title: "A token valid only from an hour hence is refused".into(),
            rule: NBF,
            sends: "a token with nbf one hour in the future".into(),
            expects: REFUSED.into(),
            run: refuse(|s, now| {
                minted(mint::token(s, now, |c| {
                    c.insert("nbf".into(), json!(now + 3600));
                    c.insert("exp".into(), json!(now + 7200));
                }))
            }),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.7519.wrong-audience".into(),
            title: "A token for another audience is refused".into(),
            rule: AUD,
            sends: "a token with aud \"urn:voxproof:someone-else\"".into(),
            expects: REFUSED.into(),
            run: refuse(|s, now| {
                minted(mint::token(s, now, |c| {
                    c.insert("aud".into(), json!("urn:voxproof:someone-else"));
                }))
            }),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.7519.wrong-issuer".into(),
            title: "A token from another issuer is refused".into(),
            rule: ISS,
            sends: "a token with iss \"urn:voxproof:someone-else\" (needs --jwt-iss)".into(),
            expects: REFUSED.into(),
            run: refuse(|s, now| {
                if s.iss.is_none() {
                    return Err(Outcome::unimplemented(
                        "pass --jwt-iss ISS, the issuer the target expects",
                    ));
                }
                minted(mint::token(s, now, |c| {
                    c.insert("iss".into(), json!("urn:voxproof:someone-else"));
                }))
            }),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.7519.claims-not-object".into(),
            title: "A signed payload that is a JSON array is refused".into(),
            rule: CLAIMS_OBJECT,
            sends: "a correctly signed JWS whose payload is [\"voxproof\"]".into(),
            expects: REFUSED.into(),
            run: refuse(|s, _| minted(mint::jws(s, &mint::header(&s.alg), b"[\"voxproof\"]"))),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.7519.expiry-during-connection".into(),
            title: "A token expiring during the connection ends it".into(),
            rule: EXP,
            sends: "a token expiring 2–3 s after issue, a valid handshake, then nothing".into(),
            expects: "a close frame with 1008 once the token expired (another code NON-STRICT; open past expiry \
                      INFORMATIONAL; closed before expiry FAILED)"
                .into(),
            min_timeout: Some(Duration::from_secs(6)),
            run: Run::Fn(expiry_during_connection),
            ..Case::BASE
        }),
    ]
}

fn expiry_during_connection(ctx: &mut Ctx) -> Outcome {
    let Some(settings) = ctx.auth else {
        return Outcome::unimplemented(NEEDS_KEY);
    };
    // exp is whole seconds, 2 to 3 s ahead; a close earlier than 1.5 s before
    // it cannot be the expiry.
    let exp = now().ceil() + 2.0;
    let token = match mint::token(settings, now() as u64, |c| {
        c.insert("exp".into(), json!(exp as u64));
    }) {
        Ok(t) => t,
        Err(e) => return Outcome::unimplemented(format!("cannot mint the token: {e}")),
    };
    let target = settings.target.as_ref().unwrap_or(ctx.target);
    let request = mint::request(target, Some(&token), settings.token_in, RFC_KEY);
    let mut conn = match ctx.connect_to(target) {
        Ok(c) => c,
        Err(o) => return o,
    };
    if let Err(e) = conn.send(&request) {
        return Outcome::failed(e);
    }
    if let Err(o) = check_101(&conn.read_http_response(), RFC_ACCEPT) {
        return o;
    }
    let early = |t: f64| t < exp - 1.5;
    let mut observer = Observer::new().with_max_payload(1 << 20);
    loop {
        let read = conn.observe(&mut observer);
        while let Some(seen) = observer.poll_event() {
            let code = match seen.event {
                Event::Violation(v) => return Outcome::failed_by(v.rule, v.detail),
                Event::Unreadable(e) => return Outcome::failed(e),
                Event::Close { code, .. } => code,
                Event::Message { .. } | Event::Ping(_) | Event::Pong(_) => continue,
            };
            let at = now();
            // The close reply.
            let _ = conn.send_replies(&mut observer, [1, 2, 3, 4]);
            return if early(at) {
                Outcome::failed(format!(
                    "closed with {} {:.1} s before the token expired",
                    close_code::Code(code),
                    exp - at
                ))
            } else if code == Some(close_code::POLICY_VIOLATION) {
                Outcome::ok("closed with 1008 (policy violation) when the token expired")
            } else {
                Outcome::non_strict(format!(
                    "closed with {} when the token expired; 1008 (policy violation) fits",
                    close_code::Code(code)
                ))
            };
        }
        // Pongs for the target's pings.
        let _ = conn.send_replies(&mut observer, [1, 2, 3, 4]);
        match read {
            Ok(()) => {}
            // The observer has reported the bytes above.
            Err(FrameEnd::Invalid(e)) => return Outcome::failed(format!("not a WebSocket frame: {e}")),
            Err(FrameEnd::Read(ReadEnd::TimedOut, _)) => {
                return Outcome::informational(
                    "the connection stayed open after the token expired (RFC 6750 does not require closing it)",
                )
            }
            Err(FrameEnd::Read(end, _)) => {
                let at = now();
                return if early(at) {
                    Outcome::failed(format!("dropped the connection ({end}) while the token was valid"))
                } else {
                    Outcome::non_strict(format!(
                        "dropped the connection ({end}) at expiry without a close frame"
                    ))
                };
            }
        }
    }
}
