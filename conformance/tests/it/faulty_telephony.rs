//! Proof that every telephony case can fail. A second, independent voice
//! bot (blocking tungstenite, one thread per call, written here from the
//! platforms' documentation and sharing no code with the reference bot) has
//! switches that each break one thing a case checks. With every switch off
//! it passes all three profiles; then each case runs against the bot with
//! its switch on and must come out FAILED (NON-STRICT where the rule only
//! advises). Every `twilio.`, `telnyx.` and `vonage.` case is claimed.

use crate::common;
use base64::Engine as _;
use serde_json::{json, Value};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;
use tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::Message;
use voxproof_conformance::platform::signature;
use voxproof_conformance::registry;
use voxproof_conformance::run::{run_case, RunConfig};
use voxproof_conformance::target::{Target, Telephony};
use voxproof_conformance::verdict::Verdict;

const TOKEN: &str = "faulty-bot-token";

/// One broken behaviour each; all off is a correct bot.
#[derive(Clone, Copy, Default, Debug)]
struct Faults {
    binary_audio: bool,
    not_json: bool,
    unknown_event: bool,
    extra_field: bool,
    wrong_sid: bool,
    bad_base64: bool,
    wav_header: bool,
    short_chunk: bool,
    wrong_frame_size: bool,
    odd_action: bool,
    fragmented_ping: bool,
    talk_after_stop: bool,
    close_on_dtmf: bool,
    close_on_unknown: bool,
    close_on_extra: bool,
    close_on_burst: bool,
    close_on_reorder: bool,
    ignore_close: bool,
    slow_answer: bool,
    never_clear: bool,
    any_signature: bool,
    signs_wrong_url: bool,
    // Not faults: what real bots do, which no case may hold against them.
    /// Half a second of greeting when the stream starts.
    greets: bool,
    /// Closes the WebSocket when the stream stops.
    hangs_up_after_stop: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Twilio,
    Telnyx,
    Vonage,
}

/// Serve calls on a free port until the test ends; the bot's URL.
fn bot(kind: Kind, f: Faults) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || {
                let _ = call(stream, kind, f, addr.to_string());
            });
        }
    });
    format!("ws://{addr}/bot")
}

fn call(stream: TcpStream, kind: Kind, f: Faults, host: String) -> Result<(), String> {
    // tungstenite's callback type fixes the large error variant.
    #[allow(clippy::result_large_err)]
    let check = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
        if kind != Kind::Twilio || f.any_signature {
            return Ok(resp);
        }
        let path = if f.signs_wrong_url {
            "/elsewhere"
        } else {
            req.uri().path()
        };
        let want = signature::twilio(TOKEN, &format!("wss://{host}{path}"), &[]);
        let got = req
            .headers()
            .get("X-Twilio-Signature")
            .map(|v| v.as_bytes());
        if got == Some(want.as_bytes()) {
            Ok(resp)
        } else {
            let mut refusal = ErrorResponse::new(None);
            *refusal.status_mut() = tungstenite::http::StatusCode::FORBIDDEN;
            Err(refusal)
        }
    };
    let mut ws = tungstenite::accept_hdr(stream, check).map_err(|e| e.to_string())?;
    let mut bot = Bot::new(kind, f);
    loop {
        let msg = match ws.read() {
            Ok(m) => m,
            Err(_) => return Ok(()),
        };
        let out = match msg {
            Message::Close(_) if f.ignore_close => return Ok(()),
            Message::Close(_) => {
                let _ = ws.flush();
                continue;
            }
            Message::Text(t) => bot.text(&t),
            Message::Binary(b) => bot.audio(&b),
            // The bot's next wake-up after a stop (here the platform's ping,
            // whose pong tungstenite has already queued).
            Message::Ping(_) if bot.stopped && f.talk_after_stop => {
                (0..10).map(|_| bot.media(&tone(0, bot.rate()))).collect()
            }
            _ => Vec::new(),
        };
        for o in out {
            match o {
                Out::Msg(m) => ws.send(m).map_err(|e| e.to_string())?,
                Out::Close => {
                    ws.close(Some(tungstenite::protocol::CloseFrame {
                        code: CloseCode::Normal,
                        reason: "".into(),
                    }))
                    .map_err(|e| e.to_string())?;
                }
                Out::FragmentedPing => {
                    // FIN clear on a ping: RFC 6455 §5.5 forbids it.
                    ws.get_mut()
                        .write_all(&[0x09, 0x00])
                        .map_err(|e| e.to_string())?;
                }
            }
        }
    }
}

