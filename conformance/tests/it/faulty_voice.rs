//! Proof that every voice case can fail. A second, independent voice server
//! (threads and blocking sockets; rooms ticking on a deadline loop), written
//! here with switches that each break one rule of docs/voice-protocol.md,
//! serves after the reference's decision (`common/faulty.rs`), whose codec
//! and room-scope checks the faults rewrite or configure away. It first
//! passes the whole voice group with every switch off; then each voice
//! case runs against the server with the switch for what it checks, and must
//! come out FAILED. Every `voice.` case must be claimed by a fault.

use crate::common;
use common::faulty::{self, Fault, Hooks};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use voxproof_conformance::case::Case;
use voxproof_conformance::registry;
use voxproof_conformance::run::run_case;
use voxproof_conformance::target::{GrantedRoom, Target, VoiceService};
use voxproof_conformance::verdict::Verdict;
use voxproof_conformance::wire::frame::{decode, opcode, Decoded, Frame};
use voxproof_reference::g711::{alaw_to_ulaw_sample, ulaw_to_alaw_sample, Codec};
use voxproof_reference::handshake::Request;
use voxproof_reference::upgrade::{Service, Upgrade};
use voxproof_reference::voice::protocol::Route;
use voxproof_reference::voice::RoomGrant;

const GRANTED_ROOM: &str = "granted-room";
const TOKEN: &str = "room-token";

/// Switches of the room server, after the 101.
#[derive(Clone, Copy)]
struct Faults {
    /// Silence frames are zero bytes, not the codec's code for 0.
    zero_silence: bool,
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

/// The voice server after the 101, with `f`'s rules broken; `buf` holds
/// the bytes read past the request.
fn serve_connection(
    mut stream: TcpStream,
    mut buf: Vec<u8>,
    up: &Upgrade,
    rooms: Rooms,
    f: Faults,
) {
    let (room, codec) = match &up.service {
        Service::Voice(Route::Room { room, codec }) => (Some(room.clone()), *codec),
        Service::Voice(Route::Echo { codec }) => (None, *codec),
        // Plain /echo: no voice service here.
        Service::Echo => return faulty::hold(stream),
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut chunk = vec![0u8; 1 << 16];
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

/// The reference's decision (a token with TOKEN grants GRANTED_ROOM only),
/// then the room server with `f`.
fn server(f: Faults) -> Hooks {
    let mut hooks = unscoped(f);
    hooks.config.voice.grant = Some(Arc::new(|request: &Request| {
        let bearer = format!("Bearer {TOKEN}");
        Ok(
            if request.values("Authorization").first() == Some(&bearer.as_bytes()) {
                RoomGrant::Rooms(BTreeSet::from([GRANTED_ROOM.to_string()]))
            } else {
                RoomGrant::All
            },
        )
    }));
    hooks
}

/// The room server behind a decision that grants every room.
fn unscoped(f: Faults) -> Hooks {
    let rooms: Rooms = Arc::default();
    Hooks::default().after_upgrade(move |stream, rest, _: &Request, up: &Upgrade| {
        serve_connection(stream, rest, up, rooms.clone(), f)
    })
}

/// Edit the query parameters of the request line.
fn edit_query(req: String, edit: fn(&mut Vec<String>)) -> String {
    let Some((line, rest)) = req.split_once("\r\n") else {
        return req;
    };
    let [method, target, version] = line.splitn(3, ' ').collect::<Vec<_>>()[..] else {
        return req;
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut params: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect();
    edit(&mut params);
    let query = if params.is_empty() {
        String::new()
    } else {
        format!("?{}", params.join("&"))
    };
    format!("{method} {path}{query} {version}\r\n{rest}")
}

/// An unknown codec is served as µ-law.
fn unknown_codec_as_pcmu(req: String) -> String {
    edit_query(req, |params| {
        for p in params {
            if p.strip_prefix("codec=")
                .is_some_and(|v| Codec::from_name(v).is_none())
            {
                *p = "codec=pcmu".into();
            }
        }
    })
}

/// A missing codec is served as µ-law.
fn missing_codec_as_pcmu(req: String) -> String {
    edit_query(req, |params| {
        if !params.iter().any(|p| p.starts_with("codec=")) {
            params.push("codec=pcmu".into());
        }
    })
}

/// What the suite is told of the voice service.
fn with_voice(mut target: Target) -> Target {
    target.voice = Some(VoiceService {
        grant: Some(GrantedRoom {
            room: GRANTED_ROOM.into(),
            token: TOKEN.into(),
        }),
        scope_prefix: String::new(),
    });
    target
}

const F: Faults = Faults {
    zero_silence: false,
    any_size: false,
    echo_reencode: false,
    own_voice: false,
    reencode: false,
    slow_clock: false,
};

fn faults() -> Vec<Fault> {
    use faulty::fault;
    vec![
        fault(
            "zero bytes for silence",
            &["voice.codec.pcmu-accepted", "voice.codec.pcma-accepted"],
            server(Faults {
                zero_silence: true,
                ..F
            }),
        ),
        fault(
            "an unknown codec served as µ-law",
            &["voice.codec.unknown-refused"],
            server(F).rewrite(unknown_codec_as_pcmu),
        ),
        fault(
            "a missing codec served as µ-law",
            &["voice.codec.missing-refused"],
            server(F).rewrite(missing_codec_as_pcmu),
        ),
        fault(
            "frames of any size",
            &[
                "voice.frames.short-frame-refused",
                "voice.frames.long-frame-refused",
            ],
            server(Faults {
                any_size: true,
                ..F
            }),
        ),
        fault(
            "the echo re-encoded",
            &["voice.echo.bit-exact"],
            server(Faults {
                echo_reencode: true,
                ..F
            }),
        ),
        fault(
            "own voice in the mix",
            &[
                "voice.room.two-party-bit-exact",
                "voice.room.three-party-mix",
            ],
            server(Faults {
                own_voice: true,
                ..F
            }),
        ),
        fault(
            "decode and encode across codecs",
            &["voice.room.cross-codec-tables"],
            server(Faults {
                reencode: true,
                ..F
            }),
        ),
        fault(
            "45 frames a second",
            &["voice.timing.pacing"],
            server(Faults {
                slow_clock: true,
                ..F
            }),
        ),
        fault(
            "rooms not limited by the token",
            &["voice.scope.room-not-granted"],
            unscoped(F),
        ),
    ]
}

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
    let target = with_voice(faulty::serve(server(F)));
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
    // All at once, as a voice case mostly waits on the room clock.
    faulty::assert_each_fails("voice.", &faults(), usize::MAX, |case, _, target| {
        run_case(case, &with_voice(target), Duration::from_secs(10))
    });
}

#[test]
fn without_the_profile_voice_cases_are_unimplemented_and_name_the_flag() {
    let target = faulty::serve(server(F));
    let case = voice_cases().into_iter().next().unwrap();
    let r = run_case(&case, &target, Duration::from_secs(2));
    assert_eq!(r.verdict, Verdict::Unimplemented);
    assert!(r.detail.contains("--profile voice"), "{}", r.detail);
}
