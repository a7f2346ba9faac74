//! The embedded default target: the reference server, in process, on a free loopback port
//! ([docs/auth.md](../../docs/auth.md#with-no-target)).

use crate::platform::Platform;
use crate::target::{AuthSettings, Key, TokenIn};
use crate::target::{Target, Telephony};
use crate::transport::Network;
use rand::RngCore;
use voxproof_reference::auth::{Auth, Policy, Scope};
use voxproof_reference::bots::TwilioAuth;
use voxproof_reference::server::{spawn, Config, Handle};
use voxproof_reference::tls::ThrowawayCa;

pub const AUDIENCE: &str = "voxproof";
pub const ISSUER: &str = "voxproof-embedded";
/// The one room the embedded grant token names.
pub const GRANTED_ROOM: &str = "voxproof-granted";

/// The running reference, its open `/echo` target, and the settings that let
/// the auth cases mint tokens for its `/secure/echo`.
pub struct Embedded {
    pub handle: Handle,
    pub target: Target,
    pub auth: AuthSettings,
}

/// Start the reference server and return it with its `/echo` target (voice on).
pub fn start() -> Result<(Handle, Target), String> {
    start_with_auth().map(|e| (e.handle, e.target))
}

/// Start the reference server with auth on `/secure`.
pub fn start_with_auth() -> Result<Embedded, String> {
    start_with(false)
}

/// [`start_with_auth`], over TLS when `tls`: a throw-away CA issues the
/// server a certificate for 127.0.0.1, and the targets trust that CA alone.
pub fn start_with(tls: bool) -> Result<Embedded, String> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    // Printable, so the same secret could be typed as --jwt-secret.
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let policy = Policy::hmac(secret.as_bytes(), &["HS256"])
        .map_err(|e| format!("embedded auth: {e}"))?
        .audience([AUDIENCE])
        .issuer(ISSUER);
    let (server_tls, network, scheme) = if tls {
        let ca = ThrowawayCa::new();
        let issued = ca.issue(&["127.0.0.1"]);
        let network = Network {
            trust: ca.trust(),
            ..Network::default()
        };
        (Some(issued.server_config()), network, "wss")
    } else {
        (None, Network::default(), "ws")
    };
    // The reference bot checks Twilio signatures, so the signature cases run.
    let twilio_token = format!("{:032x}", rand::rng().next_u64() as u128 * 0x9e37_79b9);
    let config = Config {
        listen: "127.0.0.1:0".parse().expect("literal address"),
        auth: Some(Auth::new(policy, Scope::Under("/secure".into()))),
        tls: server_tls,
        twilio_auth: Some(TwilioAuth::new(&twilio_token)),
        ..Config::default()
    };
    let handle =
        spawn(config).map_err(|e| format!("cannot start the embedded reference server: {e}"))?;
    let addr = handle.addr();
    let mut target = Target::parse_via(&format!("{scheme}://{addr}/echo"), &network)?;
    let secure = Target::parse_via(&format!("{scheme}://{addr}/secure/echo"), &network)?;
    let auth = AuthSettings {
        key: Key::Secret(secret.into_bytes()),
        public_pem: None,
        alg: "HS256".into(),
        aud: Some(AUDIENCE.into()),
        iss: Some(ISSUER.into()),
        token_in: TokenIn::Header,
        target: Some(secure),
    };
    // The reference serves the voice protocol, so its cases run by default;
    // room scope uses a token of the embedded key that grants one room,
    // checked under the authenticated prefix.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let grant = crate::cases::auth::mint::token(&auth, now, |claims| {
        claims.insert("rooms".into(), serde_json::json!([GRANTED_ROOM]));
    })?;
    target.voice = Some(crate::target::VoiceService {
        grant: Some(crate::target::GrantedRoom {
            room: GRANTED_ROOM.into(),
            token: grant,
        }),
        scope_prefix: "/secure".into(),
    });
    // The reference bot serves each platform on its own path (its turn-taking
    // behaviour; /PLATFORM/echo is the echo).
    target.telephony = Some(Telephony {
        bots: Platform::ALL
            .iter()
            .map(|p| (p.name().to_string(), format!("/{}", p.name())))
            .collect(),
        twilio_auth_token: Some(twilio_token),
        ..Telephony::default()
    });
    Ok(Embedded {
        handle,
        target,
        auth,
    })
}
