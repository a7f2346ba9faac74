//! One probe per vector test: the request an adapter gets and the answer the vector fixes
//! ([docs/adapters.md](../../../docs/adapters.md#ops)).

use super::protocol::{b64, Expect, Op, Probe, Reply};
use serde_json::{json, Map, Value};
use voxproof_vectors::frames::unhex;
use voxproof_vectors::{octets, EXAMPLE_HOST, EXAMPLE_PATH};

/// The corpora `voxproof vectors` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corpus {
    Accept,
    Handshake,
    Frames,
    Jwt,
    G711,
}

impl Corpus {
    pub fn name(self) -> &'static str {
        match self {
            Corpus::Accept => "accept",
            Corpus::Handshake => "handshake",
            Corpus::Frames => "frames",
            Corpus::Jwt => "jwt",
            Corpus::G711 => "g711",
        }
    }

    /// The ops its probes use.
    pub fn ops(self) -> &'static [Op] {
        match self {
            Corpus::Accept => &[Op::AcceptCompute],
            Corpus::Handshake => &[Op::HandshakeParseRequest, Op::HandshakeValidateResponse],
            Corpus::Frames => &[Op::FrameDecode],
            Corpus::Jwt => &[Op::JwtVerify],
            Corpus::G711 => &[Op::G711Encode, Op::G711Decode, Op::G711Transcode],
        }
    }
}

/// The subprotocols the server of `handshake.parse_request` speaks: the
/// vectors use `chat` and `superchat` as names a server may know.
pub const SERVER_PROTOCOLS: [&str; 1] = ["chat"];

fn fields(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Every probe of the corpus, in file order.
pub fn probes(corpus: Corpus) -> Vec<Probe> {
    match corpus {
        Corpus::Accept => accept(),
        Corpus::Handshake => {
            let mut all = handshake_server();
            all.extend(handshake_client());
            all
        }
        Corpus::Frames => frames(),
        Corpus::Jwt => jwt(),
        Corpus::G711 => g711(),
    }
}

fn accept() -> Vec<Probe> {
    let file = voxproof_vectors::accept();
    let mut out = Vec::new();
    for g in &file.test_groups {
        for t in &g.tests {
            out.push(Probe {
                id: format!("accept.keys.{}", t.tc_id),
                title: t.comment.clone(),
                section: "RFC 6455 §4.2.2".into(),
                requirement: format!("{} ({})", file.header[0], g.comment),
                sends: format!("Sec-WebSocket-Key \"{}\"", t.key.escape_debug()),
                expects: match &t.accept {
                    Some(a) => format!("{} with accept {a}", t.result_word()),
                    None => "a refusal".into(),
                },
                op: Op::AcceptCompute,
                request: fields(json!({"key": t.key})),
                expect: Expect::Accept {
                    result: t.result,
                    accept: t.accept.clone(),
                },
            });
        }
    }
    out
}

trait ResultWord {
    fn result_word(&self) -> &'static str;
}

impl ResultWord for voxproof_vectors::AcceptTest {
    fn result_word(&self) -> &'static str {
        match self.result {
            voxproof_vectors::Expected::Valid => "accepted",
            voxproof_vectors::Expected::Invalid => "refused",
            voxproof_vectors::Expected::Acceptable => "accepted or refused",
        }
    }
}

fn handshake_server() -> Vec<Probe> {
    voxproof_vectors::handshake_server()
        .tests()
        .map(|t| {
            let request = t.request_for(EXAMPLE_HOST, EXAMPLE_PATH);
            Probe {
                id: format!("handshake.server.{}", t.tc_id),
                title: t.comment.clone(),
                section: t.section.clone(),
                requirement: t.requirement.clone(),
                sends: format!(
                    "the request of handshake/server.json tcId {} ({})",
                    t.tc_id,
                    t.request.split("\r\n").next().unwrap_or_default()
                ),
                expects: crate::cases::handshake::expect::describe(t),
                op: Op::HandshakeParseRequest,
                request: fields(json!({
                    "request_b64": b64(&request),
                    "protocols": SERVER_PROTOCOLS,
                })),
                expect: Expect::ServerHandshake(Box::new(t.clone())),
            }
        })
        .collect()
}

fn handshake_client() -> Vec<Probe> {
    voxproof_vectors::handshake_client()
        .tests()
        .map(|t| Probe {
            id: format!("handshake.client.{}", t.tc_id),
            title: t.comment.clone(),
            section: t.section.clone(),
            requirement: t.requirement.clone(),
            sends: format!(
                "the response of handshake/client.json tcId {} ({})",
                t.tc_id, t.name
            ),
            expects: match t.result {
                voxproof_vectors::Expected::Valid => "the connection established".into(),
                voxproof_vectors::Expected::Invalid => "the response refused".into(),
                voxproof_vectors::Expected::Acceptable => "either".into(),
            },
            op: Op::HandshakeValidateResponse,
            request: fields(json!({
                "host": EXAMPLE_HOST,
                "resource": EXAMPLE_PATH,
                "key": t.key,
                "protocols": t.protocols,
                "extensions": t.extensions,
                "response_b64": b64(&octets(&t.response)),
            })),
            expect: Expect::ClientHandshake {
                result: t.result,
                protocol: t.protocol.clone(),
            },
        })
        .collect()
}

