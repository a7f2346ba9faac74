//! Generated inputs whose answer the standard fixes, drawn by proptest strategies from a seed
//! ([docs/adapters.md](../../../docs/adapters.md#generated-inputs)).

use super::corpus::{law_name, Corpus, SERVER_PROTOCOLS};
use super::protocol::{b64, Expect, Op, Probe, Reply};
use crate::wire::frame::{opcode, Frame};
use base64::Engine;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Map, Value};
use voxproof_vectors::{Expected, HeaderExpect, Match, ServerTest, UpgradeExpect};

/// Inputs per op unless `--generated` says otherwise.
pub const DEFAULT_COUNT: u64 = 256;
/// Seed unless `--seed` says otherwise: runs are reproducible.
pub const DEFAULT_SEED: u64 = 6455;

/// `count` inputs per op of the corpus, from `seed`.
pub fn probes(corpus: Corpus, seed: u64, count: usize) -> Vec<Probe> {
    if count == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    match corpus {
        Corpus::Accept => out.extend(accept(&mut runner(seed, "accept"), count)),
        Corpus::Handshake => {
            out.extend(server(&mut runner(seed, "server"), count));
            out.extend(client(&mut runner(seed, "client"), count));
        }
        Corpus::Frames => out.extend(frames(&mut runner(seed, "frames"), count)),
        Corpus::Jwt => out.extend(jwt(&mut runner(seed, "jwt"), count)),
        Corpus::G711 => out.extend(g711(seed, count)),
    }
    out
}

/// A runner per op, so that one op's draws never shift another's.
fn runner(seed: u64, op: &str) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    for (i, b) in op.bytes().enumerate() {
        bytes[8 + i % 24] ^= b;
    }
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

fn draw<S: Strategy>(runner: &mut TestRunner, s: S) -> S::Value {
    // These strategies have no filters, so a tree is always produced.
    match s.new_tree(runner) {
        Ok(tree) => tree.current(),
        Err(e) => unreachable!("an unfiltered strategy rejected: {e}"),
    }
}

