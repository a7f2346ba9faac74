//! Fuzz target `server_stream`: the reference server's connection handling on a client's bytes
//! after a valid handshake ([fuzz/README.md](../../../fuzz/README.md#server_stream)).

use crate::handshake::client::{validate_response, ClientRequest, ResponseParse};
use crate::server::{serve_connection, Config, Hub};
use crate::voice::protocol::{parse_event, Event, FRAME_BYTES};
use crate::voice::room::Buffering;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const MAX_MESSAGE: usize = 2048;
const MAX_FRAME: usize = 1024;

/// The resources the first input byte chooses from.
pub const RESOURCES: [&str; 3] = ["/echo", "/echo?codec=pcmu", "/echo?codec=pcma"];

pub fn run(data: &[u8]) {
    let Some((&choice, input)) = data.split_first() else {
        return;
    };
    let resource = RESOURCES[usize::from(choice) % RESOURCES.len()];
    let voice = resource.contains("codec=");
    let request = ClientRequest::new("fuzz.invalid", resource, KEY);
    let output = exchange(&request.to_bytes(), input);
    let consumed = match validate_response(&output, &request) {
        Ok(ResponseParse::Complete(established)) => established.consumed,
        other => panic!("no valid 101 for a valid request: {other:?}"),
    };
    let frames = server_frames(&output[consumed..]);
    let model = model(input);
    check(&frames, &model, voice);
}

thread_local! {
    // One runtime per thread, reused: building one per input would dominate
    // the time of a run. Every task ends with its input, so none carries over.
    static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread runtime builds");
}

/// Writes `request` and `input` to a fresh server connection, shuts the
/// writing side, and returns every byte the server wrote.
fn exchange(request: &[u8], input: &[u8]) -> Vec<u8> {
    let config = Config {
        max_message_size: MAX_MESSAGE,
        max_frame_size: MAX_FRAME,
        shutdown_grace: Duration::from_millis(100),
        ..Config::default()
    };
    exchange_with(config, request, input)
}

/// The reference's `/echo` with its default limits: writes a valid request
/// then `input`, shuts the writing side, and returns what the server wrote
/// after its 101 (`voxproof_conformance::fuzzing::live_oracle` judges it).
pub fn echo_exchange(input: &[u8]) -> Vec<u8> {
    let request = ClientRequest::new("fuzz.invalid", "/echo", KEY);
    let config = Config {
        shutdown_grace: Duration::from_millis(100),
        ..Config::default()
    };
    let output = exchange_with(config, &request.to_bytes(), input);
    match validate_response(&output, &request) {
        Ok(ResponseParse::Complete(established)) => output[established.consumed..].to_vec(),
        other => panic!("no valid 101 for a valid request: {other:?}"),
    }
}

fn exchange_with(config: Config, request: &[u8], input: &[u8]) -> Vec<u8> {
    let mut bytes = request.to_vec();
    bytes.extend_from_slice(input);
    RUNTIME.with(|rt| {
        rt.block_on(async move {
            let (client, server) = tokio::io::duplex(64 * 1024);
            // Kept alive until the end: dropping the sender is a shutdown.
            let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
            let hub = Hub::new(Buffering::default());
            let peer = std::net::SocketAddr::from(([127, 0, 0, 1], 1));
            let (mut rd, mut wr) = tokio::io::split(client);
            let serve = serve_connection(server, peer, config, stop_rx, hub);
            let write = async move {
                // The server may close before reading everything: a broken pipe is fine.
                let _ = wr.write_all(&bytes).await;
                let _ = wr.shutdown().await;
            };
            let read = async move {
                let mut out = Vec::new();
                let _ = rd.read_to_end(&mut out).await;
                out
            };
            let all = async {
                let ((), (), out) = tokio::join!(serve, write, read);
                out
            };
            let out = tokio::time::timeout(Duration::from_secs(10), all)
                .await
                .expect("the connection did not end");
            drop(stop_tx);
            out
        })
    })
}

/// A frame as the server sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerFrame {
    pub fin: bool,
    pub rsv: u8,
    pub opcode: u8,
    pub masked: bool,
    pub payload: Vec<u8>,
}

/// Decodes the server's bytes into frames; panics on bytes that are not
/// whole frames (the server has finished writing when this runs).
fn server_frames(mut bytes: &[u8]) -> Vec<ServerFrame> {
    let mut frames = Vec::new();
    while !bytes.is_empty() {
        let (frame, used) = match decode_frame(bytes) {
            Decoded::Frame(frame, used) => (frame, used),
            Decoded::Partial => panic!("the server's output ends inside a frame"),
            Decoded::Invalid => panic!("the server sent a 64-bit length with the top bit set"),
        };
        frames.push(frame);
        bytes = &bytes[used..];
    }
    frames
}

