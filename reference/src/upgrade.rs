//! The upgrade decision: every check made before the 101, as one pure function
//! ([docs/README.md](../../docs/README.md#layout)).

use crate::auth::bearer::{authorize, remaining, without_bearer_protocol};
use crate::bots::signature::signed_urls;
use crate::bots::{BotRoute, Platform};
use crate::config::Config;
use crate::handshake::{respond, Request};
use crate::response::{Rejection, Response};
use crate::voice::grant::{accept, RoomGrant};
use crate::voice::protocol::{route, Route};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What an accepted connection becomes after the 101.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Service {
    /// The echo of every text and binary message.
    Echo,
    /// A voice room, or the voice echo, in the negotiated codec.
    Voice(Route),
}

/// An accepted upgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgrade {
    /// What the connection becomes, unless it is a bot.
    pub service: Service,
    /// A telephony bot's route (docs/telephony.md): the connection is that
    /// bot, and `service` is Echo, unused. A field rather than a `Service`
    /// variant: code outside this crate matches `Service` exhaustively.
    pub bot: Option<BotRoute>,
    /// The 101 response to write.
    pub response: Response,
    /// The selected subprotocol (never a `bearer.` one).
    pub protocol: Option<String>,
    /// How long the bearer token stays valid from `now`; the connection
    /// closes with 1008 then. None without a token or without `exp`.
    pub expires_in: Option<Duration>,
}

/// Decide the answer to a parsed request at `now`.
pub fn decide(request: &Request, config: &Config, now: SystemTime) -> Result<Upgrade, Rejection> {
    // 1. The opening handshake (RFC 6455 §4.2.1): 400, 405, 426.
    let accepted = respond(request, &config.handshake)?;

    // 2. The bearer token, on paths in the configured scope (RFC 6750):
    //    400, 401, 403. A scope prefix is removed before routing.
    let (needs_token, service) = match &config.auth {
        Some(auth) => auth.route(&accepted.path),
        None => (false, accepted.path.as_str()),
    };
    let service = service.to_string();
    let mut expires_in = None;
    if let (true, Some(auth)) = (needs_token, &config.auth) {
        let now = unix_seconds(now);
        match authorize(request, &accepted, &service, &auth.policy, now as u64) {
            Ok(granted) => expires_in = granted.expires_at.map(|at| remaining(at, now)),
            Err(denied) => return Err(denied.rejection.with_detail(denied.why)),
        }
    }
    let accepted = without_bearer_protocol(accepted);

    // 3. Bot routes (docs/telephony.md): with a Twilio auth token, a Twilio
    //    stream without Twilio's signature is refused with 403.
    if let Some(bot) = BotRoute::from_path(&service) {
        if let (Platform::Twilio, Some(auth)) = (bot.platform, &config.twilio_auth) {
            let host = request
                .values("Host")
                .first()
                .map(|h| String::from_utf8_lossy(h));
            let target = match &accepted.query {
                Some(q) => format!("{}?{q}", accepted.path),
                None => accepted.path.clone(),
            };
            let urls = signed_urls(config.tls.is_some(), &host.unwrap_or_default(), &target);
            let signature = request.values("X-Twilio-Signature");
            let signed = match signature.as_slice() {
                [one] => auth.verify(&String::from_utf8_lossy(one), &urls),
                _ => false,
            };
            if !signed {
                let why = format!("no valid X-Twilio-Signature for {}", urls[0]);
                return Err(Rejection::new(403, "request not signed by Twilio").with_detail(why));
            }
        }
        return Ok(Upgrade {
            service: Service::Echo,
            bot: Some(bot),
            response: accepted.response,
            protocol: accepted.protocol,
            expires_in,
        });
    }

    // 4. Voice routes (docs/voice-protocol.md §2): 404 room name, 400 codec,
    //    then the room grant (403, or the hook's own refusal).
    let query = accepted.query.as_deref();
    let voice = match route(&service, query)? {
        None => None,
        Some(_) => {
            let grant = match &config.voice.grant {
                Some(hook) => hook(request)?,
                None => RoomGrant::All,
            };
            accept(&service, query, &grant)?
        }
    };

    // 5. Any other path.
    let service = match voice {
        Some(route) => Service::Voice(route),
        None if service == config.echo_path => Service::Echo,
        //= https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2
        //# If the requested service is not available, the server MUST send an
        //# appropriate HTTP error code (such as 404 Not Found) and abort the
        //# WebSocket handshake.
        None => {
            return Err(Rejection::new(
                404,
                format!("no WebSocket service at {}", accepted.path),
            ))
        }
    };
    Ok(Upgrade {
        service,
        bot: None,
        response: accepted.response,
        protocol: accepted.protocol,
        expires_in,
    })
}

