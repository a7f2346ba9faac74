//! What every auth case shares: the handshake it sends and the verdict on a token that must be
//! refused ([docs/auth.md](../../../../docs/auth.md#severities)).

use super::mint;
use crate::case::Run;
use crate::cases::handshake::open::RFC_KEY;
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::target::{AuthSettings, Conn, HttpAnswer, TokenIn};
use crate::verdict::Outcome;
use crate::wire::http::HttpResponse;
use std::time::{SystemTime, UNIX_EPOCH};

pub const NEEDS_KEY: &str =
    "pass --jwt-secret S or --jwt-private-key PEM, the target's key (see docs/auth.md)";

/// What most auth cases expect: the answer [`judge_refusal`] calls OK.
pub const REFUSED: &str =
    "refused before the upgrade: 401 with WWW-Authenticate: Bearer (another 4xx NON-STRICT; 101 or silence FAILED)";

/// What a case expects whose token is wrong only in form ([`Flaw::Form`]).
pub const REFUSED_FORM: &str =
    "refused before the upgrade: 401 with WWW-Authenticate: Bearer (another 4xx NON-STRICT; 101 NON-STRICT, \
the token being genuine and only its form wrong; silence FAILED)";

/// What every refusal needs, and what silence (or a status that is neither
/// 101 nor a 4xx) breaks whatever the case is about.
pub const CHALLENGE: Rule = Rule::new(
    "RFC 6750",
    "3",
    "If the protected resource request does not include authentication credentials or does not \
contain an access token that enables access to the protected resource, the resource server MUST include the HTTP \
\"WWW-Authenticate\" response header field",
);

/// What is wrong with what a refusal case sends, which decides how bad a 101 is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaw {
    /// No token at all.
    Missing,
    /// A token that must not grant access: forged, unsigned, expired, not
    /// yet valid, for another audience or issuer, or not a JWT: a 101 is FAILED.
    Token,
    /// A token the key holder signed, with good claims, whose encoding or
    /// header is stricter than a lenient parser needs; the reason accepting
    /// it is only NON-STRICT.
    Form(&'static str),
}

/// What a case sends: a token (or none) and where it goes (`None`: the
/// configured carrier).
pub struct Attempt {
    pub token: Option<String>,
    pub carrier: Option<TokenIn>,
}

impl Attempt {
    /// A token in the configured carrier.
    pub fn token(token: String) -> Attempt {
        Attempt {
            token: Some(token),
            carrier: None,
        }
    }
}

/// Builds a case's attempt from the settings and the clock (seconds).
pub type Build = fn(&AuthSettings, u64) -> Result<Attempt, Outcome>;

/// The clock, in seconds since the epoch.
pub fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// A token from [`mint`], or UNIMPLEMENTED when it cannot be minted.
pub fn minted(r: Result<String, String>) -> Result<Attempt, Outcome> {
    r.map(Attempt::token)
        .map_err(|e| Outcome::unimplemented(format!("cannot mint the token: {e}")))
}

