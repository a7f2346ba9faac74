//! The bearer-token step of the upgrade: find the token, verify it, check it grants the path
//! ([docs/auth.md](../../../docs/auth.md#statuses)).

use super::carrier::{self, CarrierError, SUBPROTOCOL_PREFIX};
use super::policy::Policy;
use super::verify::{verify, Claims};
use crate::handshake::{Accepted, Request};
use crate::response::Rejection;
use crate::voice::grant::RoomGrant;
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// Which request paths need a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every path.
    All,
    /// Paths under this prefix (e.g. `/secure`); the prefix is removed
    /// before routing, so `/secure/echo` is served as `/echo`. Other paths
    /// are served without a token.
    Under(String),
}

/// Token authentication for the server: the verifier's policy and where it
/// applies. Cloned into every connection task, hence the `Arc`.
#[derive(Clone)]
pub struct Auth {
    pub policy: Arc<Policy>,
    pub scope: Scope,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth").field("scope", &self.scope).finish()
    }
}

impl Auth {
    pub fn new(policy: Policy, scope: Scope) -> Self {
        Auth {
            policy: Arc::new(policy),
            scope,
        }
    }

    /// Whether `path` needs a token, and the path to route it as.
    pub fn route<'a>(&self, path: &'a str) -> (bool, &'a str) {
        match &self.scope {
            Scope::All => (true, path),
            Scope::Under(prefix) => match path.strip_prefix(prefix.as_str()) {
                Some(rest) if rest.starts_with('/') => (true, rest),
                Some("") => (true, "/"),
                _ => (false, path),
            },
        }
    }
}

/// A granted upgrade.
#[derive(Debug, Clone, PartialEq)]
pub struct Authorized {
    pub claims: Claims,
    /// When the token stops being valid (`exp` plus leeway, seconds since the
    /// epoch); the server closes the connection then.
    pub expires_at: Option<f64>,
}

/// A refused upgrade: what to send, and what to log (never sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    pub rejection: Rejection,
    pub why: String,
}

//= https://www.rfc-editor.org/rfc/rfc6750#section-3
//# If the protected resource request does not include authentication
//# credentials or does not contain an access token that enables access
//# to the protected resource, the resource server MUST include the HTTP
//# "WWW-Authenticate" response header field
fn denied(status: u16, challenge: &str, why: String) -> Denied {
    // The body is the same for every refusal of a status: the reason is
    // logged, not told to a client that may be probing the verifier.
    let body = match status {
        400 => "bad request",
        403 => "forbidden",
        _ => "unauthorized",
    };
    Denied {
        rejection: Rejection::new(status, body).with_header("WWW-Authenticate", challenge),
        why,
    }
}

/// Whether verified claims grant `path` (the routed path). `/rooms/{room}`
/// needs a `rooms` claim listing the room or `"*"` (a string or an array);
/// any other path needs only a valid token.
pub fn grants(claims: &Claims, path: &str) -> bool {
    match path.strip_prefix("/rooms/") {
        Some(room) => RoomGrant::from_token_claim(claims.get("rooms")).allows(room),
        None => true,
    }
}

