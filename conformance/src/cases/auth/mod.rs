//! Bearer-token cases (`auth.*`): a WebSocket upgrade that needs a JWT
//! (RFC 6750 carriers, RFC 7515/7518/7519 tokens, RFC 8725 attacks).
//!
//! The suite mints every token itself ([`mint`]) from the key material the
//! user gives (`--jwt-secret` or `--jwt-private-key`); without it every case
//! is UNIMPLEMENTED. Tokens that must be refused are judged by
//! [`judge_refusal`]: 101 FAILED, 401 OK, another 4xx NON-STRICT, anything
//! else (or silence) FAILED.

pub mod mint;

use crate::case::{Case, Run};
use crate::cases::handshake::open::{check_101, RFC_ACCEPT, RFC_KEY};
use crate::ctx::Ctx;
use crate::rule::Rule;
pub use crate::target::{AuthSettings, Key, TokenIn};
use crate::target::{FrameEnd, HttpAnswer, ReadEnd};
use crate::verdict::Outcome;
use crate::wire::close_code;
use crate::wire::http::HttpResponse;
use crate::wire::observer::{Event, Observer};
use base64::Engine;
use serde_json::{json, Value};

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const NEEDS_KEY: &str =
    "auth cases need key material: pass --jwt-secret S or --jwt-private-key PEM (with --jwt-alg)";

/// What a case sends: a token (or none) and where it goes.
struct Send {
    token: Option<String>,
    carrier: Option<TokenIn>,
}

type Build = fn(&AuthSettings, u64) -> Result<Send, Outcome>;

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn minted(r: Result<String, String>) -> Result<Send, Outcome> {
    r.map(|t| Send {
        token: Some(t),
        carrier: None,
    })
    .map_err(|e| Outcome::unimplemented(format!("cannot mint the token: {e}")))
}

