//! RFC 6750 (bearer tokens): where a token travels, the 401 challenge, and
//! RFC 6455 §4.2.2 for the `bearer.` subprotocol carrier.

use super::exchange::{
    answered, challenge, exchange, minted, refuse_missing, refuse_sized, Attempt, CHALLENGE,
    REFUSED,
};
use super::mint;
use super::rfc7515::bad_signature;
use crate::case::{case, Case, Run};
use crate::cases::handshake::open::{check_101, RFC_ACCEPT};
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::target::{AuthSettings, TokenIn};
use crate::verdict::Outcome;
use serde_json::json;

const HEADER_CARRIER: Rule = Rule::new(
    "RFC 6750",
    "2.1",
    "Clients SHOULD make authenticated requests with a bearer token using the \"Authorization\" request \
     header field with the \"Bearer\" HTTP authorization scheme.  Resource servers MUST support this method.",
);

const SUBPROTOCOL_CHOSEN: Rule = Rule::new(
    "RFC 6455",
    "4.2.2",
    "The value chosen MUST be derived from the client's handshake, specifically by selecting one of the \
     values from the |Sec-WebSocket-Protocol| field that the server is willing to use for this connection \
     (if any).",
);

const NO_ERROR_INFO: Rule = Rule::new(
    "RFC 6750",
    "3.1",
    "If the request lacks any authentication information (e.g., the client was unaware \
that authentication is necessary or attempted using an unsupported authentication method), the resource server \
SHOULD NOT include an error code or other error information.",
);

const INVALID_TOKEN: Rule = Rule::new(
    "RFC 6750",
    "3.1",
    "invalid_token The access token provided is expired, revoked, malformed, or invalid for \
other reasons.  The resource SHOULD respond with the HTTP 401 (Unauthorized) status code.",
);

pub fn cases() -> Vec<Case> {
    vec![
        case(Case {
            id: "auth.6750.valid-token".into(),
            title: "A valid token is accepted".into(),
            rule: HEADER_CARRIER,
            sends: "a handshake with a valid token (configured alg, aud, iss, exp in 10 min) in the configured carrier".into(),
            expects: "101 with the correct Sec-WebSocket-Accept".into(),
            run: Run::Fn(valid_token),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.6750.protocol-not-echoed".into(),
            title: "A token in a bearer. subprotocol is never selected in the 101".into(),
            rule: SUBPROTOCOL_CHOSEN,
            sends: "a valid token as the only offered subprotocol, bearer.<token>".into(),
            expects: "101 without Sec-WebSocket-Protocol: bearer.… (UNIMPLEMENTED when the target does not take this carrier, \
                      unless --token-in protocol)"
                .into(),
            run: Run::Fn(protocol_not_echoed),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.6750.missing-token".into(),
            title: "A handshake without a token is refused".into(),
            rule: CHALLENGE,
            sends: "a valid handshake with no token anywhere".into(),
            expects: REFUSED.into(),
            run: refuse_missing(no_token),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.6750.missing-token-challenge".into(),
            title: "Without a token: 401 with WWW-Authenticate: Bearer and no error code".into(),
            rule: NO_ERROR_INFO,
            sends: "a valid handshake with no token anywhere".into(),
            expects: "401 with WWW-Authenticate: Bearer without error= (an error code NON-STRICT; no challenge FAILED)".into(),
            run: Run::Fn(missing_token_challenge),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.6750.invalid-token-challenge".into(),
            title: "A bad token: 401 with WWW-Authenticate: Bearer error=\"invalid_token\"".into(),
            rule: INVALID_TOKEN,
            sends: "a token whose signature has one bit flipped".into(),
            expects: "401 with WWW-Authenticate: Bearer error=\"invalid_token\" (no error code NON-STRICT; no challenge FAILED)".into(),
            run: Run::Fn(invalid_token_challenge),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.6750.oversized-token".into(),
            title: "A 16 KiB token is refused with a response".into(),
            rule: INVALID_TOKEN,
            sends: "a 16 KiB token (a 12 KiB claim) whose signature does not match".into(),
            expects: "401, or 413/414/431 for its size; never 101 or silence".into(),
            run: refuse_sized(oversized),
            ..Case::BASE
        }),
    ]
}