fn fields(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

const ACCEPT_RULE: &str = "The value of this header field is constructed by concatenating /key/, defined above in step 4 \
in Section 4.2.2, with the string \"258EAFA5-E914-47DA-95CA-C5AB0DC85B11\", taking the SHA-1 hash of this concatenated \
value to obtain a 20-byte value and base64-encoding (see Section 4 of [RFC4648]) this 20-byte hash.";

fn key_of(nonce: [u8; 16]) -> String {
    base64::engine::general_purpose::STANDARD.encode(nonce)
}

fn accept(r: &mut TestRunner, count: usize) -> Vec<Probe> {
    (1..=count)
        .map(|n| {
            let key = key_of(draw(r, any::<[u8; 16]>()));
            let want = crate::wire::http::accept_key(key.as_bytes());
            Probe {
                id: format!("accept.generated.{n}"),
                title: format!("a random 16-byte nonce: key {key}"),
                section: "RFC 6455 §4.2.2".into(),
                requirement: ACCEPT_RULE.into(),
                sends: format!("Sec-WebSocket-Key {key}"),
                expects: format!("accept {want}"),
                op: Op::AcceptCompute,
                request: fields(json!({"key": key})),
                expect: Expect::Accept {
                    result: Expected::Valid,
                    accept: Some(want),
                },
            }
        })
        .collect()
}

/// The fields §4.1 requires of a client's handshake, each of which a server must see.
const REQUIRED: [&str; 4] = [
    "Upgrade",
    "Connection",
    "Sec-WebSocket-Key",
    "Sec-WebSocket-Version",
];

const SERVER_RULE: &str = "If the server, while reading the handshake, finds that the client did not send a handshake that \
matches the description below [...] the server MUST stop processing the client's handshake and return an HTTP response \
with an appropriate error code (such as 400 Bad Request).";

fn server(r: &mut TestRunner, count: usize) -> Vec<Probe> {
    (1..=count)
        .map(|n| {
            let key = key_of(draw(r, any::<[u8; 16]>()));
            let values = [
                "websocket".to_string(),
                "Upgrade".to_string(),
                key.clone(),
                "13".to_string(),
            ];
            // Names in any ASCII case and fields in any order (RFC 9110 §5.1, §5.3).
            let order = draw(r, Just((0..4).collect::<Vec<usize>>()).prop_shuffle());
            let cases: Vec<Vec<bool>> = draw(
                r,
                prop::collection::vec(prop::collection::vec(any::<bool>(), 21), 4),
            );
            // Every third input leaves one required field out.
            let drop = (n % 3 == 0).then(|| draw(r, 0..4usize));
            let mut request = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\n".to_string();
            for i in order {
                if drop == Some(i) {
                    continue;
                }
                let name: String = REQUIRED[i]
                    .chars()
                    .zip(&cases[i])
                    .map(|(c, up)| {
                        if *up {
                            c.to_ascii_uppercase()
                        } else {
                            c.to_ascii_lowercase()
                        }
                    })
                    .collect();
                request.push_str(&format!("{name}: {}\r\n", values[i]));
            }
            request.push_str("\r\n");
            let (result, comment, upgrade) = match drop {
                Some(i) => (
                    Expected::Invalid,
                    format!("a request without {}", REQUIRED[i]),
                    None,
                ),
                None => (
                    Expected::Valid,
                    "a valid request, field names in random case and order".to_string(),
                    Some(UpgradeExpect {
                        headers: vec![
                            header("Upgrade", "websocket", Match::Caseless),
                            header("Connection", "Upgrade", Match::Token),
                            header(
                                "Sec-WebSocket-Accept",
                                &crate::wire::http::accept_key(key.as_bytes()),
                                Match::Exact,
                            ),
                        ],
                        absent: vec![
                            "Sec-WebSocket-Protocol".into(),
                            "Sec-WebSocket-Extensions".into(),
                        ],
                        protocol_one_of: None,
                        extensions_allowed: None,
                    }),
                ),
            };
            let test = ServerTest {
                tc_id: n as u32,
                case: format!("handshake.generated-server.{n}"),
                comment: comment.clone(),
                section: "RFC 6455 §4.2.1".into(),
                requirement: SERVER_RULE.into(),
                request: request.clone(),
                result,
                flags: Vec::new(),
                upgrade,
                reject: None,
            };
            Probe {
                id: test.case.clone(),
                title: comment,
                section: test.section.clone(),
                requirement: test.requirement.clone(),
                sends: request.replace("\r\n", "⏎"),
                expects: crate::cases::handshake::expect::describe(&test),
                op: Op::HandshakeParseRequest,
                request: fields(json!({
                    "request_b64": b64(request.as_bytes()),
                    "protocols": SERVER_PROTOCOLS,
                })),
                expect: Expect::ServerHandshake(Box::new(test)),
            }
        })
        .collect()
}

fn header(name: &str, value: &str, mode: Match) -> HeaderExpect {
    HeaderExpect {
        name: name.into(),
        value: value.into(),
        mode,
    }
}

const CLIENT_RULE: &str = "If the response lacks a |Sec-WebSocket-Accept| header field or the |Sec-WebSocket-Accept| \
contains a value other than the base64-encoded SHA-1 of the concatenation of the |Sec-WebSocket-Key| (as a string, not \
base64-decoded) with the string \"258EAFA5-E914-47DA-95CA-C5AB0DC85B11\" but ignoring any leading and trailing \
whitespace, the client MUST _Fail the WebSocket Connection_.";

fn client(r: &mut TestRunner, count: usize) -> Vec<Probe> {
    (1..=count)
        .map(|n| {
            let key = key_of(draw(r, any::<[u8; 16]>()));
            let right = crate::wire::http::accept_key(key.as_bytes());
            // Every other input answers with the accept of another key.
            let wrong = n % 2 == 0;
            let accept = if wrong {
                crate::wire::http::accept_key(key_of(draw(r, any::<[u8; 16]>())).as_bytes())
            } else {
                right
            };
            let wrong = wrong && accept != crate::wire::http::accept_key(key.as_bytes());
            let response = format!(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            );
            Probe {
                id: format!("handshake.generated-client.{n}"),
                title: if wrong {
                    "a 101 whose accept belongs to another key".into()
                } else {
                    "a 101 with the right accept".into()
                },
                section: "RFC 6455 §4.1".into(),
                requirement: CLIENT_RULE.into(),
                sends: format!("key {key}, accept {accept}"),
                expects: if wrong {
                    "the response refused".into()
                } else {
                    "the connection established".into()
                },
                op: Op::HandshakeValidateResponse,
                request: fields(json!({
                    "host": "server.example.com",
                    "resource": "/chat",
                    "key": key,
                    "protocols": [],
                    "extensions": [],
                    "response_b64": b64(response.as_bytes()),
                })),
                expect: Expect::ClientHandshake {
                    result: if wrong { Expected::Invalid } else { Expected::Valid },
                    protocol: (!wrong).then_some(None),
                },
            }
        })
        .collect()
}

/// The defects a single client frame can carry, each a MUST of RFC 6455.
const DEFECTS: [(&str, &str, u16); 7] = [
    ("5.2", "RSV1, RSV2, RSV3:  1 bit each  MUST be 0 unless an extension is negotiated that defines meanings for non-zero values.", 1002),
    ("5.2", "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_.", 1002),
    ("5.1", "The server MUST close the connection upon receiving a frame that is not masked.", 1002),
    ("5.5", "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented.", 1002),
    ("5.5", "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented.", 1002),
    ("5.6", "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_.", 1007),
    ("5.4", "EXAMPLE: For a text message sent as three fragments, the first fragment would have an opcode of 0x1 and a FIN bit clear, the second fragment would have an opcode of 0x0 and a FIN bit clear, and the third fragment would have an opcode of 0x0 and a FIN bit set.", 1002),
];

fn frames(r: &mut TestRunner, count: usize) -> Vec<Probe> {
    (1..=count)
        .map(|n| {
            let key: [u8; 4] = draw(r, any::<[u8; 4]>());
            let binary = draw(r, any::<bool>());
            let payload: Vec<u8> = if binary {
                draw(r, prop::collection::vec(any::<u8>(), 0..300))
            } else {
                draw(r, prop::collection::vec(any::<char>(), 0..60))
                    .into_iter()
                    .collect::<String>()
                    .into_bytes()
            };
            // Every fourth input carries one defect.
            if n % 4 == 0 {
                return defective(r, n, key, payload);
            }
            let pieces = draw(r, 1..=3usize).min(payload.len().max(1));
            let mut cuts: Vec<usize> = draw(r, prop::collection::vec(0..=payload.len(), pieces - 1));
            cuts.sort_unstable();
            let ping = draw(r, prop::option::of(prop::collection::vec(any::<u8>(), 0..=125)));
            let mut frames = Vec::new();
            let mut replies = Vec::new();
            let mut start = 0;
            let bounds: Vec<usize> = cuts.into_iter().chain([payload.len()]).collect();
            for (i, end) in bounds.iter().enumerate() {
                let op = match (i, binary) {
                    (0, true) => opcode::BINARY,
                    (0, false) => opcode::TEXT,
                    _ => opcode::CONTINUATION,
                };
                let last = i + 1 == bounds.len();
                frames.push(Frame::new(op, payload[start..*end].to_vec()).fin(last).masked(key));
                start = *end;
                if last {
                    replies.push(Reply {
                        kind: if binary { "binary" } else { "text" }.into(),
                        payload: payload.clone(),
                    });
                }
                // A ping may come between fragments (§5.4) or after the message.
                if i == 0 {
                    if let Some(p) = &ping {
                        frames.push(Frame::new(opcode::PING, p.clone()).masked(key));
                        replies.push(Reply {
                            kind: "pong".into(),
                            payload: p.clone(),
                        });
                    }
                }
            }
            let bytes: Vec<u8> = frames.iter().flat_map(Frame::encode).collect();
            Probe {
                id: format!("frames.generated.{n}"),
                title: format!(
                    "a masked {} message of {} bytes in {} fragment(s){}",
                    if binary { "binary" } else { "text" },
                    payload.len(),
                    bounds.len(),
                    if ping.is_some() { ", a ping after the first" } else { "" }
                ),
                section: "RFC 6455 §5.4".into(),
                requirement: "Control frames (see Section 5.5) MAY be injected in the middle of a fragmented message. [...] \
An endpoint MUST be capable of handling control frames in the middle of a fragmented message.".into(),
                sends: format!("{} bytes", bytes.len()),
                expects: format!("{} replies owed", replies.len()),
                op: Op::FrameDecode,
                request: fields(json!({"bytes_b64": b64(&bytes)})),
                expect: Expect::Frames {
                    result: Expected::Valid,
                    replies,
                    close_codes: Vec::new(),
                },
            }
        })
        .collect()
}

fn defective(r: &mut TestRunner, n: usize, key: [u8; 4], payload: Vec<u8>) -> Probe {
    let which = draw(r, 0..DEFECTS.len());
    let (section, rule, code) = DEFECTS[which];
    let (frame, what) = match which {
        0 => {
            let rsv = draw(r, 1..=7u8);
            (
                Frame::new(opcode::BINARY, payload).rsv(rsv).masked(key),
                format!("RSV = {rsv}"),
            )
        }
        1 => {
            let op = draw(
                r,
                prop::sample::select(vec![3u8, 4, 5, 6, 7, 11, 12, 13, 14, 15]),
            );
            (
                Frame::new(op, payload).masked(key),
                format!("reserved opcode {op:#x}"),
            )
        }
        2 => (Frame::new(opcode::BINARY, payload), "no mask".to_string()),
        3 => {
            let p = draw(r, prop::collection::vec(any::<u8>(), 126..300));
            let len = p.len();
            (
                Frame::new(opcode::PING, p).masked(key),
                format!("a ping of {len} bytes"),
            )
        }
        4 => (
            Frame::new(
                opcode::PING,
                payload.into_iter().take(125).collect::<Vec<u8>>(),
            )
            .fin(false)
            .masked(key),
            "a ping without FIN".to_string(),
        ),
        5 => {
            // 0xFF never occurs in UTF-8 (RFC 3629 §1).
            let mut p = payload;
            let at = draw(r, 0..=p.len());
            p.insert(at, 0xff);
            (
                Frame::new(opcode::TEXT, p).masked(key),
                "text with a 0xFF byte".to_string(),
            )
        }
        _ => (
            Frame::new(opcode::CONTINUATION, payload).masked(key),
            "a continuation with nothing to continue".to_string(),
        ),
    };
    let bytes = frame.encode();
    Probe {
        id: format!("frames.generated.{n}"),
        title: format!("a client frame with {what}"),
        section: format!("RFC 6455 §{section}"),
        requirement: rule.into(),
        sends: format!("{} bytes", bytes.len()),
        expects: format!("the connection failed with {code}"),
        op: Op::FrameDecode,
        request: fields(json!({"bytes_b64": b64(&bytes)})),
        expect: Expect::Frames {
            result: Expected::Invalid,
            replies: Vec::new(),
            close_codes: vec![code],
        },
    }
}

/// The verifier's clock in the generated tokens.
const NOW: u64 = 1_700_000_000;

const EXP_RULE: &str = "The \"exp\" (expiration time) claim identifies the expiration time on or after which the JWT \
MUST NOT be accepted for processing.  The processing of the \"exp\" claim requires that the current date/time MUST be \
before the expiration date/time listed in the \"exp\" claim.";

fn jwt(r: &mut TestRunner, count: usize) -> Vec<Probe> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    (1..=count)
        .map(|n| {
            let secret: Vec<u8> = draw(r, prop::collection::vec(any::<u8>(), 32..64));
            let sub: String = draw(r, prop::collection::vec(prop::char::range('a', 'z'), 1..20))
                .into_iter()
                .collect();
            // Never `exp == now`: away from the boundary, where leeway is read differently.
            let delta: i64 = draw(r, prop_oneof![-100_000i64..=-1, 1i64..=100_000]);
            let exp = NOW as i64 + delta;
            let tamper = n % 5 == 0;
            let claims = json!({"sub": sub, "exp": exp});
            let token = hs256(&secret, &claims, tamper);
            let (result, error) = match (tamper, delta > 0) {
                (true, _) => (Expected::Invalid, Some("bad-signature".to_string())),
                (false, false) => (Expected::Invalid, Some("expired".to_string())),
                (false, true) => (Expected::Valid, None),
            };
            Probe {
                id: format!("jwt.generated.{n}"),
                title: format!(
                    "HS256, exp = now {delta:+} s{}",
                    if tamper { ", signature altered" } else { "" }
                ),
                section: if tamper { "RFC 7515 §5.2".into() } else { "RFC 7519 §4.1.4".into() },
                requirement: if tamper {
                    "Validate the JWS Signature against the JWS Signing Input [...] If the JWS Signature was not \
successfully validated, the JWS MUST be rejected.".into()
                } else {
                    EXP_RULE.into()
                },
                sends: format!("a token for sub {sub}"),
                expects: match &error {
                    Some(e) => format!("invalid ({e})"),
                    None => "valid".into(),
                },
                op: Op::JwtVerify,
                request: fields(json!({
                    "kind": "jwt",
                    "token": token,
                    "key": {"kty": "oct", "k": URL_SAFE_NO_PAD.encode(&secret)},
                    "key_pem": null,
                    "algorithms": ["HS256"],
                    "validation": {"now": NOW, "leeway": 0, "required": ["exp"]},
                })),
                expect: Expect::Jwt {
                    result,
                    error,
                    claims: (!tamper && delta > 0).then_some(claims),
                    payload: None,
                },
            }
        })
        .collect()
}