enum Decoded {
    Frame(ServerFrame, usize),
    Partial,
    Invalid,
}

/// One frame from the start of `buf` (RFC 6455 §5.2), unmasking if masked.
fn decode_frame(buf: &[u8]) -> Decoded {
    let header = decode_header(buf);
    let Some((fin, rsv, opcode, mask, len, at)) = header else {
        return Decoded::Partial;
    };
    if len >> 63 != 0 {
        return Decoded::Invalid;
    }
    let Some(end) = usize::try_from(len).ok().and_then(|l| at.checked_add(l)) else {
        return Decoded::Partial;
    };
    if buf.len() < end {
        return Decoded::Partial;
    }
    let mut payload = buf[at..end].to_vec();
    if let Some(key) = mask {
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= key[i % 4];
        }
    }
    let frame = ServerFrame {
        fin,
        rsv,
        opcode,
        masked: mask.is_some(),
        payload,
    };
    Decoded::Frame(frame, end)
}

type Header = (bool, u8, u8, Option<[u8; 4]>, u64, usize);

/// fin, rsv, opcode, mask, payload length, header length; None if incomplete.
fn decode_header(buf: &[u8]) -> Option<Header> {
    let (&b0, rest) = buf.split_first()?;
    let &b1 = rest.first()?;
    let (len, mut at) = match b1 & 0x7F {
        126 => (
            u64::from(u16::from_be_bytes(buf.get(2..4)?.try_into().ok()?)),
            4,
        ),
        127 => (u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?), 10),
        n => (u64::from(n), 2),
    };
    let mask = if b1 & 0x80 != 0 {
        let key: [u8; 4] = buf.get(at..at + 4)?.try_into().ok()?;
        at += 4;
        Some(key)
    } else {
        None
    };
    Some((b0 & 0x80 != 0, (b0 >> 4) & 7, b0 & 0x0F, mask, len, at))
}

/// A message the client completed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Message {
    Text(Vec<u8>),
    Binary(Vec<u8>),
}

/// Why the model stopped reading the client's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum End {
    /// The input ended (possibly inside a frame).
    Input,
    /// The client's Close, with its code if it had one.
    Close(Option<u16>),
    /// A protocol violation, a message or frame over its cap, or bad UTF-8.
    Violation,
}

#[derive(Debug)]
struct Model {
    messages: Vec<Message>,
    pings: Vec<Vec<u8>>,
    end: End,
}

/// What a conforming server reads from the client's bytes: the complete,
/// valid messages before the first thing that ends the conversation.
fn model(mut input: &[u8]) -> Model {
    let mut messages = Vec::new();
    let mut pings = Vec::new();
    let mut partial: Option<(u8, Vec<u8>)> = None;
    let end = loop {
        let Some((fin, rsv, opcode, mask, len, at)) = decode_header(input) else {
            break End::Input;
        };
        // The frame cap is enforced on the header; everything else only once
        // the whole frame is in (a frame cut short by the end of input is
        // not judged: the peer is gone).
        if len > MAX_FRAME as u64 {
            break End::Violation;
        }
        let end = at + len as usize;
        if input.len() < end {
            break End::Input;
        }
        if mask.is_none() || rsv != 0 {
            break End::Violation;
        }
        let mut payload = input[at..end].to_vec();
        if let Some(key) = mask {
            for (i, b) in payload.iter_mut().enumerate() {
                *b ^= key[i % 4];
            }
        }
        input = &input[end..];
        match opcode {
            0x8..=0xA if !fin || payload.len() > 125 => break End::Violation,
            0x8 => match payload.len() {
                0 => break End::Close(None),
                1 => break End::Violation,
                _ if std::str::from_utf8(&payload[2..]).is_err() => break End::Violation,
                _ => break End::Close(Some(u16::from_be_bytes([payload[0], payload[1]]))),
            },
            0x9 => pings.push(payload),
            0xA => {}
            0x0 => {
                let Some((kind, mut data)) = partial.take() else {
                    break End::Violation;
                };
                data.extend_from_slice(&payload);
                if data.len() > MAX_MESSAGE || (kind == 1 && !utf8_so_far(&data, fin)) {
                    break End::Violation;
                }
                if fin {
                    messages.push(message(kind, data));
                } else {
                    partial = Some((kind, data));
                }
            }
            0x1 | 0x2 => {
                if partial.is_some() || payload.len() > MAX_MESSAGE {
                    break End::Violation;
                }
                if opcode == 1 && !utf8_so_far(&payload, fin) {
                    break End::Violation;
                }
                if fin {
                    messages.push(message(opcode, payload));
                } else {
                    partial = Some((opcode, payload));
                }
            }
            _ => break End::Violation,
        }
    };
    Model {
        messages,
        pings,
        end,
    }
}

