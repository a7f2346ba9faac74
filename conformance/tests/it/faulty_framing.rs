//! Proof that every framing case can fail. A small WebSocket echo server,
//! written here with switches that each break one rule of RFC 6455 §5–§7,
//! serves after the reference's handshake (`common/faulty.rs`). It first
//! passes the whole framing suite with every switch off (a second,
//! independent implementation agreeing with the suite); then each framing
//! case runs against a server with the switch for the behaviour it checks,
//! and must come out FAILED. Every `framing.` case must be claimed.

use crate::common;

use common::faulty::{self, Fault, Hooks};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;
use voxproof_conformance::registry;
use voxproof_conformance::run::{run_case, RunConfig};
use voxproof_conformance::verdict::Verdict;
use voxproof_conformance::wire::frame::{decode, opcode, Decoded, Frame};
use voxproof_reference::handshake::Request;
use voxproof_reference::upgrade::Upgrade;

#[derive(Clone, Copy)]
pub(crate) struct Faults {
    pub corrupt_echo: bool,
    pub echo_fragments: bool,
    pub no_pong: bool,
    pub answer_pongs: bool,
    pub ignore_rsv: bool,
    pub ignore_reserved_opcodes: bool,
    pub lenient_continuation: bool,
    pub lenient_control: bool,
    pub no_utf8_check: bool,
    pub any_close_code: bool,
    pub no_close_reply: bool,
    pub wrong_close_code: bool,
    pub no_tcp_close: bool,
    pub process_after_close: bool,
    pub accept_unmasked: bool,
    pub mask_output: bool,
    pub lenient_length: bool,
    pub zero_key_is_unmasked: bool,
    /// The body of every close frame it sends, as is (a 1-byte body, a code
    /// not allowed on the wire, a reason that is not UTF-8).
    pub close_body: Option<&'static [u8]>,
    /// RSV1 set on every data frame it sends.
    pub rsv_output: bool,
    /// On a frame with a 64-bit length, stop serving: set the flag (which
    /// the server's handshake reads to stay silent) and drop the connection.
    pub crash_on_64bit_length: Option<&'static std::sync::atomic::AtomicBool>,
}

struct Conn {
    stream: TcpStream,
    f: Faults,
    /// The same echo as a client (`client_framing.rs`): it masks what it
    /// sends and refuses masked frames.
    client: bool,
}

impl Conn {
    fn write(&mut self, mut frame: Frame) {
        match self.f.close_body {
            Some(body) if frame.opcode == opcode::CLOSE => frame.payload = body.to_vec(),
            _ => {}
        }
        if self.f.rsv_output && frame.opcode < opcode::CLOSE {
            frame.rsv = 0b100;
        }
        // mask_output breaks the role's masking rule either way.
        let frame = if self.f.mask_output != self.client {
            frame.masked([1, 2, 3, 4])
        } else {
            frame
        };
        let _ = self.stream.write_all(&frame.encode());
    }

    /// Fail the connection: close frame with `code`, then close TCP.
    fn fail(&mut self, code: u16) {
        self.write(Frame::close(Some(code), b""));
        self.end();
    }

    fn end(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
        let mut sink = [0u8; 4096];
        let _ = self
            .stream
            .set_read_timeout(Some(Duration::from_millis(500)));
        while matches!(self.stream.read(&mut sink), Ok(n) if n > 0) {}
    }
}

fn valid_close_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1011 | 3000..=4999)
}

/// Invalid now (not merely incomplete at the end).
fn utf8_broken(bytes: &[u8]) -> bool {
    matches!(std::str::from_utf8(bytes), Err(e) if e.error_len().is_some())
}

/// The echo server after the 101, with `f`'s rules broken; `buf` holds
/// the bytes read past the request.
fn serve_connection(stream: TcpStream, buf: Vec<u8>, f: Faults) {
    echo(stream, buf, f, false)
}

