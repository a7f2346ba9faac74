//! Everything the reference server can be told (see docs/README.md#layout).

use crate::auth::Auth;
use crate::bots::TwilioAuth;
use crate::handshake::ServerConfig;
use crate::voice::VoiceConfig;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The server's settings: the shell's (address, limits, timeouts) and the
/// upgrade decision's (handshake, routes, auth, voice).
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub handshake: ServerConfig,
    /// A client that has not sent a whole request by then gets 408 and is dropped.
    pub handshake_timeout: Duration,
    /// Messages larger than this close the connection with 1009.
    pub max_message_size: usize,
    pub max_frame_size: usize,
    /// How long shutdown waits for peers to answer the 1001 close; also
    /// how long any close the server starts may take.
    pub shutdown_grace: Duration,
    /// Output waiting this long without the peer taking a byte of it
    /// closes the connection with 1008 (docs/README.md#the-reference-servers-limits).
    pub write_timeout: Duration,
    /// No frame either way for this long closes the connection with 1001;
    /// None: no limit.
    pub idle_timeout: Option<Duration>,
    /// Connections served at once; one more is answered 503 with
    /// `Retry-After` before its request is read. None: no limit but the
    /// process's descriptors.
    pub max_connections: Option<usize>,
    /// Resource path of the echo service.
    pub echo_path: String,
    /// Bearer-token authentication; None serves every path without a token.
    pub auth: Option<Auth>,
    /// Voice rooms: buffering, and the hook that grants rooms.
    pub voice: VoiceConfig,
    /// Serve wss://: every connection starts with a TLS handshake, which
    /// counts against `handshake_timeout`. None: plain ws://.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// The Twilio auth token: /twilio requests must then carry a valid
    /// `X-Twilio-Signature` (docs/telephony.md#reference-bot). None: unsigned.
    pub twilio_auth: Option<TwilioAuth>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 9001)),
            handshake: ServerConfig::default(),
            handshake_timeout: Duration::from_secs(10),
            max_message_size: 64 << 20,
            max_frame_size: 16 << 20,
            shutdown_grace: Duration::from_secs(2),
            write_timeout: Duration::from_secs(10),
            idle_timeout: None,
            max_connections: None,
            echo_path: "/echo".to_string(),
            auth: None,
            voice: VoiceConfig::default(),
            tls: None,
            twilio_auth: None,
        }
    }
}