enum Out {
    Msg(Message),
    Close,
    FragmentedPing,
}

struct Bot {
    kind: Kind,
    f: Faults,
    sid: String,
    heard_speech: bool,
    quiet: u32,
    marks_out: u32,
    stopped: bool,
    last_chunk: u64,
    last_at: std::time::Instant,
    fast: u32,
}

impl Bot {
    fn new(kind: Kind, f: Faults) -> Bot {
        Bot {
            kind,
            f,
            sid: String::new(),
            heard_speech: false,
            quiet: 0,
            marks_out: 0,
            stopped: false,
            last_chunk: 0,
            last_at: std::time::Instant::now(),
            fast: 0,
        }
    }

    fn text(&mut self, t: &str) -> Vec<Out> {
        let v: Value = serde_json::from_str(t).unwrap_or(Value::Null);
        if self.f.close_on_extra && v.get("addedLater").is_some() {
            return vec![Out::Close];
        }
        let event = v["event"].as_str().unwrap_or("").to_string();
        match event.as_str() {
            "start" | "websocket:connected" => {
                self.sid = v["streamSid"]
                    .as_str()
                    .or(v["stream_id"].as_str())
                    .unwrap_or("")
                    .to_string();
                if !self.f.greets {
                    return Vec::new();
                }
                let mut out: Vec<Out> =
                    (0..25).map(|k| self.media(&tone(k, self.rate()))).collect();
                self.marks_out += 1;
                out.push(self.command("mark", Some("greeting".into())));
                out
            }
            "media" => {
                let chunk: u64 = v["media"]["chunk"]
                    .as_str()
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(0);
                if self.f.close_on_reorder && chunk < self.last_chunk {
                    return vec![Out::Close];
                }
                self.last_chunk = chunk;
                let bytes = b64d(v["media"]["payload"].as_str().unwrap_or(""));
                let pcm: Vec<i16> = bytes.iter().map(|&c| ulaw(c)).collect();
                self.heard(&pcm)
            }
            "dtmf" | "websocket:dtmf" if self.f.close_on_dtmf => vec![Out::Close],
            "mark" | "websocket:notify" => {
                self.marks_out = self.marks_out.saturating_sub(1);
                Vec::new()
            }
            "stop" => {
                self.stopped = true;
                if self.f.hangs_up_after_stop {
                    vec![Out::Close]
                } else {
                    Vec::new()
                }
            }
            "connected" | "dtmf" | "websocket:dtmf" | "websocket:cleared" => Vec::new(),
            _ if self.f.close_on_unknown => vec![Out::Close],
            _ => Vec::new(),
        }
    }

    fn audio(&mut self, b: &[u8]) -> Vec<Out> {
        let pcm: Vec<i16> = b
            .chunks_exact(2)
            .map(|s| i16::from_le_bytes([s[0], s[1]]))
            .collect();
        self.heard(&pcm)
    }

    fn rate(&self) -> u32 {
        if self.kind == Kind::Vonage {
            16_000
        } else {
            8_000
        }
    }

