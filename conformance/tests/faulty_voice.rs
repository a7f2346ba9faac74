//! Proof that every voice case can fail. A second, independent voice server
//! (threads and blocking sockets; rooms ticking on a deadline loop), written
//! here with switches that each break one rule of docs/voice-protocol.md,
//! first passes the whole voice group with every switch off; then each voice
//! case runs against the server with the switch for what it checks, and must
//! come out FAILED. Every `voice.` case must be claimed by a fault.

mod common;
use std::collections::{HashMap, VecDeque};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use voxproof_conformance::case::Case;
use voxproof_conformance::registry;
use voxproof_conformance::run::run_case;
use voxproof_conformance::target::{RoomGrant, Target, VoiceService};
use voxproof_conformance::verdict::Verdict;
use voxproof_conformance::wire::frame::{decode, opcode, Decoded, Frame};
use voxproof_reference::g711::{alaw_to_ulaw_sample, ulaw_to_alaw_sample, Codec};
use voxproof_reference::handshake::{parse_request, respond, Limits, Parsed, ServerConfig};

const GRANTED_ROOM: &str = "granted-room";
const TOKEN: &str = "room-token";

#[derive(Clone, Copy, Default, Debug)]
struct Faults {
    /// Silence frames are zero bytes, not the codec's code for 0.
    zero_silence: bool,
    /// An unknown codec is served as µ-law.
    unknown_codec_ok: bool,
    /// A missing codec is served as µ-law.
    missing_codec_ok: bool,
    /// Binary messages of any size are taken (and ignored).
    any_size: bool,
    /// The echo decodes and re-encodes (µ-law 0x7F comes back 0xFF).
    echo_reencode: bool,
    /// Each listener's mix includes its own voice.
    own_voice: bool,
    /// Across codecs, decode then encode instead of G.711's tables.
    reencode: bool,
    /// The room clock runs at 45 frames/s.
    slow_clock: bool,
    /// Rooms are not limited by the token.
    ignore_scope: bool,
}

type Out = Arc<Mutex<TcpStream>>;

struct Member {
    id: u64,
    codec: Codec,
    queue: VecDeque<Vec<u8>>,
    playing: bool,
    out: Out,
}

#[derive(Default)]
struct RoomState {
    members: Vec<Member>,
}

type Rooms = Arc<Mutex<HashMap<String, Arc<Mutex<RoomState>>>>>;

fn write(out: &Out, frame: Frame) {
    let _ = out.lock().unwrap().write_all(&frame.encode());
}

fn convert(from: Codec, to: Codec, frame: &[u8], f: Faults) -> Vec<u8> {
    frame
        .iter()
        .map(|c| match (from, to) {
            _ if from == to => *c,
            _ if f.reencode => to.encode_sample(from.decode_sample(*c)),
            (Codec::Pcmu, _) => ulaw_to_alaw_sample(*c),
            (Codec::Pcma, _) => alaw_to_ulaw_sample(*c),
        })
        .collect()
}

fn mix_for(listener: usize, frames: &[(Codec, Option<Vec<u8>>)], f: Faults) -> Vec<u8> {
    let codec = frames[listener].0;
    let speakers: Vec<(Codec, &Vec<u8>)> = frames
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != listener || f.own_voice)
        .filter_map(|(_, (c, fr))| fr.as_ref().map(|fr| (*c, fr)))
        // A frame of only silence codes is not speech (docs/voice-protocol.md §7).
        .filter(|(c, fr)| fr.iter().any(|x| *x != c.silence()))
        .collect();
    match speakers.as_slice() {
        [] if f.zero_silence => vec![0; 160],
        [] => vec![codec.silence(); 160],
        [(c, fr)] => convert(*c, codec, fr, f),
        _ => (0..160)
            .map(|k| {
                let sum: i32 = speakers
                    .iter()
                    .map(|(c, fr)| i32::from(c.decode_sample(fr[k])))
                    .sum();
                codec.encode_sample(sum.clamp(-32768, 32767) as i16)
            })
            .collect(),
    }
}

