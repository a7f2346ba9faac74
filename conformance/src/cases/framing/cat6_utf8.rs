//! Autobahn category 6, "UTF-8 Handling", and extra UTF-8 cases, from `cat6_utf8_data`
//! ([docs/autobahn-utf8.md](../../../../docs/autobahn-utf8.md#how-a-case-is-sent)).

use super::cat6_utf8_data::{Piece, Utf8Case, Utf8Expect, CASES, EXTRA, FILE, SOURCE};
use super::engine::{CloseExpect, Event, Expect, Step};
use super::script;
use crate::case::{from_row, Case};
use crate::rule::Rule;
use crate::wire::frame::Frame;
use std::sync::Arc;
use std::time::Duration;

const INVALID: Rule = Rule::new(
    "RFC 6455",
    "8.1",
    "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is \
not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_.",
);

const VALID: Rule = Rule::new(
    "RFC 6455",
    "5.6",
    "The \"Payload data\" is text data encoded as UTF-8.  Note that a particular text frame might \
include a partial UTF-8 sequence; however, the whole message MUST contain valid UTF-8.",
);

/// How long a wait inside a frame lasts (Autobahn waits 1 s).
const WAIT: Duration = Duration::from_millis(1000);

pub fn cases() -> Vec<Case> {
    let autobahn = CASES.iter().map(|row| (row, Some(row.autobahn)));
    let extra = EXTRA.iter().map(|row| (row, None));
    autobahn
        .chain(extra)
        .map(|(row, autobahn)| {
            let (rule, expects, expect) = match row.expect() {
                Utf8Expect::Echo => (
                    VALID,
                    "the text message echoed, then a clean close",
                    Expect::ok(vec![Event::text(row.payload)], CloseExpect::normal()),
                ),
                Utf8Expect::Fail => (
                    INVALID,
                    "the connection failed (1007), no echo",
                    Expect::ok(vec![], CloseExpect::fail(1007)),
                ),
                Utf8Expect::FailFast => (
                    INVALID,
                    "open after the valid prefix, failed (1007) as soon as the invalid part arrives; \
failing only at the end is NON-STRICT",
                    Expect::ok(vec![], CloseExpect::fail(1007)).fail_fast(),
                ),
            };
            let steps = steps(row);
            let waits = steps.iter().filter(|s| matches!(s, Step::Wait(_))).count() as u32;
            from_row(
                Case {
                id: row.id.into(),
                autobahn,
                title: row.description.into(),
                rule,
                sends: row.description.into(),
                expects: expects.into(),
                min_timeout: (waits > 0).then(|| WAIT * waits + Duration::from_secs(2)),
                run: script(steps, expect),
                ..Case::BASE
            },
                FILE,
                SOURCE,
            )
        })
        .collect()
}

/// The engine's steps for a row: frames written together until a pause.
fn steps(row: &Utf8Case) -> Vec<Step> {
    let mut out = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    // A frame whose header is out and whose payload follows in pieces: the
    // frame and how much of its payload is out.
    let mut open: Option<(Arc<Frame>, usize)> = None;
    let mut in_frame = false;
    for step in row.steps() {
        match step {
            Piece::Frame {
                opcode,
                fin,
                payload,
            } => frames.push(Frame::new(opcode, payload.to_vec()).fin(fin)),
            Piece::Header { opcode, fin, len } => {
                if !frames.is_empty() {
                    out.push(Step::Frames(std::mem::take(&mut frames)));
                }
                // The session encodes the frame (masked as its role masks)
                // and sends it piece by piece.
                let frame = Arc::new(Frame::new(opcode, row.payload[..len].to_vec()).fin(fin));
                out.push(Step::Part(frame.clone(), None));
                open = Some((frame, 0));
                in_frame = true;
            }
            Piece::Data(bytes) => {
                if let Some((frame, at)) = open.as_mut() {
                    out.push(Step::Part(frame.clone(), Some(*at..*at + bytes.len())));
                    *at += bytes.len();
                    if *at == frame.payload.len() {
                        in_frame = false;
                    }
                }
            }
            Piece::Pause { .. } => {
                if !frames.is_empty() {
                    out.push(Step::Frames(std::mem::take(&mut frames)));
                }
                out.push(if in_frame {
                    Step::Wait(WAIT)
                } else {
                    Step::Probe
                });
            }
        }
    }
    if !frames.is_empty() {
        out.push(Step::Frames(frames));
    }
    out
}
