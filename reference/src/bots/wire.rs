//! One connection's translation between a platform's messages and the bot's events and actions
//! ([docs/telephony.md](../../../docs/telephony.md#reference-bot)).

use super::call::{BotAction, CallEvent, Platform, WsMessage};
use super::media_stream::{self, Dialect};
use super::vonage;

/// A platform's side of one call. It remembers the stream's identifier,
/// which Twilio wants back in every message.
#[derive(Debug, Clone)]
pub struct Wire {
    platform: Platform,
    stream: String,
}

impl Wire {
    pub fn new(platform: Platform) -> Wire {
        Wire {
            platform,
            stream: String::new(),
        }
    }

    pub fn parse(&mut self, message: &WsMessage) -> CallEvent {
        let event = match (self.dialect(), message) {
            (None, _) => vonage::parse(message),
            (Some(dialect), WsMessage::Text(text)) => media_stream::parse(dialect, text),
            // Twilio and Telnyx send text only.
            (Some(_), WsMessage::Binary(_)) => CallEvent::Other,
        };
        if let CallEvent::Start { stream, .. } = &event {
            self.stream.clone_from(stream);
        }
        event
    }

    pub fn encode(&self, action: &BotAction) -> WsMessage {
        match self.dialect() {
            Some(dialect) => WsMessage::Text(media_stream::encode(dialect, action, &self.stream)),
            None => vonage::encode(action),
        }
    }

    /// The JSON dialect; None for Vonage's binary audio.
    fn dialect(&self) -> Option<Dialect> {
        match self.platform {
            Platform::Twilio => Some(Dialect::Twilio),
            Platform::Telnyx => Some(Dialect::Telnyx),
            Platform::Vonage => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilio_actions_carry_the_started_stream() {
        let mut wire = Wire::new(Platform::Twilio);
        let start = r#"{"event":"start","start":{"streamSid":"MZ9"},"streamSid":"MZ9"}"#;
        assert!(matches!(
            wire.parse(&WsMessage::Text(start.into())),
            CallEvent::Start { .. }
        ));
        let WsMessage::Text(clear) = wire.encode(&BotAction::Clear) else {
            panic!("Twilio actions are text")
        };
        assert!(clear.contains(r#""streamSid":"MZ9""#), "{clear}");
        assert_eq!(
            wire.parse(&WsMessage::Binary(vec![0; 160])),
            CallEvent::Other
        );
    }

    #[test]
    fn vonage_audio_is_binary_both_ways() {
        let mut wire = Wire::new(Platform::Vonage);
        assert_eq!(
            wire.parse(&WsMessage::Binary(vec![1, 0])),
            CallEvent::Audio {
                payload: vec![1, 0],
                chunk: None
            }
        );
        assert_eq!(
            wire.encode(&BotAction::Audio(vec![1, 0])),
            WsMessage::Binary(vec![1, 0])
        );
    }
}
