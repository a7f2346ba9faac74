//! A call as the bot sees it, whatever the platform: routes, audio formats, events and actions
//! ([docs/telephony.md](../../../docs/telephony.md#reference-bot)).

use crate::g711::Codec;

/// The telephony platforms whose media streams the bot speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Twilio,
    Telnyx,
    Vonage,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::Twilio, Platform::Telnyx, Platform::Vonage];

    /// `twilio`, `telnyx` or `vonage`: the route's first segment and the
    /// client's `--profile`.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Twilio => "twilio",
            Platform::Telnyx => "telnyx",
            Platform::Vonage => "vonage",
        }
    }

    pub fn from_name(name: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// What the bot does with the caller's audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Sends every frame of the caller's back as it arrives.
    Echo,
    /// Answers each utterance with a prompt, and stops the prompt when the
    /// caller talks over it.
    Turn,
}

/// A bot's resource: `/PLATFORM` (turn), `/PLATFORM/echo` or `/PLATFORM/turn`.
/// The behaviour is in the path because Twilio drops query strings from
/// stream URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BotRoute {
    pub platform: Platform,
    pub behaviour: Behaviour,
}

impl BotRoute {
    pub fn from_path(path: &str) -> Option<BotRoute> {
        let rest = path.strip_prefix('/')?;
        let (platform, behaviour) = match rest.split_once('/') {
            None => (rest, Behaviour::Turn),
            Some((p, "echo")) => (p, Behaviour::Echo),
            Some((p, "turn")) => (p, Behaviour::Turn),
            Some(_) => return None,
        };
        Some(BotRoute {
            platform: Platform::from_name(platform)?,
            behaviour,
        })
    }
}

/// Milliseconds of audio in one frame, on every platform.
pub const FRAME_MS: u32 = 20;

/// How a call's audio travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// G.711 codes at 8 kHz (Twilio, Telnyx).
    G711(Codec),
    /// 16-bit little-endian linear PCM at this rate (Vonage).
    L16 { rate: u32 },
}

impl Format {
    pub fn rate(self) -> u32 {
        match self {
            Format::G711(_) => crate::g711::SAMPLE_RATE,
            Format::L16 { rate } => rate,
        }
    }

    /// Samples in one 20 ms frame.
    pub fn frame_samples(self) -> usize {
        (self.rate() * FRAME_MS / 1000) as usize
    }

    /// Bytes in one 20 ms frame.
    pub fn frame_bytes(self) -> usize {
        match self {
            Format::G711(_) => self.frame_samples(),
            Format::L16 { .. } => 2 * self.frame_samples(),
        }
    }

    pub fn decode(self, bytes: &[u8]) -> Vec<i16> {
        match self {
            Format::G711(codec) => codec.decode_vec(bytes),
            // An odd last byte is half a sample: dropped.
            Format::L16 { .. } => bytes
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]))
                .collect(),
        }
    }

    pub fn encode(self, samples: &[i16]) -> Vec<u8> {
        match self {
            Format::G711(codec) => codec.encode_vec(samples),
            Format::L16 { .. } => samples.iter().flat_map(|s| s.to_le_bytes()).collect(),
        }
    }
}

/// Audio at `from` Hz resampled to `to` Hz by linear interpolation: enough
/// to move a prompt or a caller between 8 and 16 kHz.
pub fn resample(samples: &[i16], from: u32, to: u32) -> Vec<i16> {
    if from == to || samples.is_empty() {
        return samples.to_vec();
    }
    let n = (samples.len() as u64 * u64::from(to) / u64::from(from)) as usize;
    (0..n)
        .map(|i| {
            let at = i as f64 * f64::from(from) / f64::from(to);
            let k = at as usize;
            let a = f64::from(samples[k]);
            let b = f64::from(*samples.get(k + 1).unwrap_or(&samples[k]));
            (a + (b - a) * (at - k as f64)).round() as i16
        })
        .collect()
}

/// What a platform told the bot, in no platform's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEvent {
    /// The stream begins. `format` is None for an encoding the bot cannot
    /// decode (it can still echo it).
    Start {
        stream: String,
        format: Option<Format>,
    },
    /// The caller's audio as it travels (codes or L16 bytes); `chunk`
    /// numbers the frames where the platform does.
    Audio {
        payload: Vec<u8>,
        chunk: Option<u64>,
    },
    Dtmf {
        digit: String,
    },
    /// The audio the bot sent before its mark of this name has played (or
    /// was cleared).
    Mark {
        name: String,
    },
    /// The call ended.
    Stop,
    /// Anything else: greetings, acknowledgements, events of later
    /// versions, text that is not JSON. Never an error: the call goes on.
    Other,
}

/// What the bot asks the platform to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BotAction {
    /// Play one 20 ms frame, in the call's format.
    Audio(Vec<u8>),
    /// Report back once everything sent before this has played.
    Mark(String),
    /// Drop the audio not yet played (barge-in).
    Clear,
}

/// A WebSocket data message, so that the pure core needs no socket library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsMessage {
    Text(String),
    Binary(Vec<u8>),
}

/// A JSON number, or a string of digits as Twilio and Telnyx send them.
pub fn number(value: &serde_json::Value) -> Option<u64> {
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let route = |p| BotRoute::from_path(p).map(|r| (r.platform, r.behaviour));
        assert_eq!(route("/twilio"), Some((Platform::Twilio, Behaviour::Turn)));
        assert_eq!(
            route("/telnyx/echo"),
            Some((Platform::Telnyx, Behaviour::Echo))
        );
        assert_eq!(
            route("/vonage/turn"),
            Some((Platform::Vonage, Behaviour::Turn))
        );
        for path in [
            "/",
            "/twilio/",
            "/twilio/dance",
            "/plivo",
            "twilio",
            "/twilio/echo/x",
        ] {
            assert_eq!(route(path), None, "{path}");
        }
    }

    #[test]
    fn formats() {
        let l16 = Format::L16 { rate: 16000 };
        assert_eq!((l16.frame_samples(), l16.frame_bytes()), (320, 640));
        let ulaw = Format::G711(Codec::Pcmu);
        assert_eq!((ulaw.frame_samples(), ulaw.frame_bytes()), (160, 160));
        assert_eq!(l16.decode(&l16.encode(&[1, -2, 300])), vec![1, -2, 300]);
        assert_eq!(l16.decode(&[1, 0, 7]), vec![1]);
        assert_eq!(ulaw.encode(&[0]), vec![0xFF]);
    }

    #[test]
    fn resampling_keeps_the_samples_it_lands_on() {
        let up = resample(&[0, 100, 200], 8000, 16000);
        assert_eq!(up, vec![0, 50, 100, 150, 200, 200]);
        assert_eq!(resample(&up, 16000, 8000), vec![0, 100, 200]);
        assert!(resample(&[], 8000, 16000).is_empty());
    }

    #[test]
    fn numbers_come_as_numbers_or_strings() {
        assert_eq!(number(&serde_json::json!(7)), Some(7));
        assert_eq!(number(&serde_json::json!("12")), Some(12));
        assert_eq!(number(&serde_json::json!("x")), None);
        assert_eq!(number(&serde_json::json!(null)), None);
    }
}