fn frames() -> Vec<Probe> {
    voxproof_vectors::frames_client()
        .tests()
        .map(|t| {
            let replies: Vec<Reply> = t
                .replies
                .iter()
                .flatten()
                .map(|r| Reply {
                    kind: r.kind.clone(),
                    payload: unhex(&r.payload),
                })
                .collect();
            Probe {
                id: format!("frames.client.{}", t.tc_id),
                title: t.comment.clone(),
                section: t.section.clone(),
                requirement: t.comment.clone(),
                sends: format!(
                    "the {} bytes of frames/client.json tcId {}",
                    t.bytes.len() / 2,
                    t.tc_id
                ),
                expects: match &t.close_codes {
                    Some(c) if t.result != voxproof_vectors::Expected::Valid => format!(
                        "the connection failed with {}",
                        c.iter()
                            .map(u16::to_string)
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                    _ => format!("{} replies owed", replies.len()),
                },
                op: Op::FrameDecode,
                request: fields(json!({"bytes_b64": b64(&unhex(&t.bytes))})),
                expect: Expect::Frames {
                    result: t.result,
                    replies,
                    close_codes: t.close_codes.clone().unwrap_or_default(),
                },
            }
        })
        .collect()
}

fn jwt() -> Vec<Probe> {
    let mut out = Vec::new();
    for (name, file) in voxproof_vectors::jwt() {
        let stem = name.trim_start_matches("jwt/").trim_end_matches(".json");
        for (g, t) in file.jwt_tests() {
            let kind = if g.kind == voxproof_vectors::jwt::JWS_VERIFY {
                "jws"
            } else {
                "jwt"
            };
            out.push(Probe {
                id: format!("jwt.{stem}.{}", t.tc_id),
                title: t.comment.clone(),
                section: format!("vectors/{name} tcId {}", t.tc_id),
                requirement: format!("{}: {}", g.comment, t.comment),
                sends: "the token with the group's key, algorithms and validation".into(),
                expects: match (&t.result, &t.error) {
                    (voxproof_vectors::Expected::Valid, _) => "valid".into(),
                    (voxproof_vectors::Expected::Invalid, e) => {
                        format!("invalid ({})", e.as_deref().unwrap_or("any error"))
                    }
                    (voxproof_vectors::Expected::Acceptable, _) => "valid or invalid".into(),
                },
                op: Op::JwtVerify,
                request: fields(json!({
                    "kind": kind,
                    "token": t.token,
                    "key": g.key,
                    "key_pem": g.key_pem,
                    "algorithms": g.algorithms,
                    "validation": g.validation,
                })),
                expect: Expect::Jwt {
                    result: t.result,
                    error: t.error.clone(),
                    claims: t.claims.clone(),
                    payload: t.payload.clone(),
                },
            });
        }
    }
    out
}

/// `mu` or `a`, the protocol's names of the laws.
pub fn law_name(pcmu: bool) -> &'static str {
    if pcmu {
        "mu"
    } else {
        "a"
    }
}

fn g711() -> Vec<Probe> {
    let mut out = Vec::new();
    for (pcmu, file) in [
        (true, voxproof_vectors::g711_pcmu()),
        (false, voxproof_vectors::g711_pcma()),
    ] {
        let stem = if pcmu { "pcmu" } else { "pcma" };
        let law = law_name(pcmu);
        let table = if pcmu {
            "ITU-T G.711 Table 2"
        } else {
            "ITU-T G.711 Table 1"
        };
        for g in &file.test_groups {
            for t in &g.tests {
                let codes = t.code_bytes();
                out.push(Probe {
                    id: format!("g711.{stem}-encode.{}", t.tc_id),
                    title: t.comment.clone(),
                    section: table.into(),
                    requirement: format!("{} ({}: {})", file.header[0], g.comment, t.comment),
                    sends: format!("{} samples", t.samples.len()),
                    expects: format!("the codes {}", t.codes),
                    op: Op::G711Encode,
                    request: fields(json!({"law": law, "samples": t.samples})),
                    expect: Expect::Codes(codes.clone()),
                });
                out.push(Probe {
                    id: format!("g711.{stem}-decode.{}", t.tc_id),
                    title: t.comment.clone(),
                    section: table.into(),
                    requirement: format!("{} ({}: {})", file.header[0], g.comment, t.comment),
                    sends: format!("the codes {}", t.codes),
                    expects: format!("{} samples", t.decoded.len()),
                    op: Op::G711Decode,
                    request: fields(json!({"law": law, "bytes_b64": b64(&codes)})),
                    expect: Expect::Samples(t.decoded.clone()),
                });
            }
        }
    }
    let file = voxproof_vectors::g711_transcode();
    for g in &file.test_groups {
        for t in &g.tests {
            let pcmu = t.from == voxproof_vectors::g711::Law::Pcmu;
            out.push(Probe {
                id: format!("g711.transcode.{}", t.tc_id),
                title: t.comment.clone(),
                section: if pcmu {
                    "ITU-T G.711 Table 3".into()
                } else {
                    "ITU-T G.711 Table 4".into()
                },
                requirement: format!("{} ({}: {})", file.header[0], g.comment, t.comment),
                sends: format!("the codes {}", t.input),
                expects: format!("the codes {}", t.output),
                op: Op::G711Transcode,
                request: fields(json!({
                    "from": law_name(pcmu),
                    "to": law_name(!pcmu),
                    "bytes_b64": b64(&t.input_bytes()),
                })),
                expect: Expect::Codes(t.output_bytes()),
            });
        }
    }
    out
}
