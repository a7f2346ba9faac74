//! Proof that every framing case can fail. A small WebSocket echo server,
//! written here with switches that each break one rule of RFC 6455 §5–§7,
//! first passes the whole framing suite with every switch off (a second,
//! independent implementation agreeing with the suite), then each framing
//! case runs against a server with the switch for the behaviour it checks,
//! and must come out FAILED.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::Duration;
use voxproof_conformance::case::Case;
use voxproof_conformance::registry;
use voxproof_conformance::run::{run_case, RunConfig};
use voxproof_conformance::target::Target;
use voxproof_conformance::verdict::Verdict;
use voxproof_conformance::wire::frame::{decode, opcode, Decoded, Frame};
use voxproof_reference::handshake::{parse_request, respond, Limits, Parsed, ServerConfig};

#[derive(Clone, Copy, Default, Debug)]
struct Faults {
    corrupt_echo: bool,
    echo_fragments: bool,
    no_pong: bool,
    answer_pongs: bool,
    ignore_rsv: bool,
    ignore_reserved_opcodes: bool,
    lenient_continuation: bool,
    lenient_control: bool,
    no_utf8_check: bool,
    any_close_code: bool,
    no_close_reply: bool,
    wrong_close_code: bool,
    no_tcp_close: bool,
    process_after_close: bool,
    accept_unmasked: bool,
    mask_output: bool,
    lenient_length: bool,
    zero_key_is_unmasked: bool,
}

struct Conn {
    stream: TcpStream,
    f: Faults,
}

impl Conn {
    fn write(&mut self, frame: Frame) {
        let frame = if self.f.mask_output {
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

fn serve_connection(stream: TcpStream, f: Faults) {
    let mut c = Conn { stream, f };
    let _ = c.stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    let consumed = loop {
        match parse_request(&buf, &Limits::default()) {
            Ok(Parsed::Complete { request, consumed }) => {
                match respond(&request, &ServerConfig::default()) {
                    Ok(accepted) => {
                        let _ = c.stream.write_all(&accepted.response.to_bytes());
                        break consumed;
                    }
                    Err(_) => return,
                }
            }
            Ok(Parsed::Partial) => {}
            Err(_) => return,
        }
        match c.stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    buf.drain(..consumed);
    let mut partial: Option<(u8, Vec<u8>)> = None;
    let mut closed = false;
    loop {
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
        if unmasked && !f.accept_unmasked {
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
                let (op, payload) = partial
                    .as_ref()
                    .map(|(o, p)| (*o, p.clone()))
                    .unwrap_or_default();
                if op == opcode::TEXT && !f.no_utf8_check && utf8_broken(&payload) {
                    return c.fail(1007);
                }
                if frame.fin {
                    partial = None;
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

fn serve(f: Faults) -> Target {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve_connection(stream, f));
        }
    });
    Target::parse(&format!("ws://{addr}/echo")).unwrap()
}

fn framing_cases() -> Vec<Case> {
    registry::select(registry::all(), &["framing".into()], &[])
}

/// The switch that breaks what a case checks.
fn fault_for(id: &str) -> Faults {
    let on = Faults::default();
    let topic = id.split('.').nth(1).unwrap_or("");
    let name = id.split('.').nth(2).unwrap_or("");
    match (topic, name) {
        ("pingpong", "2_5") => Faults {
            lenient_control: true,
            ..on
        },
        ("pingpong", "2_7" | "2_8") => Faults {
            answer_pongs: true,
            ..on
        },
        ("pingpong", _) => Faults {
            no_pong: true,
            ..on
        },
        // A close with RSV bits taken as a close is answered with 1000, which
        // Autobahn rates as a wrong code (NON-STRICT); ignoring it outright fails.
        ("reserved", "3_7") => Faults {
            ignore_rsv: true,
            no_close_reply: true,
            ..on
        },
        ("reserved", _) => Faults {
            ignore_rsv: true,
            ..on
        },
        ("opcodes", _) => Faults {
            ignore_reserved_opcodes: true,
            ..on
        },
        ("fragmentation", "5_1" | "5_2") => Faults {
            lenient_control: true,
            lenient_continuation: true,
            ..on
        },
        ("fragmentation", "5_3" | "5_4" | "5_5" | "5_6" | "5_7" | "5_8" | "5_19" | "5_20") => {
            Faults {
                echo_fragments: true,
                ..on
            }
        }
        ("fragmentation", _) => Faults {
            lenient_continuation: true,
            ..on
        },
        ("utf8", _) => Faults {
            no_utf8_check: true,
            corrupt_echo: true,
            ..on
        },
        ("close", "7_1_3" | "7_1_4" | "7_1_5") => Faults {
            process_after_close: true,
            ..on
        },
        ("close", "7_1_6" | "7_13_1" | "7_13_2") => Faults {
            mask_output: true,
            ..on
        },
        ("close", "7_3_2" | "7_5_1") => Faults {
            any_close_code: true,
            ..on
        },
        ("close", "7_3_6") => Faults {
            any_close_code: true,
            lenient_control: true,
            ..on
        },
        ("close", n) if n.starts_with("7_9_") => Faults {
            any_close_code: true,
            ..on
        },
        ("close", n) if n.starts_with("7_7_") => Faults {
            wrong_close_code: true,
            ..on
        },
        ("close", _) => Faults {
            no_tcp_close: true,
            ..on
        },
        ("extra", n) if n.starts_with("unmasked") => Faults {
            accept_unmasked: true,
            ..on
        },
        ("extra", "server-frames-unmasked") => Faults {
            mask_output: true,
            ..on
        },
        ("extra", "close-1-byte-payload" | "close-code-1015") => Faults {
            any_close_code: true,
            ..on
        },
        ("extra", "length-msb-set") => Faults {
            lenient_length: true,
            ..on
        },
        ("extra", "fragmented-close") => Faults {
            lenient_control: true,
            no_close_reply: true,
            ..on
        },
        ("extra", "rsv1-on-continuation") => Faults {
            ignore_rsv: true,
            ..on
        },
        ("extra", "reserved-opcode-inside-message") => Faults {
            ignore_reserved_opcodes: true,
            ..on
        },
        ("extra", "zero-mask-key") => Faults {
            zero_key_is_unmasked: true,
            ..on
        },
        // basic, limits, autofrag: the echo is the behaviour.
        _ => Faults {
            corrupt_echo: true,
            ..on
        },
    }
}

#[test]
fn the_fault_free_server_passes_the_framing_suite() {
    let target = serve(Faults::default());
    let cases = framing_cases();
    let report = common::run_patiently(&target, &cases, RunConfig::default());
    let bad = common::not_ok(&report, common::PER_FRAME_UTF8, &[]);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn every_framing_case_fails_on_its_faulty_server() {
    let cases = framing_cases();
    let problems = std::sync::Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(case) = cases.get(i) else { break };
                let fault = fault_for(&case.id);
                let result = run_case(case, &serve(fault), Duration::from_secs(3));
                if result.verdict != Verdict::Failed {
                    problems.lock().unwrap().push(format!(
                        "{} with {fault:?}: {} ({})",
                        case.id, result.verdict, result.detail
                    ));
                }
            });
        }
    });
    let problems = problems.into_inner().unwrap();
    assert!(
        problems.is_empty(),
        "cases that did not fail:\n{}",
        problems.join("\n")
    );
}