/// Seconds since the epoch, fractional (0 before it).
fn unix_seconds(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Auth, Policy, Scope};
    use crate::g711::Codec;
    use crate::handshake::{accept_for, parse_request, Limits, Parsed};
    use crate::voice::GrantHook;
    use std::sync::Arc;

    const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn request(target: &str, extra: &str) -> Request {
        let text = format!(
            "GET {target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
        );
        match parse_request(text.as_bytes(), &Limits::default()) {
            Ok(Parsed::Complete { request, .. }) => request,
            other => panic!("request does not parse: {other:?}"),
        }
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn secured() -> Config {
        let policy = Policy::hmac(SECRET, &["HS256"]).unwrap();
        Config {
            auth: Some(Auth::new(policy, Scope::Under("/secure".into()))),
            ..Config::default()
        }
    }

    fn token(claims: serde_json::Value) -> String {
        use jsonwebtoken::{encode, EncodingKey, Header};
        encode(
            &Header::default(),
            &claims,
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap()
    }

    #[test]
    fn echo_request_upgrades_with_the_section_1_3_accept() {
        let up = decide(&request("/echo", ""), &Config::default(), at(0)).unwrap();
        assert_eq!(up.service, Service::Echo);
        assert_eq!(up.response.status, 101);
        //= https://www.rfc-editor.org/rfc/rfc6455#section-1.3
        //# Concretely, if as in the example above, the |Sec-WebSocket-Key|
        //# header field had the value "dGhlIHNhbXBsZSBub25jZQ==", the server
        //# would concatenate the string "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
        //# to form the string "dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-
        //# C5AB0DC85B11".
        assert_eq!(
            up.response.header("Sec-WebSocket-Accept"),
            Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        );
        assert_eq!(accept_for(KEY), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(up.expires_in, None);
    }

    #[test]
    fn handshake_refusals_come_first() {
        let mut req = request("/nowhere", "");
        req.method = "POST".into();
        let r = decide(&req, &secured(), at(0)).unwrap_err();
        assert_eq!((r.status, r.response().header("Allow")), (405, Some("GET")));
    }

    #[test]
    fn missing_token_on_a_protected_path_is_401_with_a_bearer_challenge() {
        let r = decide(&request("/secure/echo", ""), &secured(), at(1000)).unwrap_err();
        assert_eq!(r.status, 401);
        assert_eq!(r.response().header("WWW-Authenticate"), Some("Bearer"));
        assert!(r.detail.is_some());
        // The unprotected echo needs none.
        assert!(decide(&request("/echo", ""), &secured(), at(1000)).is_ok());
    }

    #[test]
    fn a_token_sets_the_expiry_and_its_subprotocol_is_not_selected() {
        let t = token(serde_json::json!({"exp": 2000}));
        let config = Config {
            handshake: crate::handshake::ServerConfig {
                protocols: vec![format!("bearer.{t}")],
                ..Default::default()
            },
            ..secured()
        };
        let req = request(
            "/secure/echo",
            &format!("Sec-WebSocket-Protocol: bearer.{t}\r\n"),
        );
        let up = decide(&req, &config, at(1500)).unwrap();
        assert_eq!(up.service, Service::Echo);
        assert_eq!(up.expires_in, Some(Duration::from_secs(500)));
        assert_eq!(up.protocol, None);
        assert_eq!(up.response.header("Sec-WebSocket-Protocol"), None);
    }

    #[test]
    fn an_expired_token_is_refused() {
        let t = token(serde_json::json!({"exp": 2000}));
        let req = request("/secure/echo", &format!("Authorization: Bearer {t}\r\n"));
        let r = decide(&req, &secured(), at(3000)).unwrap_err();
        assert_eq!(r.status, 401);
        assert_eq!(
            r.response().header("WWW-Authenticate"),
            Some("Bearer error=\"invalid_token\"")
        );
    }

    #[test]
    fn room_without_a_codec_is_400() {
        let r = decide(&request("/rooms/a", ""), &Config::default(), at(0)).unwrap_err();
        assert_eq!(r.status, 400);
        let up = decide(
            &request("/rooms/a?codec=pcma", ""),
            &Config::default(),
            at(0),
        )
        .unwrap();
        assert_eq!(
            up.service,
            Service::Voice(Route::Room {
                room: "a".into(),
                codec: Codec::Pcma
            })
        );
        let up = decide(&request("/echo?codec=pcmu", ""), &Config::default(), at(0)).unwrap();
        assert_eq!(
            up.service,
            Service::Voice(Route::Echo { codec: Codec::Pcmu })
        );
    }

    #[test]
    fn rooms_are_checked_against_the_grant_after_the_codec() {
        let hook: GrantHook =
            Arc::new(|_| Ok(RoomGrant::from_claim(&serde_json::json!(["granted"])).unwrap()));
        let mut config = Config::default();
        config.voice.grant = Some(hook);
        let status = |target: &str| {
            decide(&request(target, ""), &config, at(0))
                .err()
                .map(|r| r.status)
        };
        assert_eq!(status("/rooms/granted?codec=pcmu"), None);
        assert_eq!(status("/rooms/other?codec=pcmu"), Some(403));
        assert_eq!(status("/rooms/other"), Some(400));
        assert_eq!(status("/rooms/a%20b?codec=pcmu"), Some(404));
    }

    #[test]
    fn bot_routes_and_the_twilio_signature() {
        use crate::bots::{Behaviour, TwilioAuth};
        let up = decide(&request("/telnyx/echo", ""), &Config::default(), at(0)).unwrap();
        assert_eq!(
            up.bot,
            Some(BotRoute {
                platform: Platform::Telnyx,
                behaviour: Behaviour::Echo
            })
        );
        let up = decide(&request("/echo", ""), &Config::default(), at(0)).unwrap();
        assert_eq!((up.service, up.bot), (Service::Echo, None));
        let config = Config {
            twilio_auth: Some(TwilioAuth::new("12345")),
            ..Config::default()
        };
        let status = |target: &str, extra: &str| {
            decide(&request(target, extra), &config, at(0))
                .err()
                .map(|r| r.status)
        };
        // request() sends `Host: x`.
        let signed = |url: &str| {
            let signature = TwilioAuth::new("12345").sign(url);
            format!("X-Twilio-Signature: {signature}\r\n")
        };
        assert_eq!(status("/twilio", ""), Some(403));
        assert_eq!(status("/twilio", &signed("wss://x/twilio")), None);
        assert_eq!(status("/twilio?a=1", &signed("wss://x/twilio?a=1")), None);
        assert_eq!(status("/twilio/echo", &signed("wss://x/twilio")), Some(403));
        let twice = signed("wss://x/twilio").repeat(2);
        assert_eq!(status("/twilio", &twice), Some(403));
        assert_eq!(status("/telnyx", ""), None);
        assert_eq!(status("/twilio/dance", ""), Some(404));
    }

    #[test]
    fn unknown_path_is_404() {
        let r = decide(&request("/nowhere", ""), &Config::default(), at(0)).unwrap_err();
        assert_eq!(r.status, 404);
        assert_eq!(r.reason, "no WebSocket service at /nowhere");
        // Under the auth prefix a token comes first.
        let r = decide(&request("/secure/nowhere", ""), &secured(), at(0)).unwrap_err();
        assert_eq!(r.status, 401);
    }
}
