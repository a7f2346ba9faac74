//! Telephony vectors (`vectors/telephony/*.json`): Twilio, Telnyx and Vonage messages, Twilio
//! signatures ([docs/vectors.md](../../docs/vectors.md#telephony)).

use crate::{Envelope, Expected};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Raw text of each telephony vector file and message schema, embedded at build time.
pub mod raw {
    pub const TWILIO: &str = include_str!("../telephony/twilio.json");
    pub const TELNYX: &str = include_str!("../telephony/telnyx.json");
    pub const VONAGE: &str = include_str!("../telephony/vonage.json");
    pub const TWILIO_SCHEMA: &str = include_str!("../schema/telephony/twilio-messages.schema.json");
    pub const TELNYX_SCHEMA: &str = include_str!("../schema/telephony/telnyx-messages.schema.json");
    pub const VONAGE_SCHEMA: &str = include_str!("../schema/telephony/vonage-messages.schema.json");
}

/// A platform with a vector file (and, in the runner, a telephony profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Platform {
    Twilio,
    Telnyx,
    Vonage,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::Twilio, Platform::Telnyx, Platform::Vonage];

    /// Lower-case name, as in the file names.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Twilio => "twilio",
            Platform::Telnyx => "telnyx",
            Platform::Vonage => "vonage",
        }
    }

    /// The product's name, as its documentation gives it.
    pub fn title(self) -> &'static str {
        match self {
            Platform::Twilio => "Twilio Media Streams",
            Platform::Telnyx => "Telnyx Media Streaming",
            Platform::Vonage => "Vonage Voice WebSockets",
        }
    }

    /// The platform of a lower-case name (`twilio`).
    pub fn from_name(name: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The vector file, relative to `vectors/`.
    pub fn file(self) -> String {
        format!("telephony/{}.json", self.name())
    }

    /// The message schema, relative to `vectors/`: `$defs` holds one definition
    /// per message (`toBot.<event>`, `fromBot.<event>`) and one union per direction.
    pub fn message_schema(self) -> String {
        format!("schema/telephony/{}-messages.schema.json", self.name())
    }

    /// The excerpts of the platform's documentation the requirements quote,
    /// relative to the repository root.
    pub fn excerpts(self) -> String {
        format!("docs/platforms/{}.md", self.name())
    }

    fn raw(self) -> (&'static str, &'static str) {
        match self {
            Platform::Twilio => (raw::TWILIO, raw::TWILIO_SCHEMA),
            Platform::Telnyx => (raw::TELNYX, raw::TELNYX_SCHEMA),
            Platform::Vonage => (raw::VONAGE, raw::VONAGE_SCHEMA),
        }
    }

    /// The message schema, parsed.
    pub fn message_schema_json(self) -> serde_json::Value {
        crate::parse(&self.message_schema(), self.raw().1)
    }
}

/// Who sends the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Direction {
    /// The platform sends it to the bot.
    ToBot,
    /// The bot sends it to the platform.
    FromBot,
}

impl Direction {
    /// The name the schemas use (`toBot`, `fromBot`).
    pub fn name(self) -> &'static str {
        match self {
            Direction::ToBot => "toBot",
            Direction::FromBot => "fromBot",
        }
    }
}

/// The WebSocket frame type a message travels in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FrameKind {
    Text,
    Binary,
}

/// The check an invalid message fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    /// A binary frame where the platform takes text only.
    BinaryFrame,
    /// Text that is not JSON.
    NotJson,
    /// JSON that does not match the message schema.
    Schema,
    /// Matches the schema but disagrees with the session (`context`).
    Session,
    /// Matches the schema but its audio breaks an audio rule.
    Audio,
}

/// What an audio payload holds once decoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Audio {
    /// `PCMU` (G.711 µ-law, one octet per sample) or `L16` (16-bit linear, two).
    pub codec: String,
    pub sample_rate: u32,
    /// Octets after base64 decoding (or of the binary frame).
    pub bytes: usize,
    pub duration_ms: f64,
}

/// One message and what the platform's documentation says of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MessageTest {
    pub tc_id: u32,
    pub comment: String,
    pub flags: Vec<String>,
    pub result: Expected,
    pub direction: Direction,
    pub frame: FrameKind,
    /// A text frame's payload, or a binary frame's octets in lowercase hex.
    pub message: String,
    /// The event (or Vonage action) name; `None` when the message has none.
    pub event: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// The session's values the message must agree with.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<Audio>,
    /// The documentation's sentence, verbatim.
    pub requirement: String,
    /// The page it is quoted from.
    pub source: String,
}

impl MessageTest {
    /// The frame's payload octets.
    pub fn octets(&self) -> Vec<u8> {
        match self.frame {
            FrameKind::Text => self.message.as_bytes().to_vec(),
            FrameKind::Binary => crate::frames::unhex(&self.message),
        }
    }
}

/// The request an invalid signature really belongs to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignedRequest {
    pub url: String,
    pub auth_token: String,
    pub params: BTreeMap<String, String>,
}

/// An `X-Twilio-Signature` check: is `signature` right for this request?
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignatureTest {
    pub tc_id: u32,
    pub comment: String,
    pub flags: Vec<String>,
    pub result: Expected,
    /// The URL the validator is given.
    pub url: String,
    pub auth_token: String,
    /// POST parameters; empty for a GET such as a WebSocket handshake.
    pub params: BTreeMap<String, String>,
    /// The header value received.
    pub signature: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_request: Option<SignedRequest>,
    pub requirement: String,
    pub source: String,
}

/// The string Twilio signs: the URL, then each parameter's name and value,
/// sorted by name in byte order (Unix-style, case-sensitive), no delimiters.
pub fn signed_string(url: &str, params: &BTreeMap<String, String>) -> String {
    // A BTreeMap of Strings iterates in byte order, which is the order wanted.
    params.iter().fold(url.to_string(), |mut s, (k, v)| {
        s.push_str(k);
        s.push_str(v);
        s
    })
}

/// A group of messages or of signatures.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
pub enum TelephonyGroup {
    Message {
        comment: String,
        tests: Vec<MessageTest>,
    },
    TwilioSignature {
        comment: String,
        tests: Vec<SignatureTest>,
    },
}

pub type TelephonyFile = Envelope<TelephonyGroup>;

impl Envelope<TelephonyGroup> {
    /// Every message test, in file order.
    pub fn messages(&self) -> impl Iterator<Item = &MessageTest> {
        self.test_groups.iter().flat_map(|g| match g {
            TelephonyGroup::Message { tests, .. } => tests.as_slice(),
            TelephonyGroup::TwilioSignature { .. } => &[],
        })
    }

    /// Every signature test, in file order.
    pub fn signatures(&self) -> impl Iterator<Item = &SignatureTest> {
        self.test_groups.iter().flat_map(|g| match g {
            TelephonyGroup::TwilioSignature { tests, .. } => tests.as_slice(),
            TelephonyGroup::Message { .. } => &[],
        })
    }

    /// Every test's `(tcId, flags)`, in file order.
    pub fn ids_and_flags(&self) -> Vec<(u32, &[String])> {
        let m = self.messages().map(|t| (t.tc_id, t.flags.as_slice()));
        let s = self.signatures().map(|t| (t.tc_id, t.flags.as_slice()));
        m.chain(s).collect()
    }
}

/// One platform's file, parsed.
pub fn load(platform: Platform) -> TelephonyFile {
    crate::load(&platform.file(), platform.raw().0)
}

/// Every platform's file, parsed.
pub fn telephony() -> Vec<(Platform, TelephonyFile)> {
    Platform::ALL.iter().map(|&p| (p, load(p))).collect()
}