/// The room's clock: ticks due at start + n × period, whatever the delays.
fn room_clock(name: String, room: Arc<Mutex<RoomState>>, rooms: Rooms, f: Faults) {
    let period = if f.slow_clock {
        Duration::from_micros(1_000_000 / 45)
    } else {
        Duration::from_millis(20)
    };
    let start = Instant::now();
    for n in 1u32.. {
        std::thread::sleep((start + period * n).saturating_duration_since(Instant::now()));
        let mut all = rooms.lock().unwrap();
        let mut state = room.lock().unwrap();
        if state.members.is_empty() {
            all.remove(&name);
            return;
        }
        drop(all);
        let frames: Vec<(Codec, Option<Vec<u8>>)> = state
            .members
            .iter_mut()
            .map(|m| {
                m.playing |= m.queue.len() >= 2;
                let fr = if m.playing { m.queue.pop_front() } else { None };
                m.playing &= fr.is_some();
                (m.codec, fr)
            })
            .collect();
        for (i, m) in state.members.iter().enumerate() {
            write(&m.out, Frame::new(opcode::BINARY, mix_for(i, &frames, f)));
        }
    }
}

fn query_codec(query: Option<&str>, f: Faults) -> Result<Codec, u16> {
    let values: Vec<&str> = query
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.strip_prefix("codec="))
        .collect();
    match values.as_slice() {
        [] if f.missing_codec_ok => Ok(Codec::Pcmu),
        [v] => match Codec::from_name(v) {
            Some(c) => Ok(c),
            None if f.unknown_codec_ok => Ok(Codec::Pcmu),
            None => Err(400),
        },
        _ => Err(400),
    }
}

fn refuse(mut stream: TcpStream, status: u16) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status} No\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.read(&mut [0u8; 1024]);
}

fn serve_connection(mut stream: TcpStream, rooms: Rooms, f: Faults) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    let (request, consumed) = loop {
        match parse_request(&buf, &Limits::default()) {
            Ok(Parsed::Complete { request, consumed }) => break (request, consumed),
            Ok(Parsed::Partial) => {}
            Err(_) => return refuse(stream, 400),
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    buf.drain(..consumed);
    let Ok(accepted) = respond(&request, &ServerConfig::default()) else {
        return refuse(stream, 400);
    };
    let room = match accepted.path.as_str() {
        "/echo" => None,
        p => match p.strip_prefix("/rooms/") {
            Some(r) => Some(r.to_string()),
            None => return refuse(stream, 404),
        },
    };
    let codec = match query_codec(accepted.query.as_deref(), f) {
        Ok(c) => c,
        Err(status) => return refuse(stream, status),
    };
    let bearer = request
        .values("Authorization")
        .first()
        .map(|v| String::from_utf8_lossy(v).into_owned());
    if let (Some(room), Some(b)) = (&room, bearer) {
        if b == format!("Bearer {TOKEN}") && room != GRANTED_ROOM && !f.ignore_scope {
            return refuse(stream, 403);
        }
    }
    let _ = stream.write_all(&accepted.response.to_bytes());
    let out: Out = Arc::new(Mutex::new(stream.try_clone().unwrap()));
    let id = rand_id();
    if let Some(name) = &room {
        let mut all = rooms.lock().unwrap();
        let state = all.entry(name.clone()).or_insert_with(|| {
            let state = Arc::new(Mutex::new(RoomState::default()));
            let (n, s, r) = (name.clone(), state.clone(), rooms.clone());
            std::thread::spawn(move || room_clock(n, s, r, f));
            state
        });
        state.lock().unwrap().members.push(Member {
            id,
            codec,
            queue: VecDeque::new(),
            playing: false,
            out: out.clone(),
        });
    }
    let leave = || {
        if let Some(name) = &room {
            if let Some(state) = rooms.lock().unwrap().get(name) {
                state.lock().unwrap().members.retain(|m| m.id != id);
            }
        }
    };
    loop {
        let frame = match decode(&buf, 1 << 20) {
            Decoded::Frame(frame, used) => {
                buf.drain(..used);
                frame
            }
            Decoded::Invalid(_) => break,
            Decoded::Partial => match stream.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    continue;
                }
            },
        };
        match frame.opcode {
            opcode::BINARY if frame.payload.len() != 160 && !f.any_size => {
                write(&out, Frame::close(Some(1007), b""));
                break;
            }
            opcode::BINARY if frame.payload.len() != 160 => {}
            opcode::BINARY => match &room {
                None => {
                    let back = if f.echo_reencode {
                        frame
                            .payload
                            .iter()
                            .map(|c| codec.encode_sample(codec.decode_sample(*c)))
                            .collect()
                    } else {
                        frame.payload
                    };
                    write(&out, Frame::new(opcode::BINARY, back));
                }
                Some(name) => {
                    if let Some(state) = rooms.lock().unwrap().get(name) {
                        let mut state = state.lock().unwrap();
                        if let Some(m) = state.members.iter_mut().find(|m| m.id == id) {
                            if m.queue.len() == 25 {
                                m.queue.pop_front();
                            }
                            m.queue.push_back(frame.payload);
                        }
                    }
                }
            },
            opcode::CLOSE => {
                write(&out, Frame::close(Some(1000), b""));
                break;
            }
            _ => {}
        }
    }
    leave();
    let _ = stream.shutdown(Shutdown::Both);
}