    /// A caller frame: answer at the end of an utterance, clear on barge-in.
    fn heard(&mut self, pcm: &[i16]) -> Vec<Out> {
        if self.stopped {
            return Vec::new();
        }
        let now = std::time::Instant::now();
        self.fast = if now - self.last_at < Duration::from_millis(2) {
            self.fast + 1
        } else {
            0
        };
        self.last_at = now;
        if self.f.close_on_burst && self.fast > 10 {
            return vec![Out::Close];
        }
        let rms = (pcm.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>()
            / pcm.len().max(1) as f64)
            .sqrt();
        let mut out = Vec::new();
        if rms > 500.0 {
            if self.marks_out > 0 && !self.f.never_clear {
                self.marks_out = 0;
                out.push(self.command("clear", None));
            }
            self.heard_speech = true;
            self.quiet = 0;
            return out;
        }
        self.quiet += 1;
        if self.heard_speech && self.quiet == 15 {
            self.heard_speech = false;
            if self.f.slow_answer {
                thread::sleep(Duration::from_millis(1500));
            }
            if self.f.fragmented_ping {
                out.push(Out::FragmentedPing);
            }
            for k in 0..50u32 {
                out.push(self.media(&tone(k, self.rate())));
                if k % 10 == 9 {
                    self.marks_out += 1;
                    out.push(self.command("mark", Some(format!("m{k}"))));
                }
            }
            if self.f.not_json {
                out.push(Out::Msg(Message::text("done")));
            }
            if self.f.unknown_event {
                out.push(Out::Msg(Message::text(
                    json!({"event": "hangup", "streamSid": self.sid}).to_string(),
                )));
            }
        }
        out
    }

    fn media(&self, pcm: &[i16]) -> Out {
        if self.kind == Kind::Vonage {
            let mut b: Vec<u8> = pcm.iter().flat_map(|s| s.to_le_bytes()).collect();
            if self.f.wrong_frame_size {
                b.truncate(320);
            }
            return Out::Msg(Message::binary(b));
        }
        let mut bytes: Vec<u8> = pcm.iter().map(|&s| ulaw_encode(s)).collect();
        if self.f.binary_audio {
            return Out::Msg(Message::binary(bytes));
        }
        if self.f.wav_header {
            bytes.splice(0..0, b"RIFF\x24\x00\x00\x00WAVEfmt ".iter().copied());
        }
        if self.f.short_chunk {
            bytes.truncate(80);
        }
        let mut payload = base64::engine::general_purpose::STANDARD.encode(&bytes);
        if self.f.bad_base64 {
            payload.push('!');
        }
        let mut m = json!({"event": "media", "media": {"payload": payload}});
        self.address(&mut m);
        Out::Msg(Message::text(m.to_string()))
    }

    fn command(&self, what: &str, name: Option<String>) -> Out {
        if self.kind == Kind::Vonage {
            let action = if self.f.odd_action {
                "dance"
            } else if what == "mark" {
                "notify"
            } else {
                what
            };
            let m = match name {
                Some(n) => json!({"action": action, "payload": {"name": n}}),
                None => json!({"action": action}),
            };
            return Out::Msg(Message::text(m.to_string()));
        }
        let mut m = json!({"event": what});
        if let Some(n) = name {
            m["mark"] = json!({"name": n});
        }
        self.address(&mut m);
        Out::Msg(Message::text(m.to_string()))
    }

    /// Twilio's messages carry the streamSid (Telnyx's need none).
    fn address(&self, m: &mut Value) {
        if self.kind != Kind::Twilio {
            return;
        }
        let sid = if self.f.wrong_sid {
            format!("{}0", self.sid)
        } else {
            self.sid.clone()
        };
        m["streamSid"] = json!(sid);
        if self.f.extra_field {
            m["track"] = json!("outbound");
        }
    }
}

fn tone(k: u32, rate: u32) -> Vec<i16> {
    let n = rate as usize / 50;
    (0..n)
        .map(|i| {
            let t = (k as usize * n + i) as f64 / f64::from(rate);
            (8000.0 * (2.0 * std::f64::consts::PI * 440.0 * t).sin()) as i16
        })
        .collect()
}

fn b64d(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .unwrap_or_default()
}

/// µ-law from the vector tables (G.711's own).
fn pcmu() -> &'static voxproof_vectors::g711::LawFile {
    static T: std::sync::OnceLock<voxproof_vectors::g711::LawFile> = std::sync::OnceLock::new();
    T.get_or_init(voxproof_vectors::g711_pcmu)
}

