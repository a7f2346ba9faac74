//! The voice bot over real sockets: calls played as Twilio, Telnyx and Vonage
//! stream them, with the fixtures' speech and the expected prompt from the vectors.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use std::time::Duration;
use tungstenite::{Error, Message, WebSocket};
use voxproof_reference::bots::TwilioAuth;
use voxproof_reference::client::{connect, MaybeTls, WsUrl};
use voxproof_reference::g711::{wav, Codec};
use voxproof_reference::server::{spawn, Config, Handle};
use voxproof_vectors::g711::WAV_FIXTURES;

fn server(config: Config) -> Handle {
    spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..config
    })
    .expect("server starts")
}

fn fixture(name: &str) -> voxproof_vectors::g711::WavFixture {
    *WAV_FIXTURES.iter().find(|f| f.name == name).unwrap()
}

/// The fixture's audio as codes of `codec`, or as 16-bit samples.
fn codes(name: &str, codec: Codec) -> Vec<u8> {
    let f = fixture(name);
    let file = if codec == Codec::Pcmu { f.pcmu } else { f.pcma };
    wav::read(file).unwrap().to_codes(codec)
}

fn samples(name: &str) -> Vec<i16> {
    wav::read(fixture(name).pcm16).unwrap().to_linear()
}

/// 20 ms frames of `bytes`, the last padded with `fill`, then `silence` more.
fn frames(bytes: &[u8], size: usize, fill: &[u8], silence: usize) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = bytes
        .chunks(size)
        .map(|c| {
            let mut f = c.to_vec();
            while f.len() < size {
                f.extend_from_slice(fill);
            }
            f
        })
        .collect();
    out.extend((0..silence).map(|_| fill.repeat(size / fill.len())));
    out
}