fn message(kind: u8, data: Vec<u8>) -> Message {
    if kind == 1 {
        Message::Text(data)
    } else {
        Message::Binary(data)
    }
}

/// Whether `data` is UTF-8, or (when more is to come) a prefix of some UTF-8.
fn utf8_so_far(data: &[u8], complete: bool) -> bool {
    match std::str::from_utf8(data) {
        Ok(_) => true,
        Err(e) => !complete && e.error_len().is_none(),
    }
}

/// Close codes a server may send (RFC 6455 §7.4.1, §7.4.2; 1012 and 1013
/// are registered with IANA and only echoed here).
fn server_may_send(code: u16, client_sent: Option<u16>) -> bool {
    matches!(code, 1000..=1003 | 1007..=1011 | 3000..=4999)
        || (matches!(code, 1012 | 1013) && client_sent == Some(code))
}

fn check(frames: &[ServerFrame], model: &Model, voice: bool) {
    let mut received = Vec::new();
    let mut fragments: Option<(u8, Vec<u8>)> = None;
    let mut close = None;
    let client_code = match model.end {
        End::Close(code) => code,
        _ => None,
    };
    for (i, f) in frames.iter().enumerate() {
        assert!(close.is_none(), "frame {i} after the server's Close");
        assert!(!f.masked, "frame {i}: a server must not mask");
        assert_eq!(f.rsv, 0, "frame {i}: RSV bits without an extension");
        match f.opcode {
            0x8..=0xA => {
                assert!(
                    f.fin && f.payload.len() <= 125,
                    "frame {i}: bad control frame"
                );
                match f.opcode {
                    0x8 => {
                        assert_ne!(f.payload.len(), 1, "frame {i}: one-byte close payload");
                        let code = (f.payload.len() >= 2)
                            .then(|| u16::from_be_bytes([f.payload[0], f.payload[1]]));
                        if let Some(code) = code {
                            assert!(
                                server_may_send(code, client_code),
                                "frame {i}: close code {code}"
                            );
                            assert!(std::str::from_utf8(&f.payload[2..]).is_ok());
                        }
                        close = Some(code);
                    }
                    0x9 => {}
                    _ => assert!(
                        model.pings.contains(&f.payload),
                        "frame {i}: pong for a ping never sent"
                    ),
                }
            }
            0x0 => {
                let (kind, mut data) = fragments.take().expect("continuation without a start");
                data.extend_from_slice(&f.payload);
                if f.fin {
                    received.push(message(kind, data));
                } else {
                    fragments = Some((kind, data));
                }
            }
            0x1 | 0x2 => {
                assert!(
                    fragments.is_none(),
                    "frame {i}: new message inside a fragmented one"
                );
                if f.fin {
                    received.push(message(f.opcode, f.payload.clone()));
                } else {
                    fragments = Some((f.opcode, f.payload.clone()));
                }
            }
            op => panic!("frame {i}: opcode {op:#x}"),
        }
    }
    assert!(fragments.is_none(), "the server left a message unfinished");
    for m in &received {
        if let Message::Text(t) = m {
            assert!(std::str::from_utf8(t).is_ok(), "text that is not UTF-8");
        }
    }
    if model.end == End::Violation {
        assert!(close.is_some(), "a violation was not answered with a Close");
    }
    if voice {
        check_voice(&received, model, close);
    } else {
        assert_eq!(received, model.messages, "echo differs from what was sent");
    }
}

fn error_code(m: &Message) -> Option<String> {
    match m {
        Message::Text(t) => match parse_event(std::str::from_utf8(t).ok()?) {
            Ok(Event::Error { code, .. }) => Some(code),
            _ => None,
        },
        Message::Binary(_) => None,
    }
}

fn check_voice(received: &[Message], model: &Model, close: Option<Option<u16>>) {
    let mut got = received.iter();
    for sent in &model.messages {
        let reply = got.next();
        match sent {
            Message::Binary(b) if b.len() == FRAME_BYTES => {
                assert_eq!(reply, Some(sent), "a voice frame was not echoed")
            }
            Message::Binary(_) => {
                assert_eq!(reply.and_then(error_code).as_deref(), Some("frame-size"));
                assert_eq!(
                    close,
                    Some(Some(1007)),
                    "wrong-size frame not closed with 1007"
                );
                assert!(got.next().is_none(), "messages after the frame-size error");
                return;
            }
            Message::Text(_) => assert_eq!(
                reply.and_then(error_code).as_deref(),
                Some("unsupported-message")
            ),
        }
    }
    assert!(
        got.next().is_none(),
        "voice echo sent more than was asked for"
    );
}
