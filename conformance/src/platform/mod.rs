//! Telephony platforms as the suite plays them to a voice bot: each one's
//! messages, built and judged as pure functions ([docs/telephony.md](../../../docs/telephony.md)).

pub mod audio;
pub mod call;
pub mod caller;
pub mod figures;
pub mod playout;
pub mod signature;
pub mod telnyx;
pub mod twilio;
pub mod vonage;

use crate::rule::Rule;
use base64::Engine as _;
use serde_json::{Map, Value};

/// A platform that streams calls to a bot over WebSocket: the vectors'
/// (its name is the profile name and case id prefix).
pub use voxproof_vectors::telephony::Platform;

/// Samples per second of the audio the suite streams (Vonage: the 16 kHz
/// its documentation shows in the NCCO example).
pub fn rate(platform: Platform) -> u32 {
    match platform {
        Platform::Vonage => 16_000,
        Platform::Twilio | Platform::Telnyx => 8_000,
    }
}

/// One WebSocket message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wire {
    Text(String),
    Binary(Vec<u8>),
}

impl Wire {
    fn json(v: Value) -> Wire {
        Wire::Text(v.to_string())
    }
}

/// What the platform sends the bot.
#[derive(Debug, Clone, PartialEq)]
pub enum ToBot<'a> {
    /// What opens the stream (`connected` and `start`; Vonage's
    /// `websocket:connected`).
    Opening,
    /// Caller audio: frame `index` of the call, 20 ms each.
    Media {
        index: u64,
        pcm: &'a [i16],
    },
    Dtmf(char),
    /// A mark (Vonage: a notify) whose audio has played, or that a clear
    /// returned.
    MarkDone(String),
    /// Vonage's answer to a clear; nothing on the others.
    Cleared,
    /// An event type the platform's documentation does not list.
    Unknown,
    Stop,
}

/// What the bot sent, once judged well-formed.
#[derive(Debug, Clone, PartialEq)]
pub enum FromBot {
    /// Audio for the caller: the samples, and the payload bytes as sent.
    Audio {
        pcm: Vec<i16>,
        bytes: Vec<u8>,
    },
    /// A mark (Vonage: a notify, its payload as JSON text).
    Mark(String),
    Clear,
}

/// A message the platform refuses, with the rule it breaks.
#[derive(Debug, Clone, PartialEq)]
pub struct Breach {
    pub rule: Rule,
    pub detail: String,
    /// false: the documentation only advises it (NON-STRICT).
    pub strict: bool,
    /// What the message still carries, where it can be told (audio of the
    /// wrong size is audio): the call plays it, so the figures see it.
    pub heard: Option<Box<FromBot>>,
}

impl Breach {
    fn new(rule: Rule, detail: impl Into<String>) -> Breach {
        Breach {
            rule,
            detail: detail.into(),
            strict: true,
            heard: None,
        }
    }

    fn hearing(mut self, heard: FromBot) -> Breach {
        self.heard = Some(Box::new(heard));
        self
    }
}

/// A message for the wire log: audio in one line (its size), anything else
/// as sent, clipped.
pub fn logged(wire: &Wire, judged: Option<&FromBot>) -> String {
    match (wire, judged) {
        (Wire::Binary(b), Some(FromBot::Audio { .. })) => {
            format!("binary: {} octets of audio", b.len())
        }
        (Wire::Binary(b), _) => format!("binary: {} octets", b.len()),
        (Wire::Text(_), Some(FromBot::Audio { bytes, .. })) => {
            format!("media: {} octets of audio", bytes.len())
        }
        (Wire::Text(t), _) => clip_at(t, 400),
    }
}

fn clip_at(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!(
            "{}… ({} characters)",
            s.chars().take(n).collect::<String>(),
            s.chars().count()
        )
    }
}

/// The identifiers of one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ids {
    pub stream: String,
    pub call: String,
    pub account: String,
}

/// One call's state on the platform's side: identifiers, sequence
/// numbers, the audio format.
#[derive(Debug, Clone)]
pub struct Session {
    pub platform: Platform,
    pub ids: Ids,
    pub rate: u32,
    /// Every message to the bot carries fields the documentation does not
    /// show (the platforms add fields over time).
    pub extra_fields: bool,
    /// The last sequence number sent.
    seq: u64,
}