fn ulaw(c: u8) -> i16 {
    pcmu().decode_of(c)
}

fn ulaw_encode(s: i16) -> u8 {
    pcmu().encode_of(s)
}

fn target(kind: Kind, f: Faults, bounds: bool) -> Target {
    let mut t = Target::parse(&bot(kind, f)).unwrap();
    let name = match kind {
        Kind::Twilio => "twilio",
        Kind::Telnyx => "telnyx",
        Kind::Vonage => "vonage",
    };
    t.telephony = Some(Telephony {
        bots: vec![(name.into(), "/bot".into())],
        twilio_auth_token: Some(TOKEN.into()),
        max_response: bounds.then_some(Duration::from_millis(1000)),
        max_barge_in: bounds.then_some(Duration::from_millis(500)),
    });
    t
}

/// A fault: the switches, the platforms it runs on, the cases it must fail
/// (by id suffix after the platform), and whether the bounds are given.
struct Row {
    faults: Faults,
    kinds: &'static [Kind],
    cases: &'static [&'static str],
    bounds: bool,
}

const ALL: &[Kind] = &[Kind::Twilio, Kind::Telnyx, Kind::Vonage];
const JSON: &[Kind] = &[Kind::Twilio, Kind::Telnyx];

fn rows() -> Vec<Row> {
    let f = Faults::default();
    let row = |faults, kinds, cases, bounds| Row {
        faults,
        kinds,
        cases,
        bounds,
    };
    vec![
        row(
            Faults {
                binary_audio: true,
                ..f
            },
            &[Kind::Twilio],
            &["messages.text-frames"],
            false,
        ),
        row(
            Faults {
                binary_audio: true,
                ..f
            },
            &[Kind::Telnyx],
            &["messages.frames"],
            false,
        ),
        row(
            Faults {
                not_json: true,
                ..f
            },
            &[Kind::Twilio],
            &["messages.json"],
            false,
        ),
        row(
            Faults {
                not_json: true,
                ..f
            },
            &[Kind::Vonage],
            &["messages.text"],
            false,
        ),
        row(
            Faults {
                unknown_event: true,
                ..f
            },
            &[Kind::Twilio],
            &["messages.event-types"],
            false,
        ),
        row(
            Faults {
                extra_field: true,
                ..f
            },
            &[Kind::Twilio],
            &["messages.fields"],
            false,
        ),
        row(
            Faults {
                wrong_sid: true,
                ..f
            },
            &[Kind::Twilio],
            &["messages.stream-sid"],
            false,
        ),
        row(
            Faults {
                bad_base64: true,
                ..f
            },
            JSON,
            &["messages.payload"],
            false,
        ),
        row(
            Faults {
                short_chunk: true,
                ..f
            },
            &[Kind::Telnyx],
            &["messages.chunk-length"],
            false,
        ),
        row(
            Faults {
                wrong_frame_size: true,
                ..f
            },
            &[Kind::Vonage],
            &["messages.frame-size"],
            false,
        ),
        row(
            Faults {
                fragmented_ping: true,
                ..f
            },
            ALL,
            &["messages.websocket"],
            false,
        ),
        row(
            Faults {
                talk_after_stop: true,
                ..f
            },
            JSON,
            &["stop.nothing-after"],
            false,
        ),
        row(
            Faults {
                close_on_dtmf: true,
                ..f
            },
            ALL,
            &["tolerance.dtmf"],
            false,
        ),
        row(
            Faults {
                close_on_unknown: true,
                ..f
            },
            ALL,
            &["tolerance.unknown-event"],
            false,
        ),
        row(
            Faults {
                close_on_extra: true,
                ..f
            },
            ALL,
            &["tolerance.extra-fields"],
            false,
        ),
        row(
            Faults {
                close_on_burst: true,
                ..f
            },
            ALL,
            &["robust.burst"],
            false,
        ),
        row(
            Faults {
                close_on_reorder: true,
                ..f
            },
            &[Kind::Telnyx],
            &["robust.out-of-order"],
            false,
        ),
        row(
            Faults {
                ignore_close: true,
                ..f
            },
            ALL,
            &["close.mid-answer"],
            false,
        ),
        row(
            Faults {
                slow_answer: true,
                ..f
            },
            ALL,
            &["figures.first-audio"],
            true,
        ),
        row(
            Faults {
                never_clear: true,
                ..f
            },
            ALL,
            &["figures.barge-in"],
            true,
        ),
        row(
            Faults {
                any_signature: true,
                ..f
            },
            &[Kind::Twilio],
            &["signature.wrong-refused"],
            false,
        ),
        row(
            Faults {
                signs_wrong_url: true,
                ..f
            },
            &[Kind::Twilio],
            &["signature.valid-accepted"],
            false,
        ),
    ]
}