/// Send the handshake a case builds to the auth target; the answer and the connection.
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
type Exchanged = (HttpAnswer, crate::target::Conn, &'static [u16]);

fn exchange(ctx: &mut Ctx, build: Build) -> Result<Exchanged, Outcome> {
    let Some(settings) = ctx.auth else {
        return Err(Outcome::unimplemented(NEEDS_KEY));
    };
    let send = build(settings, now() as u64)?;
    let target = settings.target.as_ref().unwrap_or(ctx.target);
    let carrier = send.carrier.unwrap_or(settings.token_in);
    let request = mint::request(target, send.token.as_deref(), carrier, RFC_KEY);
    let mut conn = ctx.connect_to(target)?;
    conn.send(&request).map_err(Outcome::failed)?;
    let grammar: &[u16] = match &send.token {
        Some(t) if carrier == TokenIn::Protocol && not_a_protocol_token(t) => &[400],
        _ => &[],
    };
    Ok((conn.read_http_response(), conn, grammar))
}

fn challenge(r: &HttpResponse) -> Option<String> {
    r.values("WWW-Authenticate")
        .iter()
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .find(|v| {
            v.split_whitespace()
                .next()
                .is_some_and(|s| s.trim_end_matches(',').eq_ignore_ascii_case("bearer"))
        })
}

fn answered(answer: &HttpAnswer) -> Result<&HttpResponse, Outcome> {
    match answer {
        HttpAnswer::Response(r) => Ok(r),
        HttpAnswer::NoResponse(end, n) => Err(Outcome::failed(format!(
            "no HTTP response: {end:?} after {n} bytes; a refusal must be an HTTP error response"
        ))),
        HttpAnswer::Malformed(e) => Err(Outcome::failed(format!("malformed HTTP response: {e}"))),
    }
}

/// The verdict on the answer to a token that must be refused before the
/// upgrade. Statuses in `also_ok` are as good as a 401 (413/414/431 for an
/// oversized token, 400 for a token the request grammar cannot carry).
pub fn judge_refusal(answer: &HttpAnswer, also_ok: &[u16]) -> Outcome {
    let r = match answered(answer) {
        Ok(r) => r,
        Err(o) => return o,
    };
    match r.status {
        101 => Outcome::failed("accepted with 101 a token that must be refused"),
        401 => match challenge(r) {
            Some(c) => Outcome::ok(format!("refused with 401 (WWW-Authenticate: {c})")),
            None => Outcome::non_strict(
                "refused with 401 but without a WWW-Authenticate: Bearer challenge (RFC 6750 §3)",
            ),
        },
        s if also_ok.contains(&s) => Outcome::ok(format!("refused with {}", r.status_line())),
        400..=499 => Outcome::non_strict(format!(
            "refused with {}; RFC 6750 §3.1 asks 401 for an invalid token",
            r.status_line()
        )),
        _ => Outcome::failed(format!(
            "answered {}: neither 101 nor a refusal of the token",
            r.status_line()
        )),
    }
}

fn refuse_run(build: Build, size_ok: bool) -> Run {
    Run::with(move |ctx: &mut Ctx| match exchange(ctx, build) {
        Ok((answer, _, grammar)) => {
            let size: &[u16] = if size_ok { &[413, 414, 431] } else { &[] };
            judge_refusal(&answer, &[size, grammar].concat())
        }
        Err(o) => o,
    })
}

#[allow(clippy::too_many_arguments)]
#[track_caller]
fn case(
    id: &str,
    title: &str,
    section: &str,
    requirement: &str,
    sends: &str,
    expects: &str,
    min_timeout: Option<Duration>,
    run: Run,
) -> Case {
    let (rfc, section) = section.split_once(" §").unwrap_or((section, ""));
    crate::case::case(Case {
        id: id.to_string().into(),
        title: title.to_string().into(),
        rule: Rule::from_citation(&format!("{rfc} §{section}"), requirement),
        sends: sends.to_string().into(),
        expects: expects.to_string().into(),
        min_timeout,
        run,
        ..Case::BASE
    })
}

const REFUSED: &str =
    "refused before the upgrade: 401 with WWW-Authenticate: Bearer (another 4xx NON-STRICT; 101 or silence FAILED)";

#[track_caller]
fn refusal(
    id: &str,
    title: &str,
    section: &str,
    requirement: &str,
    sends: &str,
    build: Build,
) -> Case {
    case(
        id,
        title,
        section,
        requirement,
        sends,
        REFUSED,
        None,
        refuse_run(build, false),
    )
}

// ------------------------------------------------------------ requirements

const R6750_3: &str = "If the protected resource request does not include authentication credentials or does not \
contain an access token that enables access to the protected resource, the resource server MUST include the HTTP \
\"WWW-Authenticate\" response header field";
const R6750_3_1_NO_INFO: &str = "If the request lacks any authentication information (e.g., the client was unaware \
that authentication is necessary or attempted using an unsupported authentication method), the resource server \
SHOULD NOT include an error code or other error information.";
const R6750_INVALID: &str =
    "invalid_token: The access token provided is expired, revoked, malformed, or invalid for \
other reasons.  The resource SHOULD respond with the HTTP 401 (Unauthorized) status code.";
const R7519_EXP: &str =
    "The processing of the \"exp\" claim requires that the current date/time MUST be before the \
expiration date/time listed in the \"exp\" claim.";
const R7519_NBF: &str =
    "The processing of the \"nbf\" claim requires that the current date/time MUST be after or \
equal to the not-before date/time listed in the \"nbf\" claim.";
const R7519_AUD: &str =
    "If the principal processing the claim does not identify itself with a value in the \"aud\" \
claim when this claim is present, then the JWT MUST be rejected.";
const R7519_ISS: &str =
    "The \"iss\" (issuer) claim identifies the principal that issued the JWT.  The processing of \
this claim is generally application specific.";
const R7519_OBJECT: &str = "10.  Verify that the resulting octet sequence is a UTF-8-encoded representation of a \
completely valid JSON object conforming to RFC 7159 [RFC7159]; let the JWT Claims Set be this JSON object.";
const R7515_SIG: &str = "8.  Validate the JWS Signature against the JWS Signing Input ASCII(BASE64URL(UTF8(JWS \
Protected Header)) || '.' || BASE64URL(JWS Payload)) in the manner defined for the algorithm being used [...]. \
Record whether the validation succeeded or not.";
const R7515_CRIT: &str =
    "If any of the listed extension Header Parameters are not understood and supported by the \
recipient, then the JWS is invalid.";
const R7515_CRIT_ABSENT: &str = "Producers MUST NOT include Header Parameter names defined by this specification or \
[JWA] for use with JWS, duplicate names, or names that do not occur as Header Parameter names within the JOSE Header \
in the \"crit\" list.";
const R7515_PARTS: &str = "1.  Parse the JWS representation to extract the serialized values for the components of \
the JWS.  When using the JWS Compact Serialization, these components are the base64url-encoded representations of \
the JWS Protected Header, the JWS Payload, and the JWS Signature";
const R7515_B64: &str = "Base64 encoding using the URL- and filename-safe character set defined in Section 5 of \
RFC 4648 [RFC4648], with all trailing '=' characters omitted (as permitted by Section 3.2) and without the inclusion \
of any line breaks, whitespace, or other additional characters.";
const R7515_HEADER: &str = "3.  Verify that the resulting octet sequence is a UTF-8-encoded representation of a \
completely valid JSON object conforming to RFC 7159 [RFC7159]; let the JOSE Header be this JSON object.";
const R8725_ONE_ALG: &str = "The library MUST ensure that the \"alg\" or \"enc\" header specifies the same \
algorithm that is used for the cryptographic operation.  Moreover, each key MUST be used with exactly one algorithm, \
and this MUST be checked when the cryptographic operation is performed.";
const R8725_ALGS: &str =
    "Libraries MUST enable the caller to specify a supported set of algorithms and MUST NOT use \
any other algorithms when performing cryptographic operations.";

// ------------------------------------------------------------ token builders

fn no_token(_: &AuthSettings, _: u64) -> Result<Send, Outcome> {
    Ok(Send {
        token: None,
        carrier: None,
    })
}

fn bad_signature(s: &AuthSettings, now: u64) -> Result<Send, Outcome> {
    let t = mint::token(s, now, |_| {}).map_err(Outcome::unimplemented)?;
    let (input, sig) = t.rsplit_once('.').expect("three segments");
    let mut bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(sig)
        .expect("own signature decodes");
    bytes[0] ^= 0x01;
    Ok(Send {
        token: Some(format!("{input}.{}", mint::b64(&bytes))),
        carrier: None,
    })
}

fn expired(s: &AuthSettings, now: u64) -> Result<Send, Outcome> {
    // An hour past: beyond any leeway of "a few minutes".
    minted(mint::token(s, now, |c| {
        c.insert("iat".into(), json!(now - 7200));
        c.insert("exp".into(), json!(now - 3600));
    }))
}

fn not_yet_valid(s: &AuthSettings, now: u64) -> Result<Send, Outcome> {
    minted(mint::token(s, now, |c| {
        c.insert("nbf".into(), json!(now + 3600));
        c.insert("exp".into(), json!(now + 7200));
    }))
}

fn wrong_audience(s: &AuthSettings, now: u64) -> Result<Send, Outcome> {
    minted(mint::token(s, now, |c| {
        c.insert("aud".into(), json!("urn:voxproof:someone-else"));
    }))
}

fn wrong_issuer(s: &AuthSettings, now: u64) -> Result<Send, Outcome> {
    if s.iss.is_none() {
        return Err(Outcome::unimplemented(
            "the target's issuer is unknown: pass --jwt-iss to enable this case",
        ));
    }
    minted(mint::token(s, now, |c| {
        c.insert("iss".into(), json!("urn:voxproof:someone-else"));
    }))
}

fn claims_not_object(s: &AuthSettings, _: u64) -> Result<Send, Outcome> {
    minted(mint::jws(s, &mint::header(&s.alg), b"[\"voxproof\"]"))
}

fn header_with(s: &AuthSettings, now: u64, header: Value) -> Result<Send, Outcome> {
    let claims = Value::Object(mint::claims(s, now)).to_string();
    minted(mint::jws(s, &header, claims.as_bytes()))
}

fn crit_unknown(s: &AuthSettings, now: u64) -> Result<Send, Outcome> {
    header_with(
        s,
        now,
        json!({"alg": s.alg, "typ": "JWT", "crit": ["urn:voxproof:unknown"], "urn:voxproof:unknown": true}),
    )
}

fn crit_absent(s: &AuthSettings, now: u64) -> Result<Send, Outcome> {
    header_with(
        s,
        now,
        json!({"alg": s.alg, "typ": "JWT", "crit": ["urn:voxproof:absent"]}),
    )
}

fn header_not_object(s: &AuthSettings, now: u64) -> Result<Send, Outcome> {
    header_with(s, now, json!([s.alg]))
}

fn segments(s: &AuthSettings, now: u64, edit: fn(&str) -> String) -> Result<Send, Outcome> {
    let t = mint::token(s, now, |_| {}).map_err(Outcome::unimplemented)?;
    Ok(Send {
        token: Some(edit(&t)),
        carrier: None,
    })
}

fn two_segments(s: &AuthSettings, now: u64) -> Result<Send, Outcome> {
    segments(s, now, |t| t.rsplit_once('.').expect("three").0.to_string())
}

fn four_segments(s: &AuthSettings, now: u64) -> Result<Send, Outcome> {
    segments(s, now, |t| {
        let sig = t.rsplit_once('.').expect("three").1;
        format!("{t}.{sig}")
    })
}

/// A payload segment that is not strict base64url, signed as sent: a target
/// whose decoder is lenient would find the signature good.
fn lax_payload(
    s: &AuthSettings,
    now: u64,
    encode: fn(&[u8]) -> Option<String>,
) -> Result<Send, Outcome> {
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

fn padding(s: &AuthSettings, now: u64) -> Result<Send, Outcome> {
    lax_payload(s, now, |bytes| {
        let p = mint::b64(bytes);
        let pad = (4 - p.len() % 4) % 4;
        (pad > 0).then(|| format!("{p}{}", "=".repeat(pad)))
    })
}

fn not_base64url(s: &AuthSettings, now: u64) -> Result<Send, Outcome> {
    lax_payload(s, now, |bytes| {
        let p = mint::b64_standard(bytes);
        p.contains(['+', '/']).then_some(p)
    })
}

fn whitespace(s: &AuthSettings, now: u64) -> Result<Send, Outcome> {
    let h = mint::b64(mint::header(&s.alg).to_string().as_bytes());
    let p = mint::b64(Value::Object(mint::claims(s, now)).to_string().as_bytes());
    let (a, b) = p.split_at(p.len() / 2);
    minted(mint::signed(s, &s.alg, &h, &format!("{a} {b}")))
}

fn oversized(s: &AuthSettings, now: u64) -> Result<Send, Outcome> {
    // 16 KiB of claims under a signature that does not match: it must be
    // refused whatever the target's size limits are.
    let t = mint::token(s, now, |c| {
        c.insert("pad".into(), json!("x".repeat(12 * 1024)));
    })
    .map_err(Outcome::unimplemented)?;
    let (input, _) = t.rsplit_once('.').expect("three");
    Ok(Send {
        token: Some(format!("{input}.{}", mint::b64(&[0u8; 32]))),
        carrier: None,
    })
}

fn alg_none(s: &AuthSettings, now: u64, spelling: &str, signature: &str) -> Result<Send, Outcome> {
    let h = mint::b64(
        json!({"alg": spelling, "typ": "JWT"})
            .to_string()
            .as_bytes(),
    );
    let p = mint::b64(Value::Object(mint::claims(s, now)).to_string().as_bytes());
    Ok(Send {
        token: Some(format!("{h}.{p}.{signature}")),
        carrier: None,
    })
}

const JUNK_SIG: &str = "dm94cHJvb2Ytbm90LWEtc2lnbmF0dXJl";

fn confusion(s: &AuthSettings, now: u64) -> Result<Send, Outcome> {
    if matches!(s.key, Key::Secret(_)) {
        return Err(Outcome::unimplemented(
            "the key is symmetric; HS/RS confusion needs --jwt-private-key",
        ));
    }
    let pem = mint::public_pem(s).map_err(Outcome::unimplemented)?;
    let hmac = AuthSettings {
        key: Key::Secret(pem),
        ..s.clone()
    };
    let h = mint::b64(mint::header("HS256").to_string().as_bytes());
    let p = mint::b64(Value::Object(mint::claims(s, now)).to_string().as_bytes());
    minted(mint::signed(&hmac, "HS256", &h, &p))
}

fn other_alg(s: &AuthSettings, now: u64) -> Result<Send, Outcome> {
    let Some(alg) = mint::sibling_alg(&s.alg) else {
        return Err(Outcome::unimplemented(format!(
            "no other algorithm signs with a {} key",
            s.alg
        )));
    };
    let h = mint::b64(mint::header(alg).to_string().as_bytes());
    let p = mint::b64(Value::Object(mint::claims(s, now)).to_string().as_bytes());
    minted(mint::signed(s, alg, &h, &p))
}

// ------------------------------------------------------------ judged runs

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
        let mut send = minted(mint::token(s, now, |_| {}))?;
        send.carrier = Some(TokenIn::Protocol);
        Ok(send)
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
        (_, _) => Outcome::failed(format!(
            "{} without a WWW-Authenticate: Bearer challenge",
            r.status_line()
        )),
    }
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
                Event::Violation(v) => return Outcome::failed(v.to_string()),
                Event::Unreadable(e) => return Outcome::failed(e),
                Event::Close { code, .. } => code,
                Event::Message { .. } | Event::Ping(_) | Event::Pong(_) => continue,
            };
            let at = now();
            // The close reply.
            let _ = conn.send_replies(&mut observer, [1, 2, 3, 4]);
            return if early(at) {
                Outcome::failed(format!(
                    "closed with {code:?} {:.1} s before the token expired",
                    exp - at
                ))
            } else if code == Some(close_code::POLICY_VIOLATION) {
                Outcome::ok("closed with 1008 when the token expired")
            } else {
                Outcome::non_strict(format!(
                    "closed with {code:?} when the token expired; 1008 (policy violation) fits"
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
                    Outcome::failed(format!("dropped the connection ({end:?}) while the token was valid"))
                } else {
                    Outcome::non_strict(format!(
                        "dropped the connection ({end:?}) at expiry without a close frame"
                    ))
                };
            }
        }
    }
}