/// An HS256 JWS over `claims`; `tamper` changes one signature octet.
fn hs256(secret: &[u8], claims: &Value, tamper: bool) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    let mut sig = ring::hmac::sign(&key, input.as_bytes()).as_ref().to_vec();
    if tamper {
        sig[7] ^= 0x01;
    }
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn g711(seed: u64, count: usize) -> Vec<Probe> {
    let pcmu = voxproof_vectors::g711_pcmu();
    let pcma = voxproof_vectors::g711_pcma();
    let transcode = voxproof_vectors::g711_transcode();
    let table = |mu: bool| {
        if mu {
            "ITU-T G.711 Table 2"
        } else {
            "ITU-T G.711 Table 1"
        }
    };
    let header = |mu: bool| {
        if mu {
            pcmu.header[0].clone()
        } else {
            pcma.header[0].clone()
        }
    };
    let mut out = Vec::new();
    let r = &mut runner(seed, "g711.encode");
    for n in 1..=count {
        let mu = draw(r, any::<bool>());
        let samples: Vec<i16> = draw(r, prop::collection::vec(any::<i16>(), 1..=160));
        let file = if mu { &pcmu } else { &pcma };
        let codes: Vec<u8> = samples.iter().map(|s| file.encode_of(*s)).collect();
        out.push(Probe {
            id: format!("g711.generated-encode.{n}"),
            title: format!("{} random 16-bit samples, {}", samples.len(), law_name(mu)),
            section: table(mu).into(),
            requirement: header(mu),
            sends: format!("{} samples", samples.len()),
            expects: "the codes the table gives".into(),
            op: Op::G711Encode,
            request: fields(json!({"law": law_name(mu), "samples": samples})),
            expect: Expect::Codes(codes),
        });
    }
    let r = &mut runner(seed, "g711.decode");
    for n in 1..=count {
        // The first two are every code of each law, in order.
        let mu = if n <= 2 {
            n == 1
        } else {
            draw(r, any::<bool>())
        };
        let codes: Vec<u8> = if n <= 2 {
            (0..=255).collect()
        } else {
            draw(r, prop::collection::vec(any::<u8>(), 1..=160))
        };
        let file = if mu { &pcmu } else { &pcma };
        let samples: Vec<i16> = codes.iter().map(|c| file.decode_of(*c)).collect();
        out.push(Probe {
            id: format!("g711.generated-decode.{n}"),
            title: if n <= 2 {
                format!("all 256 codes, {}", law_name(mu))
            } else {
                format!("{} random codes, {}", codes.len(), law_name(mu))
            },
            section: table(mu).into(),
            requirement: header(mu),
            sends: format!("{} codes", codes.len()),
            expects: "the values the table gives".into(),
            op: Op::G711Decode,
            request: fields(json!({"law": law_name(mu), "bytes_b64": b64(&codes)})),
            expect: Expect::Samples(samples),
        });
    }
    let r = &mut runner(seed, "g711.transcode");
    for n in 1..=count {
        let mu = draw(r, any::<bool>());
        let codes: Vec<u8> = draw(r, prop::collection::vec(any::<u8>(), 1..=160));
        let map = if mu {
            &transcode.pcmu_to_pcma
        } else {
            &transcode.pcma_to_pcmu
        };
        let want: Vec<u8> = codes.iter().map(|c| map[usize::from(*c)]).collect();
        out.push(Probe {
            id: format!("g711.generated-transcode.{n}"),
            title: format!(
                "{} random codes, {} to {}",
                codes.len(),
                law_name(mu),
                law_name(!mu)
            ),
            section: if mu {
                "ITU-T G.711 Table 3".into()
            } else {
                "ITU-T G.711 Table 4".into()
            },
            requirement: transcode.header[0].clone(),
            sends: format!("{} codes", codes.len()),
            expects: "the codes the table gives".into(),
            op: Op::G711Transcode,
            request: fields(json!({
                "from": law_name(mu),
                "to": law_name(!mu),
                "bytes_b64": b64(&codes),
            })),
            expect: Expect::Codes(want),
        });
    }
    out
}