fn prefix(kind: Kind) -> &'static str {
    match kind {
        Kind::Twilio => "twilio.",
        Kind::Telnyx => "telnyx.",
        Kind::Vonage => "vonage.",
    }
}

/// Run (id, target) pairs a few at a time (each is a call of seconds).
fn run_all(jobs: Vec<(String, Target)>) -> Vec<(String, Verdict, String)> {
    let all = registry::all();
    let mut out = Vec::new();
    for chunk in jobs.chunks(12) {
        let handles: Vec<_> = chunk
            .iter()
            .cloned()
            .map(|(id, t)| {
                let case = all
                    .iter()
                    .find(|c| c.id == id)
                    .unwrap_or_else(|| panic!("no case {id}"))
                    .clone();
                thread::spawn(move || {
                    let r = run_case(&case, &t, Duration::from_secs(2));
                    (id, r.verdict, r.detail)
                })
            })
            .collect();
        out.extend(handles.into_iter().map(|h| h.join().unwrap()));
    }
    out
}

/// With every switch off the bot passes every profile with the bounds set:
/// plain, and as bots often are (greeting first, hanging up on stop). Run
/// through the scheduler, so a figure over its bound among the other calls
/// is measured again alone, as `voxproof run` does.
#[test]
fn the_fault_free_bot_passes_every_profile_with_bounds() {
    let polite = Faults {
        greets: true,
        hangs_up_after_stop: true,
        ..Faults::default()
    };
    let mut bad = Vec::new();
    for f in [Faults::default(), polite] {
        for kind in ALL {
            let t = target(*kind, f, true);
            let cases: Vec<_> = registry::all()
                .into_iter()
                .filter(|c| c.id.starts_with(prefix(*kind)))
                .collect();
            let report = common::run_patiently(&t, &cases, RunConfig::default());
            bad.extend(
                report
                    .results
                    .into_iter()
                    .filter(|r| r.verdict != Verdict::Ok)
                    .map(|r| format!("{f:?} {}: {} {}", r.id, r.verdict.as_str(), r.detail)),
            );
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn every_telephony_case_fails_on_its_faulty_bot() {
    let mut jobs = Vec::new();
    let mut claimed = Vec::new();
    for row in rows() {
        for kind in row.kinds {
            let t = target(*kind, row.faults, row.bounds);
            for suffix in row.cases {
                let id = format!("{}{suffix}", prefix(*kind));
                claimed.push(id.clone());
                jobs.push((id, t.clone()));
            }
        }
    }
    for p in ["twilio.", "telnyx.", "vonage."] {
        common::assert_every_case_claimed(p, claimed.iter().map(String::as_str));
    }
    let results = run_all(jobs);
    let not_failed: Vec<_> = results
        .iter()
        .filter(|(id, v, _)| {
            let advisory = id.ends_with("tolerance.unknown-event")
                || id.ends_with("tolerance.extra-fields")
                || id.ends_with("robust.burst");
            let want = if advisory {
                Verdict::NonStrict
            } else {
                Verdict::Failed
            };
            *v != want
        })
        .collect();
    assert!(not_failed.is_empty(), "{not_failed:#?}");
}
