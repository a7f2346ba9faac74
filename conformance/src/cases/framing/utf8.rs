//! Autobahn category 6 (UTF-8) and further UTF-8 cases, built from the data
//! in [`utf8_data`](super::utf8_data): same bytes, same framing and chopping.
//! Autobahn's pauses become ping probes between frames (a ping may sit
//! between fragments) and bounded waits inside a frame (nothing may).

use super::engine::{CloseExpect, Event, Expect, Script, Step, MASK};
use super::utf8_data::{Utf8Case, Utf8Expect, Utf8Step, CASES, EXTRA};
use super::{Def, Source};
use crate::wire::frame::Frame;
use std::time::Duration;

const ORIGIN: &str = "conformance/src/cases/framing/utf8_data.rs";
const R_INVALID: &str =
    "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is \
not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_.";
const R_VALID: &str =
    "The \"Payload data\" is text data encoded as UTF-8.  Note that a particular text frame might \
include a partial UTF-8 sequence; however, the whole message MUST contain valid UTF-8.";
/// How long a wait inside a frame lasts (Autobahn waits 1 s).
const WAIT: Duration = Duration::from_millis(1000);

/// The engine's steps for a case: frames written together until a pause.
fn steps(case: &Utf8Case) -> Vec<Step> {
    let mut out = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    // A frame whose header is out and whose payload follows in pieces.
    let mut open: Option<(Vec<u8>, usize)> = None;
    let mut in_frame = false;
    for step in case.steps() {
        match step {
            Utf8Step::Frame {
                opcode,
                fin,
                payload,
            } => frames.push(Frame::new(opcode, payload.to_vec()).fin(fin)),
            Utf8Step::Header { opcode, fin, len } => {
                if !frames.is_empty() {
                    out.push(Step::Frames(std::mem::take(&mut frames)));
                }
                // Encode the whole frame now; its bytes go out piece by piece.
                let full = Frame::new(opcode, case.payload[..len].to_vec())
                    .fin(fin)
                    .masked(MASK)
                    .encode();
                let header_len = full.len() - len;
                out.push(Step::Raw(full[..header_len].to_vec()));
                open = Some((full, header_len));
                in_frame = true;
            }
            Utf8Step::Data(bytes) => {
                if let Some((full, at)) = open.as_mut() {
                    out.push(Step::Raw(full[*at..*at + bytes.len()].to_vec()));
                    *at += bytes.len();
                    if *at == full.len() {
                        in_frame = false;
                    }
                }
            }
            Utf8Step::Pause { .. } => {
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

fn def(case: &Utf8Case, id: String, autobahn: Option<String>) -> Def {
    let (expect, expects, requirement) = match case.expect() {
        Utf8Expect::Echo => (
            Expect::ok(vec![Event::text(case.payload)], CloseExpect::normal()),
            "the text message echoed, then a clean close",
            R_VALID,
        ),
        Utf8Expect::Fail => (Expect::ok(vec![], CloseExpect::fail(1007)), "the connection failed (1007), no echo", R_INVALID),
        Utf8Expect::FailFast => (
            Expect::ok(vec![], CloseExpect::fail(1007)).fail_fast(),
            "open after the valid prefix, failed (1007) as soon as the invalid part arrives; failing only at the end is NON-STRICT",
            R_INVALID,
        ),
    };
    let waits = steps(case)
        .iter()
        .filter(|s| matches!(s, Step::Wait(_)))
        .count() as u32;
    Def {
        id,
        autobahn,
        title: case.description.to_string(),
        section: if case.valid {
            "RFC 6455 §5.6"
        } else {
            "RFC 6455 §8.1"
        },
        requirement,
        sends: case.description.to_string(),
        expects: expects.to_string(),
        min_timeout: (waits > 0).then(|| WAIT * waits + Duration::from_secs(2)),
        origin: ORIGIN,
        script: Source::Ready(Script {
            steps: steps(case),
            expect,
        }),
    }
}

pub fn category_6(d: &mut Vec<Def>) {
    for case in CASES {
        d.push(def(
            case,
            format!("framing.utf8.{}", case.autobahn.replace('.', "_")),
            Some(case.autobahn.to_string()),
        ));
    }
    for case in EXTRA {
        d.push(def(case, format!("framing.utf8.{}", case.autobahn), None));
    }
}