fn valid_token(ctx: &mut Ctx) -> Outcome {
    let (answer, _, _) = match exchange(ctx, |s, now| minted(mint::token(s, now, |_| {}))) {
        Ok(x) => x,
        Err(o) => return o,
    };
    if let Err(o) = check_101(&answer, RFC_ACCEPT) {
        return o;
    }
    Outcome::ok("a valid token: 101 with the right Sec-WebSocket-Accept")
}

fn protocol_not_echoed(ctx: &mut Ctx) -> Outcome {
    let required = ctx.auth.is_some_and(|s| s.token_in == TokenIn::Protocol);
    let (answer, _, _) = match exchange(ctx, |s, now| {
        let mut attempt = minted(mint::token(s, now, |_| {}))?;
        attempt.carrier = Some(TokenIn::Protocol);
        Ok(attempt)
    }) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let r = match answered(&answer) {
        Ok(r) => r,
        Err(o) => return o,
    };
    if r.status != 101 {
        return if required {
            Outcome::failed(format!(
                "a valid token in the bearer. subprotocol was refused with {}",
                r.status_line()
            ))
        } else {
            Outcome::unimplemented(format!(
                "the target refused a token in the bearer. subprotocol ({}); --token-in protocol makes this case required",
                r.status
            ))
        };
    }
    match r.values("Sec-WebSocket-Protocol").first() {
        Some(p) if p.starts_with(b"bearer.") => {
            Outcome::failed("the 101 selected the bearer.<token> subprotocol, echoing the token")
        }
        _ => Outcome::ok("101 without selecting the bearer. subprotocol"),
    }
}

fn no_token(_: &AuthSettings, _: u64) -> Result<Attempt, Outcome> {
    Ok(Attempt {
        token: None,
        carrier: None,
    })
}

fn missing_token_challenge(ctx: &mut Ctx) -> Outcome {
    let (answer, _, _) = match exchange(ctx, no_token) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let r = match answered(&answer) {
        Ok(r) => r,
        Err(o) => return o,
    };
    match (r.status, challenge(r)) {
        (101, _) => Outcome::failed("accepted with 101 a request without a token"),
        (401, Some(c)) if c.to_ascii_lowercase().contains("error=") => {
            Outcome::non_strict(format!(
                "401 with WWW-Authenticate: {c}; without credentials no error code SHOULD be sent"
            ))
        }
        (401, Some(c)) => Outcome::ok(format!("401 with WWW-Authenticate: {c}")),
        (400..=499, Some(c)) => {
            Outcome::non_strict(format!("{} with WWW-Authenticate: {c}", r.status))
        }
        (_, _) => Outcome::failed(format!(
            "{} without a WWW-Authenticate: Bearer challenge",
            r.status_line()
        )),
    }
}

fn invalid_token_challenge(ctx: &mut Ctx) -> Outcome {
    let (answer, _, _) = match exchange(ctx, bad_signature) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let r = match answered(&answer) {
        Ok(r) => r,
        Err(o) => return o,
    };
    match (r.status, challenge(r)) {
        (101, _) => Outcome::failed("accepted with 101 a token with a bad signature"),
        (401, Some(c)) if c.contains("error=\"invalid_token\"") => {
            Outcome::ok(format!("401 with WWW-Authenticate: {c}"))
        }
        (400..=499, Some(c)) => Outcome::non_strict(format!(
            "{} with WWW-Authenticate: {c}; RFC 6750 §3.1 asks 401 with error=\"invalid_token\"",
            r.status
        )),
        (_, _) => Outcome::failed_by(
            CHALLENGE,
            format!(
                "{} without a WWW-Authenticate: Bearer challenge",
                r.status_line()
            ),
        ),
    }
}

/// 16 KiB of claims under a signature that does not match: it must be
/// refused whatever the target's size limits are.
fn oversized(s: &AuthSettings, now: u64) -> Result<Attempt, Outcome> {
    let t = mint::token(s, now, |c| {
        c.insert("pad".into(), json!("x".repeat(12 * 1024)));
    })
    .map_err(Outcome::unimplemented)?;
    let (input, _) = t.rsplit_once('.').expect("three");
    Ok(Attempt::token(format!("{input}.{}", mint::b64(&[0u8; 32]))))
}
