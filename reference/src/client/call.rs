//! Playing a caller as a telephony platform streams one to a bot, with a virtual play-out
//! of the bot's audio ([docs/telephony.md](../../../docs/telephony.md#the-reference-client)).

use super::{describe_close, MaybeTls};
use crate::bots::call::FRAME_MS;
use crate::bots::{BotAction, Format, Platform, WsMessage};
use crate::g711::Codec;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::ErrorKind;
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

/// The platform's side of one call: the messages it sends a bot, in its
/// spelling, and its reading of what the bot sends back.
#[derive(Debug, Clone)]
pub struct Caller {
    platform: Platform,
    format: Format,
    seq: u64,
    chunk: u64,
}

/// The stream identifier the caller announces.
pub const STREAM: &str = "MZ00000000000000000000000000000000";

impl Caller {
    /// Twilio and Telnyx stream µ-law at 8 kHz; Vonage L16 at `rate`
    /// (8000 or 16000).
    pub fn new(platform: Platform, rate: u32) -> Caller {
        let format = match platform {
            Platform::Vonage => Format::L16 { rate },
            _ => Format::G711(Codec::Pcmu),
        };
        Caller {
            platform,
            format,
            seq: 0,
            chunk: 0,
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// A JSON message with the platform's next sequence number.
    fn numbered(&mut self, mut v: Value) -> WsMessage {
        self.seq += 1;
        let (seq, stream) = match self.platform {
            Platform::Twilio => ("sequenceNumber", "streamSid"),
            _ => ("sequence_number", "stream_id"),
        };
        v[seq] = json!(self.seq.to_string());
        v[stream] = json!(STREAM);
        WsMessage::Text(v.to_string())
    }

    /// What the platform sends first: `connected` and `start`, or Vonage's
    /// `websocket:connected` naming the rate.
    pub fn opening(&mut self) -> Vec<WsMessage> {
        let rate = self.format.rate();
        match self.platform {
            Platform::Twilio => vec![
                WsMessage::Text(
                    json!({"event": "connected", "protocol": "Call", "version": "1.0.0"})
                        .to_string(),
                ),
                self.numbered(json!({"event": "start", "start": {
                    "streamSid": STREAM, "accountSid": "AC0", "callSid": "CA0",
                    "tracks": ["inbound"], "customParameters": {},
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": rate, "channels": 1}}})),
            ],
            Platform::Telnyx => vec![
                WsMessage::Text(json!({"event": "connected", "version": "1.0.0"}).to_string()),
                self.numbered(json!({"event": "start", "start": {
                    "call_control_id": "v3:voxproof", "custom_parameters": {},
                    "media_format": {"encoding": "PCMU", "sample_rate": rate, "channels": 1}}})),
            ],
            Platform::Vonage => vec![WsMessage::Text(
                json!({"event": "websocket:connected",
                    "content-type": format!("audio/l16;rate={rate}")})
                .to_string(),
            )],
        }
    }

    /// One 20 ms frame of the caller's audio.
    pub fn media(&mut self, samples: &[i16]) -> WsMessage {
        let payload = self.format.encode(samples);
        if self.platform == Platform::Vonage {
            return WsMessage::Binary(payload);
        }
        self.chunk += 1;
        let chunk = self.chunk;
        self.numbered(json!({"event": "media", "media": {"track": "inbound",
            "chunk": chunk.to_string(), "timestamp": ((chunk - 1) * 20).to_string(),
            "payload": STANDARD.encode(payload)}}))
    }

    /// The answer to a mark whose audio has played (or was cleared).
    pub fn played(&mut self, mark: &str) -> WsMessage {
        match self.platform {
            // A Vonage mark is the notify action's payload, returned as sent.
            Platform::Vonage => {
                let payload: Value = serde_json::from_str(mark).unwrap_or(json!(mark));
                WsMessage::Text(
                    json!({"event": "websocket:notify", "payload": payload}).to_string(),
                )
            }
            _ => self.numbered(json!({"event": "mark", "mark": {"name": mark}})),
        }
    }

    /// What the platform answers a clear with: Twilio and Telnyx return the
    /// pending marks (`marks`); Vonage acknowledges.
    pub fn cleared(&mut self, marks: &[String]) -> Vec<WsMessage> {
        match self.platform {
            Platform::Vonage => vec![WsMessage::Text(
                json!({"event": "websocket:cleared"}).to_string(),
            )],
            _ => marks.iter().map(|m| self.played(m)).collect(),
        }
    }

    /// The end of the call; Vonage just closes.
    pub fn stop(&mut self) -> Option<WsMessage> {
        match self.platform {
            Platform::Vonage => None,
            _ => Some(self.numbered(
                json!({"event": "stop", "stop": {"accountSid": "AC0", "callSid": "CA0"}}),
            )),
        }
    }

    /// What a message from the bot asks for; None for anything else.
    pub fn parse(&self, message: &WsMessage) -> Option<BotAction> {
        let text = match message {
            WsMessage::Binary(frame) if self.platform == Platform::Vonage => {
                return Some(BotAction::Audio(frame.clone()))
            }
            WsMessage::Binary(_) => return None,
            WsMessage::Text(text) => text,
        };
        let v: Value = serde_json::from_str(text).ok()?;
        if self.platform == Platform::Vonage {
            return match v["action"].as_str()? {
                "notify" => Some(BotAction::Mark(v["payload"].to_string())),
                "clear" => Some(BotAction::Clear),
                _ => None,
            };
        }
        match v["event"].as_str()? {
            "media" => STANDARD
                .decode(v["media"]["payload"].as_str()?)
                .ok()
                .map(BotAction::Audio),
            "mark" => Some(BotAction::Mark(v["mark"]["name"].as_str()?.to_string())),
            "clear" => Some(BotAction::Clear),
            _ => None,
        }
    }
}

/// The platform's play-out buffer in virtual time: the bot's audio plays at
/// real-time rate from when it arrives, and a mark is due once everything
/// queued before it has played.
#[derive(Debug, Clone, Default)]
pub struct Playout {
    /// When the queued audio will have played.
    ends_ms: u64,
    marks: VecDeque<(u64, String)>,
}

impl Playout {
    pub fn audio(&mut self, now_ms: u64, duration_ms: u64) {
        self.ends_ms = self.ends_ms.max(now_ms) + duration_ms;
    }

    pub fn mark(&mut self, now_ms: u64, name: String) {
        self.marks.push_back((self.ends_ms.max(now_ms), name));
    }

    /// The marks whose audio has played by `now_ms`, in order.
    pub fn due(&mut self, now_ms: u64) -> Vec<String> {
        let mut out = Vec::new();
        while self.marks.front().is_some_and(|(at, _)| *at <= now_ms) {
            out.extend(self.marks.pop_front().map(|(_, name)| name));
        }
        out
    }

    /// When the next mark is due.
    pub fn next_due(&self) -> Option<u64> {
        self.marks.front().map(|(at, _)| *at)
    }

    /// Drop what has not played; the pending marks, in order.
    pub fn clear(&mut self, now_ms: u64) -> Vec<String> {
        self.ends_ms = now_ms;
        self.marks.drain(..).map(|(_, name)| name).collect()
    }
}

/// What happened on a call, for the caller to report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Heard {
    /// The bot's audio, decoded, in the call's format's rate.
    pub samples: Vec<i16>,
    /// Marks played back to the bot, in order.
    pub marks: Vec<String>,
    pub clears: usize,
}

/// Play `samples` (at the call's rate) as 20 ms frames on the caller's
/// clock, then silence until `duration` has passed; answer marks as the
/// bot's audio plays out and clears as the platform does; then stop and
/// close. One thread does it all, as in [`super::stream::stream`].
pub fn play(
    ws: &mut WebSocket<MaybeTls>,
    caller: &mut Caller,
    samples: &[i16],
    duration: Duration,
    mut on_event: impl FnMut(&str),
) -> Result<Heard, String> {
    let format = caller.format();
    let n = format.frame_samples();
    let frames: Vec<Vec<i16>> = samples
        .chunks(n)
        .map(|c| {
            let mut f = c.to_vec();
            f.resize(n, 0);
            f
        })
        .collect();
    let silence = vec![0; n];
    let send = |ws: &mut WebSocket<MaybeTls>, m: WsMessage| {
        let message = match m {
            WsMessage::Text(t) => Message::text(t),
            WsMessage::Binary(b) => Message::binary(b),
        };
        ws.send(message).map_err(|e| format!("sending: {e}"))
    };
    let start = Instant::now();
    let ms = |at: Instant| u64::try_from(at.duration_since(start).as_millis()).unwrap_or(u64::MAX);
    let end = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    let mut playout = Playout::default();
    let mut heard = Heard::default();
    for m in caller.opening() {
        send(ws, m)?;
    }
    let mut next_frame = 0u64;
    loop {
        let now = ms(Instant::now());
        while next_frame * u64::from(FRAME_MS) <= now.min(end.saturating_sub(1)) {
            let frame = frames.get(next_frame as usize).unwrap_or(&silence);
            send(ws, caller.media(frame))?;
            next_frame += 1;
        }
        for mark in playout.due(now) {
            on_event(&format!("mark {mark} played"));
            send(ws, caller.played(&mark))?;
            heard.marks.push(mark);
        }
        if now >= end {
            break;
        }
        let wake = [
            Some(next_frame * u64::from(FRAME_MS)),
            playout.next_due(),
            Some(end),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(end);
        let wait = Duration::from_millis(wake.saturating_sub(now).max(1));
        ws.get_mut()
            .set_read_timeout(Some(wait))
            .map_err(|e| e.to_string())?;
        let message = match ws.read() {
            Ok(Message::Text(t)) => WsMessage::Text(t.to_string()),
            Ok(Message::Binary(b)) => WsMessage::Binary(b.to_vec()),
            Ok(Message::Close(frame)) => {
                on_event(&describe_close(frame.as_ref()));
                break;
            }
            Ok(_) => continue,
            Err(tungstenite::Error::Io(e))
                if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
            {
                continue
            }
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => break,
            Err(e) => return Err(format!("receiving: {e}")),
        };
        let now = ms(Instant::now());
        match caller.parse(&message) {
            Some(BotAction::Audio(payload)) => {
                let decoded = format.decode(&payload);
                let played_ms = decoded.len() as u64 * 1000 / u64::from(format.rate());
                playout.audio(now, played_ms);
                heard.samples.extend(decoded);
            }
            Some(BotAction::Mark(name)) => playout.mark(now, name),
            Some(BotAction::Clear) => {
                let pending = playout.clear(now);
                on_event(&format!("clear ({} marks pending)", pending.len()));
                heard.clears += 1;
                for m in caller.cleared(&pending) {
                    send(ws, m)?;
                }
            }
            None => {}
        }
    }
    if let Some(stop) = caller.stop() {
        // The bot may have closed already.
        let _ = send(ws, stop);
    }
    let _ = ws.close(None);
    let _ = ws
        .get_mut()
        .set_read_timeout(Some(Duration::from_millis(500)));
    while ws.read().is_ok() {}
    Ok(heard)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bots::{CallEvent, Wire};

    /// The bot's own parser reads what the caller sends.
    fn through_bot(platform: Platform, messages: Vec<WsMessage>) -> Vec<CallEvent> {
        let mut wire = Wire::new(platform);
        messages.iter().map(|m| wire.parse(m)).collect()
    }

    #[test]
    fn the_bot_understands_each_profile() {
        for platform in Platform::ALL {
            let mut caller = Caller::new(platform, 16000);
            let mut messages = caller.opening();
            let frame = vec![1000i16; caller.format().frame_samples()];
            messages.push(caller.media(&frame));
            messages.push(caller.played("m"));
            messages.extend(caller.stop());
            let events = through_bot(platform, messages);
            let format = caller.format();
            assert!(
                events.contains(&CallEvent::Start {
                    stream: if platform == Platform::Vonage {
                        String::new()
                    } else {
                        STREAM.into()
                    },
                    format: Some(format)
                }),
                "{platform:?}: {events:?}"
            );
            let audio = events.iter().find_map(|e| match e {
                CallEvent::Audio { payload, .. } => Some(format.decode(payload)),
                _ => None,
            });
            assert_eq!(audio.map(|s| s.len()), Some(frame.len()), "{platform:?}");
            if platform == Platform::Vonage {
                // A Vonage mark is the payload the bot chose; a bare name is no mark.
                assert_eq!(events.last(), Some(&CallEvent::Other));
            } else {
                assert!(events.contains(&CallEvent::Mark { name: "m".into() }));
                assert_eq!(events.last(), Some(&CallEvent::Stop));
            }
        }
    }

    #[test]
    fn the_caller_understands_the_bot() {
        for platform in Platform::ALL {
            let wire = Wire::new(platform);
            let caller = Caller::new(platform, 8000);
            for action in [
                BotAction::Audio(vec![1, 2]),
                BotAction::Clear,
                BotAction::Mark("prompt-1-end".into()),
            ] {
                let parsed = caller.parse(&wire.encode(&action));
                match (platform, &action) {
                    (Platform::Vonage, BotAction::Mark(_)) => {
                        let Some(BotAction::Mark(payload)) = parsed else {
                            panic!("{parsed:?}")
                        };
                        let mut bot = Wire::new(platform);
                        let mut caller = caller.clone();
                        assert_eq!(
                            bot.parse(&caller.played(&payload)),
                            CallEvent::Mark {
                                name: "prompt-1-end".into()
                            }
                        );
                    }
                    _ => assert_eq!(parsed, Some(action), "{platform:?}"),
                }
            }
        }
    }

    #[test]
    fn marks_fall_due_as_audio_plays_out() {
        let mut p = Playout::default();
        p.audio(0, 20);
        p.audio(0, 20);
        p.mark(5, "a".into());
        p.audio(10, 20);
        p.mark(10, "b".into());
        assert_eq!(p.next_due(), Some(40));
        assert!(p.due(39).is_empty());
        assert_eq!(p.due(40), ["a"]);
        assert_eq!(p.due(60), ["b"]);
        // A mark with nothing queued is due at once; audio after a pause
        // starts when it arrives.
        p.mark(100, "c".into());
        assert_eq!(p.due(100), ["c"]);
        p.audio(200, 20);
        p.mark(200, "d".into());
        p.mark(200, "e".into());
        assert_eq!(p.clear(205), ["d", "e"]);
        assert!(p.due(1000).is_empty());
        p.mark(300, "f".into());
        assert_eq!(p.due(300), ["f"]);
    }
}