/// The echo after the opening handshake, as a server or (`client`) as a
/// client, with `f`'s rules broken; `buf` holds the bytes read past the
/// handshake.
pub(crate) fn echo(stream: TcpStream, mut buf: Vec<u8>, f: Faults, client: bool) {
    let mut c = Conn { stream, f, client };
    let _ = c.stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut chunk = vec![0u8; 1 << 16];
    let mut partial: Option<(u8, Vec<u8>)> = None;
    // How much of a text message's payload is known to be whole UTF-8.
    let mut utf8_checked = 0;
    let mut closed = false;
    loop {
        if let Some(crashed) = f
            .crash_on_64bit_length
            .filter(|_| buf.len() >= 2 && buf[1] & 0x7F == 127)
        {
            crashed.store(true, std::sync::atomic::Ordering::SeqCst);
            return;
        }
        if f.lenient_length && buf.len() >= 3 && buf[1] & 0x7F == 127 {
            buf[2] &= 0x7F;
        }
        let (frame, used) = match decode(&buf, 64 << 20) {
            Decoded::Frame(frame, used) => (frame, used),
            Decoded::Invalid(_) => return c.fail(1002),
            Decoded::Partial => match c.stream.read(&mut chunk) {
                Ok(0) => return,
                Err(_) if closed => return c.end(),
                Err(_) => return,
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    continue;
                }
            },
        };
        buf.drain(..used);
        if closed && !f.process_after_close {
            continue;
        }
        if closed && frame.opcode == opcode::CLOSE {
            continue;
        }
        let unmasked =
            frame.mask.is_none() || (f.zero_key_is_unmasked && frame.mask == Some([0; 4]));
        // accept_unmasked takes any masking: unmasked frames from a client,
        // masked ones from a server.
        if unmasked != client && !f.accept_unmasked {
            return c.fail(1002);
        }
        if frame.rsv != 0 && !f.ignore_rsv {
            return c.fail(1002);
        }
        match frame.opcode {
            opcode::CLOSE | opcode::PING | opcode::PONG => {
                if (frame.payload.len() > 125 || !frame.fin) && !f.lenient_control {
                    return c.fail(1002);
                }
                match frame.opcode {
                    opcode::PING if !f.no_pong => c.write(Frame::new(opcode::PONG, frame.payload)),
                    opcode::PONG if f.answer_pongs => {
                        c.write(Frame::new(opcode::PONG, frame.payload))
                    }
                    opcode::CLOSE => {
                        if closed {
                            continue;
                        }
                        closed = true;
                        let p = &frame.payload;
                        let code = (p.len() >= 2).then(|| u16::from_be_bytes([p[0], p[1]]));
                        if !f.any_close_code {
                            if p.len() == 1 || code.is_some_and(|c| !valid_close_code(c)) {
                                return c.fail(1002);
                            }
                            if p.len() > 2 && std::str::from_utf8(&p[2..]).is_err() {
                                return c.fail(1007);
                            }
                        }
                        if f.no_close_reply {
                            continue;
                        }
                        let reply = if f.wrong_close_code {
                            Some(4321)
                        } else {
                            Some(code.unwrap_or(1000))
                        };
                        let reply = if f.any_close_code { Some(1000) } else { reply };
                        c.write(Frame::close(reply, b""));
                        if f.no_tcp_close {
                            continue;
                        }
                        if f.process_after_close {
                            // Keep handling what arrives for a moment before closing TCP.
                            let _ = c.stream.set_read_timeout(Some(Duration::from_millis(200)));
                            continue;
                        }
                        return c.end();
                    }
                    _ => {}
                }
            }
            opcode::TEXT | opcode::BINARY | opcode::CONTINUATION => {
                let data = if frame.opcode == opcode::CONTINUATION {
                    match partial.as_mut() {
                        Some((_, data)) => {
                            data.extend_from_slice(&frame.payload);
                            None
                        }
                        None if f.lenient_continuation => continue,
                        None => return c.fail(1002),
                    }
                } else {
                    if partial.is_some() && !f.lenient_continuation {
                        return c.fail(1002);
                    }
                    partial = Some((frame.opcode, frame.payload.clone()));
                    None::<()>
                };
                let _ = data;
                if f.echo_fragments && !frame.fin {
                    let op = if frame.opcode == opcode::CONTINUATION {
                        opcode::TEXT
                    } else {
                        frame.opcode
                    };
                    c.write(Frame::new(op, frame.payload.clone()));
                }
                let op = partial.as_ref().map_or(0, |(o, _)| *o);
                if op == opcode::TEXT && !f.no_utf8_check {
                    // Only the bytes after the last whole character: a
                    // message of 65,536 fragments is checked once, not
                    // 65,536 times over.
                    let payload = partial.as_ref().map_or(&[][..], |(_, p)| p.as_slice());
                    if utf8_broken(&payload[utf8_checked..]) {
                        return c.fail(1007);
                    }
                    utf8_checked += match std::str::from_utf8(&payload[utf8_checked..]) {
                        Ok(_) => payload.len() - utf8_checked,
                        Err(e) => e.valid_up_to(),
                    };
                }
                if frame.fin {
                    let payload = partial.take().map(|(_, p)| p).unwrap_or_default();
                    utf8_checked = 0;
                    if op == opcode::TEXT
                        && !f.no_utf8_check
                        && std::str::from_utf8(&payload).is_err()
                    {
                        return c.fail(1007);
                    }
                    let mut payload = payload;
                    if f.corrupt_echo {
                        payload.push(b'!');
                    }
                    c.write(Frame::new(op, payload));
                }
            }
            _ if f.ignore_reserved_opcodes => {}
            _ => return c.fail(1002),
        }
    }
}