impl Session {
    pub fn new(platform: Platform, nonce: u64, extra_fields: bool) -> Session {
        let hex = format!("{nonce:016x}{:016x}", nonce.rotate_left(17) ^ 0x5eed);
        let ids = match platform {
            Platform::Twilio => Ids {
                stream: format!("MZ{hex}"),
                call: format!("CA{hex}"),
                account: format!("AC{hex}"),
            },
            Platform::Telnyx | Platform::Vonage => Ids {
                stream: format!(
                    "{}-{}-{}-{}-{}",
                    &hex[..8],
                    &hex[8..12],
                    &hex[12..16],
                    &hex[16..20],
                    &hex[20..32]
                ),
                call: format!("v3:{hex}"),
                account: hex[..16].to_string(),
            },
        };
        Session {
            platform,
            ids,
            rate: rate(platform),
            extra_fields,
            seq: 0,
        }
    }

    pub fn next_seq(&mut self) -> String {
        self.seq += 1;
        self.seq.to_string()
    }

    /// The messages that carry `msg`.
    pub fn to_bot(&mut self, msg: ToBot) -> Vec<Wire> {
        let mut out = match self.platform {
            Platform::Twilio => twilio::to_bot(self, msg),
            Platform::Telnyx => telnyx::to_bot(self, msg),
            Platform::Vonage => vonage::to_bot(self, msg),
        };
        if self.extra_fields {
            for w in &mut out {
                if let Wire::Text(t) = w {
                    *t = with_extra_fields(t);
                }
            }
        }
        out
    }

    /// Judge one message from the bot.
    pub fn judge(&self, wire: &Wire) -> Result<FromBot, Breach> {
        match self.platform {
            Platform::Twilio => twilio::judge(self, wire),
            Platform::Telnyx => telnyx::judge(self, wire),
            Platform::Vonage => vonage::judge(self, wire),
        }
    }

    /// The audio payload bytes of caller samples, as this platform carries them.
    pub fn payload(&self, pcm: &[i16]) -> Vec<u8> {
        match self.platform {
            Platform::Twilio | Platform::Telnyx => mulaw(pcm),
            Platform::Vonage => pcm.iter().flat_map(|s| s.to_le_bytes()).collect(),
        }
    }
}

/// `text` (a JSON object) with a field added at the top level and inside
/// each object member, as a newer protocol version might send.
fn with_extra_fields(text: &str) -> String {
    let Ok(Value::Object(mut top)) = serde_json::from_str::<Value>(text) else {
        return text.to_string();
    };
    for v in top.values_mut() {
        if let Value::Object(inner) = v {
            inner.insert("addedLater".into(), Value::from("ignore me"));
        }
    }
    top.insert(
        "addedLater".into(),
        serde_json::json!({"note": "a field a later version adds"}),
    );
    Value::Object(top).to_string()
}

pub fn mulaw(pcm: &[i16]) -> Vec<u8> {
    let t = crate::cases::voice::expect::tables();
    pcm.iter().map(|&s| t.pcmu.encode_of(s)).collect()
}

pub fn from_mulaw(bytes: &[u8]) -> Vec<i16> {
    let t = crate::cases::voice::expect::tables();
    bytes.iter().map(|&c| t.pcmu.decode_of(c)).collect()
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A text message as a JSON object, or why not (for the platform's rule).
fn object(wire: &Wire) -> Result<Map<String, Value>, String> {
    let Wire::Text(text) = wire else {
        return Err("a binary message".into());
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => Err(format!(
            "JSON that is not an object: {}",
            clip(&other.to_string())
        )),
        Err(e) => Err(format!("not JSON ({e}): {}", clip(text))),
    }
}

/// The fields of `m` beyond `allowed`, and those of `required` it lacks.
fn field_problems(m: &Map<String, Value>, allowed: &[&str], required: &[&str]) -> Option<String> {
    let extra: Vec<&str> = m
        .keys()
        .map(String::as_str)
        .filter(|k| !allowed.contains(k))
        .collect();
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|k| !m.contains_key(*k))
        .collect();
    match (extra.is_empty(), missing.is_empty()) {
        (true, true) => None,
        (false, true) => Some(format!("extra field {}", extra.join(", "))),
        (true, false) => Some(format!("missing field {}", missing.join(", "))),
        (false, false) => Some(format!(
            "missing field {}; extra field {}",
            missing.join(", "),
            extra.join(", ")
        )),
    }
}

/// Strict base64 (RFC 4648 §4, padded), as the platforms' examples are.
fn unb64(s: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| format!("payload is not base64 ({e}): {}", clip(s)))
}

/// At most 80 characters of `s`, for detail lines.
pub fn clip(s: &str) -> String {
    if s.chars().count() <= 80 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(80).collect::<String>())
    }
}