/// Whether `token` cannot be a subprotocol: RFC 6455 §4.1 makes each
/// Sec-WebSocket-Protocol element an RFC 2616 token, so a server may refuse
/// such a request with 400 before it looks at the token.
fn not_a_protocol_token(token: &str) -> bool {
    !token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The answer, the connection, and the statuses as good as 401 for this
/// request (400 when the token broke the subprotocol grammar).
pub type Exchanged = (HttpAnswer, Conn, &'static [u16]);

/// Send the handshake a case builds to the auth target; the answer and the
/// connection.
pub fn exchange(ctx: &mut Ctx, build: Build) -> Result<Exchanged, Outcome> {
    let Some(settings) = ctx.auth else {
        return Err(Outcome::unimplemented(NEEDS_KEY));
    };
    let attempt = build(settings, now() as u64)?;
    let target = settings.target.as_ref().unwrap_or(ctx.target);
    let carrier = attempt.carrier.unwrap_or(settings.token_in);
    let request = mint::request(target, attempt.token.as_deref(), carrier, RFC_KEY);
    let mut conn = ctx.connect_to(target)?;
    conn.send(&request).map_err(Outcome::failed)?;
    let grammar: &[u16] = match &attempt.token {
        Some(t) if carrier == TokenIn::Protocol && not_a_protocol_token(t) => &[400],
        _ => &[],
    };
    Ok((conn.read_http_response(), conn, grammar))
}

/// The `WWW-Authenticate: Bearer …` challenge of a response, if any.
pub fn challenge(r: &HttpResponse) -> Option<String> {
    r.values("WWW-Authenticate")
        .iter()
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .find(|v| {
            v.split_whitespace()
                .next()
                .is_some_and(|s| s.trim_end_matches(',').eq_ignore_ascii_case("bearer"))
        })
}

/// The HTTP response, or FAILED when there is none.
pub fn answered(answer: &HttpAnswer) -> Result<&HttpResponse, Outcome> {
    match answer {
        HttpAnswer::Response(r) => Ok(r),
        no @ (HttpAnswer::NoResponse(..) | HttpAnswer::Malformed(_)) => Err(Outcome::failed_by(
            CHALLENGE,
            format!("{no}; a refusal must be an HTTP error response"),
        )),
    }
}

/// The verdict on the answer to a token that must be refused before the
/// upgrade. Statuses in `also_ok` are as good as a 401 (413/414/431 for an
/// oversized token, 400 for a token the request grammar cannot carry).
pub fn judge_refusal(answer: &HttpAnswer, also_ok: &[u16], flaw: Flaw) -> Outcome {
    let r = match answered(answer) {
        Ok(r) => r,
        Err(o) => return o,
    };
    match r.status {
        101 => match flaw {
            Flaw::Missing => Outcome::failed("accepted with 101 a request that carried no token"),
            Flaw::Token => Outcome::failed("accepted with 101 a token that must be refused"),
            Flaw::Form(why) => Outcome::non_strict(format!(
                "accepted with 101 a token the RFC makes invalid for its form alone: {why}"
            )),
        },
        401 => match challenge(r) {
            Some(c) => Outcome::ok(format!("refused with 401 (WWW-Authenticate: {c})")),
            None => Outcome::non_strict(
                "refused with 401 but without a WWW-Authenticate: Bearer challenge (RFC 6750 §3)",
            ),
        },
        s if also_ok.contains(&s) => Outcome::ok(format!("refused with {}", r.status_line())),
        400..=499 if flaw == Flaw::Missing => Outcome::non_strict(format!(
            "refused with {}; a request without credentials gets 401 with a Bearer challenge (RFC 6750 §3)",
            r.status_line()
        )),
        400..=499 => Outcome::non_strict(format!(
            "refused with {}; RFC 6750 §3.1 asks 401 for an invalid token",
            r.status_line()
        )),
        _ => Outcome::failed_by(
            CHALLENGE,
            format!(
                "answered {}: neither 101 nor a refusal of the request",
                r.status_line()
            ),
        ),
    }
}

/// A case whose token must be refused ([`REFUSED`]).
pub fn refuse(build: Build) -> Run {
    refuse_or(build, &[], Flaw::Token)
}

/// A case whose request carries no token ([`REFUSED`]).
pub fn refuse_missing(build: Build) -> Run {
    refuse_or(build, &[], Flaw::Missing)
}

/// A case whose token is wrong in form only ([`REFUSED_FORM`]); `why`
/// says why accepting it is NON-STRICT.
pub fn refuse_form(build: Build, why: &'static str) -> Run {
    refuse_or(build, &[], Flaw::Form(why))
}

/// [`refuse`], where 413/414/431 (too large) are as good as a 401.
pub fn refuse_sized(build: Build) -> Run {
    refuse_or(build, &[413, 414, 431], Flaw::Token)
}

fn refuse_or(build: Build, size: &'static [u16], flaw: Flaw) -> Run {
    Run::with(move |ctx: &mut Ctx| match exchange(ctx, build) {
        Ok((answer, _, grammar)) => judge_refusal(&answer, &[size, grammar].concat(), flaw),
        Err(o) => o,
    })
}