fn l16(samples: &[i16]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

/// One call, played as the platform would: its messages, in its spelling.
struct Call {
    ws: WebSocket<MaybeTls>,
    platform: &'static str,
    seq: u64,
    chunk: u64,
}

impl Call {
    fn open(h: &Handle, path: &str, headers: &[(String, String)]) -> Result<Call, String> {
        let url = WsUrl::parse(&format!("ws://{}{path}", h.addr())).unwrap();
        let (ws, _) = connect(&url, &[], headers, Duration::from_secs(5))?;
        let platform = ["twilio", "telnyx", "vonage"]
            .into_iter()
            .find(|p| path[1..].starts_with(p))
            .unwrap();
        Ok(Call {
            ws,
            platform,
            seq: 0,
            chunk: 0,
        })
    }

    fn json(&mut self, v: Value) {
        self.ws.send(Message::text(v.to_string())).unwrap();
    }

    /// The platform's sequence number field, counting up as a string.
    fn numbered(&mut self, mut v: Value) -> Value {
        self.seq += 1;
        let key = match self.platform {
            "twilio" => "sequenceNumber",
            _ => "sequence_number",
        };
        v[key] = json!(self.seq.to_string());
        v
    }

    /// `connected` and `start` (Twilio, Telnyx) or `websocket:connected` (Vonage).
    fn begin(&mut self, encoding: &str) {
        let start = match self.platform {
            "twilio" => {
                self.json(json!({"event": "connected", "protocol": "Call", "version": "1.0.0"}));
                json!({"event": "start", "streamSid": "MZ1", "start": {
                    "streamSid": "MZ1", "accountSid": "AC1", "callSid": "CA1",
                    "tracks": ["inbound"], "customParameters": {"who": "test"},
                    "mediaFormat": {"encoding": encoding, "sampleRate": 8000, "channels": 1}}})
            }
            "telnyx" => {
                self.json(json!({"event": "connected", "version": "1.0.0"}));
                json!({"event": "start", "stream_id": "S1", "start": {
                    "call_control_id": "v3:x", "custom_parameters": {},
                    "media_format": {"encoding": encoding, "sample_rate": 8000, "channels": 1}}})
            }
            _ => {
                return self.json(json!({"event": "websocket:connected",
                    "content-type": encoding, "caller": "447700900000"}))
            }
        };
        let start = self.numbered(start);
        self.json(start);
    }

    fn media(&mut self, frame: &[u8]) {
        self.chunk += 1;
        self.media_numbered(frame, self.chunk);
    }

    fn media_numbered(&mut self, frame: &[u8], chunk: u64) {
        if self.platform == "vonage" {
            self.ws.send(Message::binary(frame.to_vec())).unwrap();
            return;
        }
        let stream = if self.platform == "twilio" {
            "streamSid"
        } else {
            "stream_id"
        };
        let mut m = json!({"event": "media", "media": {"track": "inbound",
            "chunk": chunk.to_string(), "timestamp": (chunk * 20).to_string(),
            "payload": STANDARD.encode(frame)}});
        m[stream] = json!("MZ1");
        let m = self.numbered(m);
        self.json(m);
    }

    /// What a platform does when the audio before a mark has played.
    fn played(&mut self, name: &str) {
        let m = match self.platform {
            "vonage" => json!({"event": "websocket:notify", "payload": {"name": name}}),
            _ => json!({"event": "mark", "streamSid": "MZ1", "mark": {"name": name}}),
        };
        let m = self.numbered(m);
        self.json(m);
    }

    fn stop(&mut self) {
        let stop = json!({"event": "stop", "streamSid": "MZ1",
            "stop": {"accountSid": "AC1", "callSid": "CA1"}});
        let stop = self.numbered(stop);
        self.json(stop);
    }

    /// Messages from the bot until `done` says so (it sees each), or 5 s.
    fn read_until(&mut self, mut done: impl FnMut(&Message) -> bool) -> Vec<Message> {
        self.ws
            .get_ref()
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut out = Vec::new();
        loop {
            match self.ws.read() {
                Ok(m) => {
                    let stop = done(&m);
                    out.push(m);
                    if stop {
                        return out;
                    }
                }
                Err(e) => panic!("the bot said no more after {} messages: {e}", out.len()),
            }
        }
    }

    /// Messages from the bot within `wait`.
    fn read_for(&mut self, wait: Duration) -> Vec<Message> {
        self.ws.get_ref().set_read_timeout(Some(wait)).unwrap();
        let mut out = Vec::new();
        while let Ok(m) = self.ws.read() {
            out.push(m);
        }
        out
    }

    /// Close as the platform, and return what the bot sent before its
    /// answering close; panics if it does not answer.
    fn hang_up(mut self) -> Vec<Message> {
        self.ws.close(None).unwrap();
        self.ws
            .get_ref()
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut out = Vec::new();
        let mut answered = false;
        loop {
            match self.ws.read() {
                Ok(Message::Close(_)) => answered = true,
                Ok(m) => out.push(m),
                Err(Error::ConnectionClosed) if answered => return out,
                Err(e) => panic!("the bot did not answer the close: {e}"),
            }
        }
    }
}

/// What the bot sent, as (event, audio or mark name) pairs.
fn actions(messages: &[Message]) -> Vec<(String, Vec<u8>)> {
    messages
        .iter()
        .filter_map(|m| match m {
            Message::Binary(b) => Some(("media".to_string(), b.to_vec())),
            Message::Text(t) => {
                let v: Value = serde_json::from_str(t).expect("the bot sends JSON");
                if let Some(action) = v["action"].as_str() {
                    let name = v["payload"]["name"].as_str().unwrap_or("");
                    let event = if action == "notify" { "mark" } else { action };
                    return Some((event.to_string(), name.as_bytes().to_vec()));
                }
                let event = v["event"].as_str().unwrap().to_string();
                let data = match event.as_str() {
                    "media" => STANDARD
                        .decode(v["media"]["payload"].as_str().unwrap())
                        .unwrap(),
                    "mark" => v["mark"]["name"].as_str().unwrap().as_bytes().to_vec(),
                    _ => Vec::new(),
                };
                Some((event, data))
            }
            _ => None,
        })
        .collect()
}

fn audio_of(actions: &[(String, Vec<u8>)]) -> Vec<u8> {
    actions
        .iter()
        .filter(|(e, _)| e == "media")
        .flat_map(|(_, d)| d.clone())
        .collect()
}

fn marks_of(actions: &[(String, Vec<u8>)]) -> Vec<String> {
    actions
        .iter()
        .filter(|(e, _)| e == "mark")
        .map(|(_, d)| String::from_utf8(d.clone()).unwrap())
        .collect()
}

fn is_text_with(m: &Message, needle: &str) -> bool {
    matches!(m, Message::Text(t) if t.contains(needle))
}

#[test]
fn twilio_echo_returns_the_call_byte_exact_and_nothing_after_stop() {
    let h = server(Config::default());
    let mut call = Call::open(&h, "/twilio/echo", &[]).unwrap();
    call.begin("audio/x-mulaw");
    let sent = frames(&codes("speech", Codec::Pcmu), 160, &[0xFF], 10);
    for (i, frame) in sent.iter().enumerate() {
        call.media(frame);
        // What a call may also carry: none of it ends or changes the echo.
        if i == 20 {
            call.json(
                json!({"event": "dtmf", "streamSid": "MZ1", "sequenceNumber": "99",
                "dtmf": {"track": "inbound_track", "digit": "5"}}),
            );
            call.json(json!({"event": "newfangled", "streamSid": "MZ1", "x": [1, 2]}));
            call.ws.send(Message::text("not JSON")).unwrap();
            call.ws.send(Message::binary(vec![1, 2, 3])).unwrap();
        }
    }
    call.stop();
    // A platform that goes on after stop hears nothing back.
    for frame in &sent[..5] {
        call.media(frame);
    }
    let got = actions(&call.hang_up());
    assert!(got.iter().all(|(e, _)| e == "media"), "only media");
    assert_eq!(
        got.len(),
        sent.len(),
        "one frame out per frame in, none after stop"
    );
    assert_eq!(audio_of(&got), sent.concat());
}

#[test]
fn twilio_media_carries_the_stream_sid() {
    let h = server(Config::default());
    let mut call = Call::open(&h, "/twilio/echo", &[]).unwrap();
    call.begin("audio/x-mulaw");
    call.media(&[0xFF; 160]);
    let got = call.read_until(|_| true);
    let Message::Text(text) = &got[0] else {
        panic!("Twilio gets text")
    };
    let v: Value = serde_json::from_str(text).unwrap();
    assert_eq!(v["event"], "media");
    assert_eq!(v["streamSid"], "MZ1");
    assert_eq!(v["media"]["payload"], STANDARD.encode([0xFF; 160]));
}

#[test]
fn telnyx_echo_puts_frames_back_in_order() {
    let h = server(Config::default());
    let mut call = Call::open(&h, "/telnyx/echo", &[]).unwrap();
    call.begin("PCMA");
    let sent = frames(&codes("speech", Codec::Pcma), 160, &[0xD5], 0);
    // Pairs swapped: 2, 1, 4, 3, …
    for pair in (0..sent.len()).collect::<Vec<_>>().chunks(2) {
        for &i in pair.iter().rev() {
            call.media_numbered(&sent[i], i as u64 + 1);
        }
    }
    call.stop();
    let got = actions(&call.hang_up());
    assert_eq!(audio_of(&got), sent.concat());
}

#[test]
fn vonage_echo_returns_binary_frames_unchanged() {
    let h = server(Config::default());
    let mut call = Call::open(&h, "/vonage/echo", &[]).unwrap();
    call.begin("audio/l16;rate=8000");
    let sent = frames(&l16(&samples("speech")), 320, &[0, 0], 0);
    for frame in &sent {
        call.media(frame);
    }
    call.json(json!({"event": "websocket:dtmf", "digit": "#", "duration": 100}));
    let got = call.hang_up();
    assert!(got
        .iter()
        .all(|m| matches!(m, Message::Binary(b) if b.len() == 320)));
    assert_eq!(audio_of(&actions(&got)), sent.concat());
}

/// Speech, then 800 ms of silence; the messages up to the prompt's last mark.
fn utterance(call: &mut Call, speech: &[Vec<u8>], silence: &[u8]) -> Vec<(String, Vec<u8>)> {
    for frame in speech {
        call.media(frame);
    }
    for _ in 0..40 {
        call.media(silence);
    }
    actions(&call.read_until(|m| is_text_with(m, "-end")))
}

const PROMPT_MARKS: [&str; 5] = ["-1", "-2", "-3", "-4", "-end"];

fn assert_prompt(got: &[(String, Vec<u8>)], n: u32, audio: &[u8], frame: usize) {
    let want: Vec<String> = PROMPT_MARKS
        .iter()
        .map(|m| format!("prompt-{n}{m}"))
        .collect();
    assert_eq!(marks_of(got), want);
    assert_eq!(audio_of(got), audio, "the sweep fixture");
    assert!(got.iter().all(|(e, d)| e != "media" || d.len() == frame));
    // A mark after every ten frames.
    let kinds: String = got
        .iter()
        .map(|(e, _)| if e == "media" { 'a' } else { 'm' })
        .collect();
    assert_eq!(kinds, format!("{}m", "aaaaaaaaaa").repeat(5));
}

#[test]
fn twilio_turn_answers_an_utterance_then_yields_to_barge_in() {
    let h = server(Config::default());
    let mut call = Call::open(&h, "/twilio", &[]).unwrap();
    call.begin("audio/x-mulaw");
    let speech = frames(&codes("speech", Codec::Pcmu), 160, &[0xFF], 0);
    let got = utterance(&mut call, &speech, &[0xFF; 160]);
    assert_prompt(&got, 1, &codes("sweep", Codec::Pcmu), 160);
    // The caller talks while the prompt plays (no mark has come back).
    call.played("prompt-1-1");
    for frame in &speech[..10] {
        call.media(frame);
    }
    let got = call.read_until(|m| is_text_with(m, "clear"));
    let Message::Text(clear) = got.last().unwrap() else {
        unreachable!()
    };
    assert_eq!(
        serde_json::from_str::<Value>(clear).unwrap(),
        json!({"event": "clear", "streamSid": "MZ1"})
    );
    assert_eq!(got.len(), 1, "nothing but the clear");
    // Twilio returns the cleared marks; the interrupting utterance is answered.
    for m in ["prompt-1-2", "prompt-1-3", "prompt-1-4", "prompt-1-end"] {
        call.played(m);
    }
    let got = utterance(&mut call, &[], &[0xFF; 160]);
    assert_prompt(&got, 2, &codes("sweep", Codec::Pcmu), 160);
    call.stop();
    assert!(call.hang_up().is_empty());
}

#[test]
fn a_prompt_whose_marks_came_back_is_not_cleared() {
    let h = server(Config::default());
    let mut call = Call::open(&h, "/telnyx/turn", &[]).unwrap();
    call.begin("PCMA");
    let speech = frames(&codes("speech", Codec::Pcma), 160, &[0xD5], 0);
    let got = utterance(&mut call, &speech, &[0xD5; 160]);
    assert_prompt(&got, 1, &codes("sweep", Codec::Pcma), 160);
    for m in marks_of(&got) {
        call.played(&m);
    }
    call.json(json!({"event": "dtmf", "stream_id": "S1", "dtmf": {"digit": "1"}}));
    let got = utterance(&mut call, &speech, &[0xD5; 160]);
    assert!(got.iter().all(|(e, _)| e != "clear"), "no barge-in");
    assert_prompt(&got, 2, &codes("sweep", Codec::Pcma), 160);
}

#[test]
fn vonage_turn_answers_in_l16_at_the_announced_rate() {
    let h = server(Config::default());
    for rate in [8000u32, 16000] {
        let mut call = Call::open(&h, "/vonage", &[]).unwrap();
        call.begin(&format!("audio/l16;rate={rate}"));
        let speech: Vec<i16> = samples("speech")
            .iter()
            .flat_map(|&s| vec![s; (rate / 8000) as usize])
            .collect();
        let frame = (rate / 50 * 2) as usize;
        let speech = frames(&l16(&speech), frame, &[0, 0], 0);
        let got = utterance(&mut call, &speech, &vec![0; frame]);
        let sweep = samples("sweep");
        let audio = audio_of(&got);
        assert_eq!(audio.len(), 2 * sweep.len() * (rate / 8000) as usize);
        // At 16 kHz the sweep's own samples are every other one.
        let every: Vec<i16> = audio
            .chunks(2)
            .step_by((rate / 8000) as usize)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        assert_eq!(every, sweep);
        assert_prompt(&got, 1, &audio, frame);
        // Vonage's barge-in is the clear action.
        for frame in &speech[..10] {
            call.media(frame);
        }
        let got = call.read_until(|m| is_text_with(m, "clear"));
        assert_eq!(got, [Message::text(r#"{"action":"clear"}"#)]);
        assert!(call.hang_up().is_empty());
    }
}

#[test]
fn a_call_closed_without_stop_is_answered() {
    let h = server(Config::default());
    for path in ["/twilio/echo", "/telnyx", "/vonage/turn"] {
        let mut call = Call::open(&h, path, &[]).unwrap();
        call.begin(if path.starts_with("/vonage") {
            "audio/l16;rate=16000"
        } else {
            "PCMU"
        });
        call.hang_up();
    }
}

#[test]
fn twilio_signature_is_required_when_a_token_is_configured() {
    let h = server(Config {
        twilio_auth: Some(TwilioAuth::new("auth-token")),
        ..Config::default()
    });
    let header = |token: &str, url: &str| {
        let signature = TwilioAuth::new(token).sign(url);
        vec![("X-Twilio-Signature".to_string(), signature)]
    };
    let refused = |path: &str, headers: Vec<(String, String)>| Call::open(&h, path, &headers).err();
    let url = format!("wss://{}/twilio", h.addr());
    let e = refused("/twilio", vec![]).expect("unsigned is refused");
    assert!(e.contains("403"), "{e}");
    let e = refused("/twilio", header("other-token", &url)).expect("wrong token");
    assert!(e.contains("403"), "{e}");
    let e = refused("/twilio/echo", header("auth-token", &url)).expect("other path");
    assert!(e.contains("403"), "{e}");
    assert_eq!(refused("/twilio", header("auth-token", &url)), None);
    let plain = format!("ws://{}/twilio/echo", h.addr());
    assert_eq!(refused("/twilio/echo", header("auth-token", &plain)), None);
    // Other platforms do not sign this way.
    assert_eq!(refused("/telnyx", vec![]), None);
    // A signed call works as any other.
    let mut call = Call::open(&h, "/twilio/echo", &header("auth-token", &plain)).unwrap();
    call.begin("audio/x-mulaw");
    call.media(&[0x7F; 160]);
    assert_eq!(
        audio_of(&actions(&call.read_for(Duration::from_millis(500)))),
        [0x7F; 160]
    );
}