// ------------------------------------------------------------ the catalogue

pub fn cases() -> Vec<Case> {
    let mut all = vec![
        case(
            "auth.6750.valid-token",
            "A valid token is accepted",
            "RFC 6750 §2.1",
            "Clients SHOULD make authenticated requests with a bearer token using the \"Authorization\" request \
             header field with the \"Bearer\" HTTP authorization scheme.  Resource servers MUST support this method.",
            "a handshake with a valid token (configured alg, aud, iss, exp in 10 min) in the configured carrier",
            "101 with the correct Sec-WebSocket-Accept",
            None,
            Run::Fn(valid_token),
        ),
        case(
            "auth.6750.protocol-not-echoed",
            "A token in a bearer. subprotocol is never selected in the 101",
            "RFC 6455 §4.2.2",
            "The value chosen MUST be derived from the client's handshake, specifically by selecting one of the \
             values from the |Sec-WebSocket-Protocol| field that the server is willing to use for this connection \
             (if any).",
            "a valid token as the only offered subprotocol, bearer.<token>",
            "101 without Sec-WebSocket-Protocol: bearer.… (UNIMPLEMENTED when the target does not take this carrier, \
             unless --token-in protocol)",
            None,
            Run::Fn(protocol_not_echoed),
        ),
        refusal(
            "auth.6750.missing-token",
            "A handshake without a token is refused",
            "RFC 6750 §3",
            R6750_3,
            "a valid handshake with no token anywhere",
            no_token,
        ),
        case(
            "auth.6750.missing-token-challenge",
            "Without a token: 401 with WWW-Authenticate: Bearer and no error code",
            "RFC 6750 §3.1",
            R6750_3_1_NO_INFO,
            "a valid handshake with no token anywhere",
            "401 with WWW-Authenticate: Bearer without error= (an error code NON-STRICT; no challenge FAILED)",
            None,
            Run::Fn(missing_token_challenge),
        ),
        case(
            "auth.6750.invalid-token-challenge",
            "A bad token: 401 with WWW-Authenticate: Bearer error=\"invalid_token\"",
            "RFC 6750 §3.1",
            R6750_INVALID,
            "a token whose signature has one bit flipped",
            "401 with WWW-Authenticate: Bearer error=\"invalid_token\" (no error code NON-STRICT; no challenge FAILED)",
            None,
            Run::Fn(invalid_token_challenge),
        ),
        case(
            "auth.6750.oversized-token",
            "A 16 KiB token is refused with a response",
            "RFC 6750 §3.1",
            R6750_INVALID,
            "a 16 KiB token (a 12 KiB claim) whose signature does not match",
            "401, or 413/414/431 for its size; never 101 or silence",
            None,
            refuse_run(oversized, true),
        ),
        refusal(
            "auth.7519.expired",
            "A token that expired an hour ago is refused",
            "RFC 7519 §4.1.4",
            R7519_EXP,
            "a token with exp one hour in the past",
            expired,
        ),
        refusal(
            "auth.7519.not-yet-valid",
            "A token valid only from an hour hence is refused",
            "RFC 7519 §4.1.5",
            R7519_NBF,
            "a token with nbf one hour in the future",
            not_yet_valid,
        ),
        refusal(
            "auth.7519.wrong-audience",
            "A token for another audience is refused",
            "RFC 7519 §4.1.3",
            R7519_AUD,
            "a token with aud \"urn:voxproof:someone-else\"",
            wrong_audience,
        ),
        refusal(
            "auth.7519.wrong-issuer",
            "A token from another issuer is refused",
            "RFC 7519 §4.1.1",
            R7519_ISS,
            "a token with iss \"urn:voxproof:someone-else\" (needs --jwt-iss)",
            wrong_issuer,
        ),
        refusal(
            "auth.7519.claims-not-object",
            "A signed payload that is a JSON array is refused",
            "RFC 7519 §7.2",
            R7519_OBJECT,
            "a correctly signed JWS whose payload is [\"voxproof\"]",
            claims_not_object,
        ),
        case(
            "auth.7519.expiry-during-connection",
            "A token expiring during the connection ends it",
            "RFC 7519 §4.1.4",
            R7519_EXP,
            "a token expiring 2–3 s after issue, a valid handshake, then nothing",
            "a close frame with 1008 once the token expired (another code NON-STRICT; open past expiry \
             INFORMATIONAL; closed before expiry FAILED)",
            Some(Duration::from_secs(6)),
            Run::Fn(expiry_during_connection),
        ),
        refusal(
            "auth.7515.bad-signature",
            "A token with a wrong signature is refused",
            "RFC 7515 §5.2",
            R7515_SIG,
            "a valid token with one bit of its signature flipped",
            bad_signature,
        ),
        refusal(
            "auth.7515.crit-unknown",
            "A token whose crit names an unknown extension is refused",
            "RFC 7515 §4.1.11",
            R7515_CRIT,
            "a signed token with crit [\"urn:voxproof:unknown\"] and that parameter present",
            crit_unknown,
        ),
        refusal(
            "auth.7515.crit-absent",
            "A token whose crit names a parameter that is not there is refused",
            "RFC 7515 §4.1.11",
            R7515_CRIT_ABSENT,
            "a signed token with crit [\"urn:voxproof:absent\"] and no such parameter",
            crit_absent,
        ),
        refusal(
            "auth.7515.two-segments",
            "A token of two segments is refused",
            "RFC 7515 §5.2",
            R7515_PARTS,
            "a valid token without its signature segment (header.payload)",
            two_segments,
        ),
        refusal(
            "auth.7515.four-segments",
            "A token of four segments is refused",
            "RFC 7515 §5.2",
            R7515_PARTS,
            "a valid token with its signature segment repeated (four segments)",
            four_segments,
        ),
        refusal(
            "auth.7515.padding",
            "A token with '=' padding is refused",
            "RFC 7515 §2",
            R7515_B64,
            "a token whose payload segment carries '=' padding, signed as sent",
            padding,
        ),
        refusal(
            "auth.7515.whitespace",
            "A token with whitespace inside a segment is refused",
            "RFC 7515 §2",
            R7515_B64,
            "a token with a space in the middle of its payload segment, signed as sent",
            whitespace,
        ),
        refusal(
            "auth.7515.not-base64url",
            "A token in the standard base64 alphabet is refused",
            "RFC 7515 §2",
            R7515_B64,
            "a token whose payload segment uses '+' or '/', signed as sent",
            not_base64url,
        ),
        refusal(
            "auth.7515.header-not-object",
            "A token whose header is a JSON array is refused",
            "RFC 7515 §5.2",
            R7515_HEADER,
            "a signed token whose header is [\"<alg>\"]",
            header_not_object,
        ),
        refusal(
            "auth.8725.hs-rs-confusion",
            "HS256 keyed with the public key PEM is refused",
            "RFC 8725 §3.1",
            R8725_ALGS,
            "a token with alg HS256 MACed with the target's public key PEM bytes (asymmetric keys only)",
            confusion,
        ),
        refusal(
            "auth.8725.other-alg-same-key",
            "A token signed by the right key under another algorithm is refused",
            "RFC 8725 §3.1",
            R8725_ONE_ALG,
            "a token signed with the configured key under a sibling algorithm (HS256→HS512, RS256→RS512, …)",
            other_alg,
        ),
    ];
    // alg none in four spellings, each without and with a signature.
    type NoneBuild = fn(&AuthSettings, u64) -> Result<Send, Outcome>;
    let nones: [(&str, &str, NoneBuild, NoneBuild); 4] = [
        (
            "lower",
            "none",
            |s, n| alg_none(s, n, "none", ""),
            |s, n| alg_none(s, n, "none", JUNK_SIG),
        ),
        (
            "capital",
            "None",
            |s, n| alg_none(s, n, "None", ""),
            |s, n| alg_none(s, n, "None", JUNK_SIG),
        ),
        (
            "upper",
            "NONE",
            |s, n| alg_none(s, n, "NONE", ""),
            |s, n| alg_none(s, n, "NONE", JUNK_SIG),
        ),
        (
            "mixed",
            "nOnE",
            |s, n| alg_none(s, n, "nOnE", ""),
            |s, n| alg_none(s, n, "nOnE", JUNK_SIG),
        ),
    ];
    for (name, spelling, empty, signed) in nones {
        all.push(refusal(
            &format!("auth.8725.alg-none-{name}-unsigned"),
            &format!("alg {spelling:?} with an empty signature is refused"),
            "RFC 8725 §3.1",
            R8725_ALGS,
            &format!("a token with header alg {spelling:?} and an empty signature segment"),
            empty,
        ));
        all.push(refusal(
            &format!("auth.8725.alg-none-{name}-signed"),
            &format!("alg {spelling:?} with a non-empty signature is refused"),
            "RFC 8725 §3.1",
            R8725_ALGS,
            &format!("a token with header alg {spelling:?} and a junk signature segment"),
            signed,
        ));
    }
    all
}