/// Decide an accepted handshake for a path that needs a token. `path` is the
/// routed path (see [`Auth::route`]); `now` is seconds since the epoch.
pub fn authorize(
    request: &Request,
    accepted: &Accepted,
    path: &str,
    policy: &Policy,
    now: u64,
) -> Result<Authorized, Denied> {
    let authorization: Vec<&[u8]> = request.values("Authorization");
    let authorization = match authorization.as_slice() {
        [] => None,
        [one] => Some(String::from_utf8_lossy(one).into_owned()),
        _ => {
            return Err(denied(
                400,
                "Bearer error=\"invalid_request\"",
                "more than one Authorization field".into(),
            ))
        }
    };
    let offered: Vec<String> = request
        .values("Sec-WebSocket-Protocol")
        .iter()
        .flat_map(|v| {
            String::from_utf8_lossy(v)
                .split(',')
                .map(|p| p.trim().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    let found = carrier::find(
        authorization.as_deref(),
        accepted.query.as_deref(),
        offered.iter().map(String::as_str),
    );
    let found = match found {
        Ok(found) => found,
        //= https://www.rfc-editor.org/rfc/rfc6750#section-3.1
        //# If the request lacks any authentication information (e.g., the client
        //# was unaware that authentication is necessary or attempted using an
        //# unsupported authentication method), the resource server SHOULD NOT
        //# include an error code or other error information.
        Err(e @ (CarrierError::Missing | CarrierError::NotBearer)) => {
            return Err(denied(401, "Bearer", format!("no bearer token: {e:?}")))
        }
        //# invalid_request
        //#       The request is missing a required parameter, includes an
        //#       unsupported parameter or parameter value, repeats the same
        //#       parameter, uses more than one method for including an access
        //#       token, or is otherwise malformed.  The resource server SHOULD
        //#       respond with the HTTP 400 (Bad Request) status code.
        Err(CarrierError::Ambiguous) => {
            return Err(denied(
                400,
                "Bearer error=\"invalid_request\"",
                "token in more than one place".into(),
            ))
        }
    };
    //# invalid_token
    //#       The access token provided is expired, revoked, malformed, or
    //#       invalid for other reasons.  The resource SHOULD respond with
    //#       the HTTP 401 (Unauthorized) status code.
    let claims = verify(&found.token, policy, now).map_err(|e| {
        denied(
            401,
            "Bearer error=\"invalid_token\"",
            format!("token in {:?} refused: {e}", found.carrier),
        )
    })?;
    //# insufficient_scope
    //#       The request requires higher privileges than provided by the
    //#       access token.  The resource server SHOULD respond with the HTTP
    //#       403 (Forbidden) status code
    if !grants(&claims, path) {
        return Err(denied(
            403,
            "Bearer error=\"insufficient_scope\"",
            format!("token does not grant {path}"),
        ));
    }
    let expires_at = claims
        .get("exp")
        .and_then(Value::as_f64)
        .map(|exp| exp + policy.leeway as f64);
    Ok(Authorized { claims, expires_at })
}

/// How long a connection may stay open at `now` (seconds since the epoch,
/// fractional) under a token valid until `expires_at`.
pub fn remaining(expires_at: f64, now: f64) -> std::time::Duration {
    std::time::Duration::from_secs_f64((expires_at - now).clamp(0.0, 1e9))
}

/// The 101 without a `bearer.` subprotocol: the token's carrier is never the
/// selected protocol (it would echo the token back in the response).
pub fn without_bearer_protocol(mut accepted: Accepted) -> Accepted {
    if accepted
        .protocol
        .as_deref()
        .is_some_and(|p| p.starts_with(SUBPROTOCOL_PREFIX))
    {
        accepted.protocol = None;
        accepted
            .response
            .headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("Sec-WebSocket-Protocol"));
    }
    accepted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handshake::{parse_request, respond, Limits, Parsed, ServerConfig};
    use jsonwebtoken::{encode, EncodingKey, Header};

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn token(claims: serde_json::Value) -> String {
        encode(
            &Header::default(),
            &claims,
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap()
    }

    fn request(target: &str, extra: &str) -> (Request, Accepted) {
        let text = format!(
            "GET {target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
        );
        let Ok(Parsed::Complete { request, .. }) =
            parse_request(text.as_bytes(), &Limits::default())
        else {
            panic!("request parses")
        };
        let accepted = respond(&request, &ServerConfig::default()).unwrap();
        (request, accepted)
    }

    fn policy() -> Policy {
        Policy::hmac(SECRET, &["HS256"]).unwrap()
    }

    #[test]
    fn each_carrier_is_accepted() {
        let t = token(serde_json::json!({"exp": 2000}));
        for (target, extra) in [
            (
                "/echo".to_string(),
                format!("Authorization: Bearer {t}\r\n"),
            ),
            (format!("/echo?access_token={t}"), String::new()),
            (
                "/echo".to_string(),
                format!("Sec-WebSocket-Protocol: chat, bearer.{t}\r\n"),
            ),
        ] {
            let (req, acc) = request(&target, &extra);
            let ok = authorize(&req, &acc, "/echo", &policy(), 1000).unwrap();
            assert_eq!(ok.expires_at, Some(2000.0));
        }
    }

    #[test]
    fn refusals_carry_the_rfc_6750_challenge_and_no_detail() {
        let (req, acc) = request("/echo", "");
        let d = authorize(&req, &acc, "/echo", &policy(), 1000).unwrap_err();
        assert_eq!(d.rejection.status, 401);
        assert_eq!(
            d.rejection.response().header("WWW-Authenticate"),
            Some("Bearer")
        );

        let t = token(serde_json::json!({"exp": 10}));
        let (req, acc) = request("/echo", &format!("Authorization: Bearer {t}\r\n"));
        let d = authorize(&req, &acc, "/echo", &policy(), 1000).unwrap_err();
        let r = d.rejection.response();
        assert_eq!(r.status, 401);
        assert_eq!(
            r.header("WWW-Authenticate"),
            Some("Bearer error=\"invalid_token\"")
        );
        assert!(!r.body.contains("expired") && d.why.contains("expired"));
    }

    #[test]
    fn rooms_claim_grants_rooms() {
        let claims = |v| {
            let t = token(serde_json::json!({ "rooms": v }));
            verify(&t, &policy(), 0).unwrap()
        };
        assert!(grants(&claims(serde_json::json!(["a", "b"])), "/rooms/b"));
        assert!(!grants(&claims(serde_json::json!(["a"])), "/rooms/b"));
        assert!(grants(&claims(serde_json::json!("*")), "/rooms/b"));
        assert!(grants(&claims(serde_json::json!(["*"])), "/rooms/b"));
        assert!(grants(&claims(serde_json::json!([])), "/echo"));
        let t = token(serde_json::json!({}));
        assert!(!grants(&verify(&t, &policy(), 0).unwrap(), "/rooms/b"));
    }

    #[test]
    fn remaining_time_never_negative() {
        assert_eq!(remaining(10.0, 12.5), std::time::Duration::ZERO);
        assert_eq!(
            remaining(12.5, 10.0),
            std::time::Duration::from_millis(2500)
        );
    }

    #[test]
    fn scope_routes_the_prefix() {
        let auth = Auth::new(policy(), Scope::Under("/secure".into()));
        assert_eq!(auth.route("/secure/echo"), (true, "/echo"));
        assert_eq!(auth.route("/echo"), (false, "/echo"));
        assert_eq!(auth.route("/securex/echo"), (false, "/securex/echo"));
        let all = Auth::new(policy(), Scope::All);
        assert_eq!(all.route("/echo"), (true, "/echo"));
    }

    #[test]
    fn bearer_protocol_is_never_selected() {
        let (req, _) = request("/echo", "Sec-WebSocket-Protocol: bearer.x\r\n");
        let config = ServerConfig {
            protocols: vec!["bearer.x".into()],
            ..ServerConfig::default()
        };
        let acc = without_bearer_protocol(respond(&req, &config).unwrap());
        assert_eq!(acc.protocol, None);
        assert_eq!(acc.response.header("Sec-WebSocket-Protocol"), None);
    }
}