/// The reference's handshake, then this echo server with `f`.
pub(crate) fn echo_server(f: Faults) -> Hooks {
    Hooks::default().after_upgrade(move |stream, rest, _: &Request, _: &Upgrade| {
        serve_connection(stream, rest, f)
    })
}

pub(crate) const F: Faults = Faults {
    corrupt_echo: false,
    echo_fragments: false,
    no_pong: false,
    answer_pongs: false,
    ignore_rsv: false,
    ignore_reserved_opcodes: false,
    lenient_continuation: false,
    lenient_control: false,
    no_utf8_check: false,
    any_close_code: false,
    no_close_reply: false,
    wrong_close_code: false,
    no_tcp_close: false,
    process_after_close: false,
    accept_unmasked: false,
    mask_output: false,
    lenient_length: false,
    zero_key_is_unmasked: false,
    close_body: None,
    rsv_output: false,
    crash_on_64bit_length: None,
};

/// A switch setting and the cases it must make FAILED.
pub(crate) struct Row {
    pub name: &'static str,
    pub cases: &'static [&'static str],
    pub f: Faults,
}

fn row(name: &'static str, cases: &'static [&'static str], f: Faults) -> Row {
    Row { name, cases, f }
}

fn faults() -> Vec<Fault> {
    rows()
        .into_iter()
        .map(|r| faulty::fault(r.name, r.cases, echo_server(r.f)))
        .collect()
}

/// The switches that break what each case checks.
pub(crate) fn rows() -> Vec<Row> {
    vec![
        row(
            "no pong",
            &[
                "framing.pingpong.2_1",
                "framing.pingpong.2_2",
                "framing.pingpong.2_3",
                "framing.pingpong.2_4",
                "framing.pingpong.2_6",
                "framing.pingpong.2_9",
                "framing.pingpong.2_10",
                "framing.pingpong.2_11",
            ],
            Faults { no_pong: true, ..F },
        ),
        row(
            "lenient control frames",
            &["framing.pingpong.2_5"],
            Faults {
                lenient_control: true,
                ..F
            },
        ),
        row(
            "answers pongs",
            &["framing.pingpong.2_7", "framing.pingpong.2_8"],
            Faults {
                answer_pongs: true,
                ..F
            },
        ),
        row(
            "ignores RSV bits",
            &[
                "framing.reserved.3_1",
                "framing.reserved.3_2",
                "framing.reserved.3_3",
                "framing.reserved.3_4",
                "framing.reserved.3_5",
                "framing.reserved.3_6",
                "framing.extra.rsv1-on-continuation",
            ],
            Faults {
                ignore_rsv: true,
                ..F
            },
        ),
        // A close with RSV bits taken as a close is answered with 1000, which
        // Autobahn rates as a wrong code (NON-STRICT); ignoring it outright fails.
        row(
            "ignores RSV bits and the close",
            &["framing.reserved.3_7"],
            Faults {
                ignore_rsv: true,
                no_close_reply: true,
                ..F
            },
        ),
        row(
            "ignores reserved opcodes",
            &[
                "framing.opcodes.*",
                "framing.extra.reserved-opcode-inside-message",
            ],
            Faults {
                ignore_reserved_opcodes: true,
                ..F
            },
        ),
        row(
            "lenient control frames and continuations",
            &["framing.fragmentation.5_1", "framing.fragmentation.5_2"],
            Faults {
                lenient_control: true,
                lenient_continuation: true,
                ..F
            },
        ),
        row(
            "echoes fragments",
            &[
                "framing.fragmentation.5_3",
                "framing.fragmentation.5_4",
                "framing.fragmentation.5_5",
                "framing.fragmentation.5_6",
                "framing.fragmentation.5_7",
                "framing.fragmentation.5_8",
                "framing.fragmentation.5_19",
                "framing.fragmentation.5_20",
            ],
            Faults {
                echo_fragments: true,
                ..F
            },
        ),
        row(
            "lenient continuations",
            &[
                "framing.fragmentation.5_9",
                "framing.fragmentation.5_10",
                "framing.fragmentation.5_11",
                "framing.fragmentation.5_12",
                "framing.fragmentation.5_13",
                "framing.fragmentation.5_14",
                "framing.fragmentation.5_15",
                "framing.fragmentation.5_16",
                "framing.fragmentation.5_17",
                "framing.fragmentation.5_18",
            ],
            Faults {
                lenient_continuation: true,
                ..F
            },
        ),
        row(
            "no UTF-8 check, corrupt echo",
            &["framing.utf8.*"],
            Faults {
                no_utf8_check: true,
                corrupt_echo: true,
                ..F
            },
        ),
        row(
            "processes frames after the close",
            &[
                "framing.close.7_1_3",
                "framing.close.7_1_4",
                "framing.close.7_1_5",
            ],
            Faults {
                process_after_close: true,
                ..F
            },
        ),
        row(
            "masks its frames",
            &[
                "framing.close.7_1_6",
                "framing.close.7_13_1",
                "framing.close.7_13_2",
                "framing.extra.server-frames-unmasked",
            ],
            Faults {
                mask_output: true,
                ..F
            },
        ),
        row(
            "any close code",
            &[
                "framing.close.7_3_2",
                "framing.close.7_5_1",
                "framing.close.7_9_*",
                "framing.extra.close-1-byte-payload",
                "framing.extra.close-code-1015",
            ],
            Faults {
                any_close_code: true,
                ..F
            },
        ),
        row(
            "any close code, lenient control frames",
            &["framing.close.7_3_6"],
            Faults {
                any_close_code: true,
                lenient_control: true,
                ..F
            },
        ),
        row(
            "wrong close code",
            &["framing.close.7_7_*"],
            Faults {
                wrong_close_code: true,
                ..F
            },
        ),
        row(
            "no TCP close",
            &[
                "framing.close.7_1_1",
                "framing.close.7_1_2",
                "framing.close.7_3_1",
                "framing.close.7_3_3",
                "framing.close.7_3_4",
                "framing.close.7_3_5",
            ],
            Faults {
                no_tcp_close: true,
                ..F
            },
        ),
        row(
            "accepts unmasked frames",
            &["framing.extra.unmasked-*"],
            Faults {
                accept_unmasked: true,
                ..F
            },
        ),
        row(
            "lenient length",
            &["framing.extra.length-msb-set"],
            Faults {
                lenient_length: true,
                ..F
            },
        ),
        row(
            "lenient control frames, no close reply",
            &["framing.extra.fragmented-close"],
            Faults {
                lenient_control: true,
                no_close_reply: true,
                ..F
            },
        ),
        row(
            "zero mask key taken as unmasked",
            &["framing.extra.zero-mask-key"],
            Faults {
                zero_key_is_unmasked: true,
                ..F
            },
        ),
        // The echo is the behaviour.
        row(
            "corrupt echo",
            &["framing.basic.*", "framing.limits.*", "framing.autofrag.*"],
            Faults {
                corrupt_echo: true,
                ..F
            },
        ),
    ]
}

#[test]
fn the_fault_free_server_passes_the_framing_suite() {
    let target = faulty::serve(echo_server(F));
    let cases = registry::select(registry::all(), &["framing".into()], &[]);
    let report = common::run_patiently(&target, &cases, RunConfig::default());
    let bad = common::not_ok(&report, common::PER_FRAME_UTF8, &[]);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn every_framing_case_fails_on_its_faulty_server() {
    faulty::assert_each_fails("framing.", &faults(), 8, |case, _, target| {
        run_case(case, &target, Duration::from_secs(3))
    });
}

/// The observer judges every frame a target sends, whatever the case is
/// about: during an otherwise fine echo case, each of these breaches makes
/// the case FAILED, resting on the rule the breach breaks.
#[test]
fn every_frame_the_target_sends_is_judged() {
    let rows: [(&str, Faults, &str); 7] = [
        (
            "a close with a 1-byte body",
            Faults {
                close_body: Some(&[0x03]),
                ..F
            },
            "RFC 6455 §5.5.1",
        ),
        (
            "close code 999",
            Faults {
                close_body: Some(&[0x03, 0xe7]),
                ..F
            },
            "RFC 6455 §5.5.1, §7.4",
        ),
        (
            "close code 1005",
            Faults {
                close_body: Some(&[0x03, 0xed]),
                ..F
            },
            "RFC 6455 §7.4.1",
        ),
        (
            "a close reason that is not UTF-8",
            Faults {
                close_body: Some(&[0x03, 0xe8, 0xc3, 0x28]),
                ..F
            },
            "RFC 6455 §5.5.1, §8.1",
        ),
        (
            "masked frames",
            Faults {
                mask_output: true,
                ..F
            },
            "RFC 6455 §5.1",
        ),
        (
            "RSV1 on its data frames",
            Faults {
                rsv_output: true,
                ..F
            },
            "RFC 6455 §5.2",
        ),
        (
            "masked pongs",
            Faults {
                mask_output: true,
                ..F
            },
            "RFC 6455 §5.1",
        ),
    ];
    let all = registry::all();
    let mut problems = Vec::new();
    for (i, (name, faults, section)) in rows.into_iter().enumerate() {
        // A message echoed then a clean close; the last row a ping case.
        let id = if i == 6 {
            "framing.pingpong.2_11"
        } else {
            "framing.basic.1_1_2"
        };
        let case = all.iter().find(|c| c.id == id).expect(id);
        let r = run_case(
            case,
            &faulty::serve(echo_server(faults)),
            Duration::from_secs(3),
        );
        let rests_on = r.rests_on.as_ref().map(|c| c.section.as_str());
        if r.verdict != Verdict::Failed || rests_on != Some(section) {
            problems.push(format!(
                "{id} on a server sending {name}: {} resting on {rests_on:?}, {section} expected ({})",
                r.verdict, r.detail
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