fn rand_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn serve(f: Faults) -> Target {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let rooms: Rooms = Arc::default();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let rooms = rooms.clone();
            std::thread::spawn(move || serve_connection(stream, rooms, f));
        }
    });
    let mut target = Target::parse(&format!("ws://{addr}/echo")).unwrap();
    target.voice = Some(VoiceService {
        grant: Some(RoomGrant {
            room: GRANTED_ROOM.into(),
            token: TOKEN.into(),
        }),
        scope_prefix: String::new(),
    });
    target
}

const F: Faults = Faults {
    zero_silence: false,
    unknown_codec_ok: false,
    missing_codec_ok: false,
    any_size: false,
    echo_reencode: false,
    own_voice: false,
    reencode: false,
    slow_clock: false,
    ignore_scope: false,
};

/// Each fault and the cases it must make FAILED.
const FAULTS: &[(Faults, &[&str])] = &[
    (
        Faults {
            zero_silence: true,
            ..F
        },
        &["voice.codec.pcmu-accepted", "voice.codec.pcma-accepted"],
    ),
    (
        Faults {
            unknown_codec_ok: true,
            ..F
        },
        &["voice.codec.unknown-refused"],
    ),
    (
        Faults {
            missing_codec_ok: true,
            ..F
        },
        &["voice.codec.missing-refused"],
    ),
    (
        Faults {
            any_size: true,
            ..F
        },
        &[
            "voice.frames.short-frame-refused",
            "voice.frames.long-frame-refused",
        ],
    ),
    (
        Faults {
            echo_reencode: true,
            ..F
        },
        &["voice.echo.bit-exact"],
    ),
    (
        Faults {
            own_voice: true,
            ..F
        },
        &[
            "voice.room.two-party-bit-exact",
            "voice.room.three-party-mix",
        ],
    ),
    (
        Faults {
            reencode: true,
            ..F
        },
        &["voice.room.cross-codec-tables"],
    ),
    (
        Faults {
            slow_clock: true,
            ..F
        },
        &["voice.timing.pacing"],
    ),
    (
        Faults {
            ignore_scope: true,
            ..F
        },
        &["voice.scope.room-not-granted"],
    ),
];

fn voice_cases() -> Vec<Case> {
    registry::select(registry::all(), &["voice".into()], &[])
}

/// Run `jobs` (case, target) pairs at once; the results in order.
fn run_all(jobs: Vec<(Case, Target)>) -> Vec<(String, Verdict, String)> {
    std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|(case, target)| {
                s.spawn(move || {
                    let r = run_case(case, target, Duration::from_secs(10));
                    (r.id, r.verdict, r.detail)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn the_fault_free_server_passes_the_voice_group() {
    let target = serve(Faults::default());
    let jobs = voice_cases()
        .into_iter()
        .map(|c| (c, target.clone()))
        .collect();
    let bad: Vec<String> = run_all(jobs)
        .into_iter()
        .filter(|(_, v, _)| *v != Verdict::Ok)
        .map(|(id, v, d)| format!("{v} {id}: {d}"))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn every_voice_case_fails_on_its_faulty_server() {
    let cases = voice_cases();
    common::assert_every_case_claimed("voice.", FAULTS.iter().flat_map(|(_, c)| c.iter().copied()));
    let mut jobs = Vec::new();
    for (fault, ids) in FAULTS {
        let target = serve(*fault);
        for id in *ids {
            let case = cases
                .iter()
                .find(|c| c.id == *id)
                .unwrap_or_else(|| panic!("fault names unknown case {id}"));
            jobs.push((case.clone(), target.clone()));
        }
    }
    let problems: Vec<String> = run_all(jobs)
        .into_iter()
        .filter(|(_, v, _)| *v != Verdict::Failed)
        .map(|(id, v, d)| format!("{id}: {v} ({d})"))
        .collect();
    assert!(
        problems.is_empty(),
        "cases that did not fail:\n{}",
        problems.join("\n")
    );
}

#[test]
fn without_the_profile_voice_cases_are_unimplemented_and_name_the_flag() {
    let mut target = serve(Faults::default());
    target.voice = None;
    let case = voice_cases().into_iter().next().unwrap();
    let r = run_case(&case, &target, Duration::from_secs(2));
    assert_eq!(r.verdict, Verdict::Unimplemented);
    assert!(r.detail.contains("--profile voice"), "{}", r.detail);
}
