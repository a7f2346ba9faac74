//! The adapter protocol as values: requests out, answers parsed and judged against a vector's
//! expectation ([docs/adapters.md](../../../docs/adapters.md#verdicts)).

use crate::cases::handshake::expect;
use crate::target::{HttpAnswer, ReadEnd};
use crate::verdict::Outcome;
use crate::wire::http::HttpResponse;
use base64::Engine;
use serde_json::{json, Map, Value};
use voxproof_vectors::{Expected, ServerTest};

/// The protocol version this runner speaks.
pub const PROTOCOL: u64 = 1;

/// Longest answer line read; a longer one is an ERROR, not a memory hog.
pub const MAX_LINE: usize = 16 << 20;

/// Every operation an adapter may implement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    AcceptCompute,
    HandshakeParseRequest,
    HandshakeValidateResponse,
    FrameDecode,
    JwtVerify,
    G711Encode,
    G711Decode,
    G711Transcode,
}

impl Op {
    pub const ALL: [Op; 8] = [
        Op::AcceptCompute,
        Op::HandshakeParseRequest,
        Op::HandshakeValidateResponse,
        Op::FrameDecode,
        Op::JwtVerify,
        Op::G711Encode,
        Op::G711Decode,
        Op::G711Transcode,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Op::AcceptCompute => "accept.compute",
            Op::HandshakeParseRequest => "handshake.parse_request",
            Op::HandshakeValidateResponse => "handshake.validate_response",
            Op::FrameDecode => "frame.decode",
            Op::JwtVerify => "jwt.verify",
            Op::G711Encode => "g711.encode",
            Op::G711Decode => "g711.decode",
            Op::G711Transcode => "g711.transcode",
        }
    }

    pub fn from_name(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.name() == name)
    }
}

/// A frame-level reply an echo server owes (`replies` of frames/client.json).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// "text", "binary" or "pong".
    pub kind: String,
    pub payload: Vec<u8>,
}

/// What the standard says the answer is, taken from a vector (or fixed by
/// construction for a generated input).
#[derive(Debug, Clone)]
pub enum Expect {
    Accept {
        result: Expected,
        accept: Option<String>,
    },
    /// The server vector, judged as `voxproof run` judges a live server.
    ServerHandshake(Box<ServerTest>),
    ClientHandshake {
        result: Expected,
        /// For valid tests: the subprotocol in use (`None`: not checked).
        protocol: Option<Option<String>>,
    },
    Frames {
        result: Expected,
        replies: Vec<Reply>,
        close_codes: Vec<u16>,
    },
    Jwt {
        result: Expected,
        error: Option<String>,
        claims: Option<Value>,
        payload: Option<String>,
    },
    /// G.711 codes (encode, transcode).
    Codes(Vec<u8>),
    /// Linear samples (decode).
    Samples(Vec<i16>),
}

/// One question for an adapter: the case it reports as, the request's
/// fields (without `id` and `op`) and the expected answer.
#[derive(Debug, Clone)]
pub struct Probe {
    pub id: String,
    pub title: String,
    /// The rule's citation (`RFC 6455 §5.2`, `ITU-T G.711 Table 2`, a vector file and tcId).
    pub section: String,
    /// The rule's text (the vector's requirement or comment).
    pub requirement: String,
    pub sends: String,
    pub expects: String,
    pub op: Op,
    pub request: Map<String, Value>,
    pub expect: Expect,
}

/// `{"op":"hello","protocol":1}`.
pub fn hello_request() -> String {
    json!({"op": "hello", "protocol": PROTOCOL}).to_string()
}

/// What an adapter says of itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    pub ops: Vec<String>,
    pub name: String,
    pub version: String,
}

impl Hello {
    pub fn supports(&self, op: Op) -> bool {
        self.ops.iter().any(|o| o == op.name())
    }
}

/// The answer to `hello`, or why it is not one.
pub fn parse_hello(line: &str) -> Result<Hello, String> {
    let v: Value = serde_json::from_str(line.trim())
        .map_err(|e| format!("the answer to hello is not JSON ({e}): {}", clip(line)))?;
    let obj = v
        .as_object()
        .ok_or_else(|| format!("the answer to hello is not an object: {}", clip(line)))?;
    match obj.get("protocol").and_then(Value::as_u64) {
        Some(PROTOCOL) => {}
        Some(p) => {
            return Err(format!(
                "the adapter speaks protocol {p}; this runner speaks {PROTOCOL}"
            ))
        }
        None => return Err("the answer to hello has no \"protocol\" number".into()),
    }
    let ops = obj
        .get("ops")
        .and_then(Value::as_array)
        .ok_or("the answer to hello has no \"ops\" list")?;
    let ops = ops
        .iter()
        .map(|o| o.as_str().map(str::to_string))
        .collect::<Option<Vec<_>>>()
        .ok_or("\"ops\" in the answer to hello is not a list of strings")?;
    let text = |k: &str| obj.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    Ok(Hello {
        ops,
        name: text("name"),
        version: text("version"),
    })
}

/// The request line for `probe`, numbered `id`.
pub fn request_line(id: u64, probe: &Probe) -> String {
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    m.insert("op".into(), json!(probe.op.name()));
    for (k, v) in &probe.request {
        m.insert(k.clone(), v.clone());
    }
    Value::Object(m).to_string()
}

/// What a well-formed answer line said.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// `{"error":"unsupported"}`: this op or this input is not implemented.
    Unsupported(String),
    /// `{"error":"…"}` otherwise: the adapter failed on this input.
    Failed(String),
    /// The op's fields.
    Fields(Map<String, Value>),
}

/// Parse an answer line to request `id`; `Err` says why it is no answer.
pub fn parse_answer(line: &str, id: u64) -> Result<Answer, String> {
    let v: Value = serde_json::from_str(&lone_surrogates_replaced(line.trim()))
        .map_err(|_| format!("not JSON: {}", clip(line)))?;
    let Value::Object(mut obj) = v else {
        return Err(format!("not a JSON object: {}", clip(line)));
    };
    match obj.remove("id") {
        Some(Value::Number(n)) if n.as_u64() == Some(id) => {}
        Some(other) => return Err(format!("answers id {other}, the request was {id}")),
        None => return Err(format!("no \"id\": {}", clip(line))),
    }
    // An error answer carries nothing but the error (and a detail); a
    // jwt.verify answer names its `result` beside its own `error`.
    if !obj.contains_key("result") {
        if let Some(e) = obj.get("error") {
            let e = e
                .as_str()
                .ok_or_else(|| format!("\"error\" is not a string: {}", clip(line)))?;
            let detail = obj
                .get("detail")
                .and_then(Value::as_str)
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            return Ok(if e == "unsupported" {
                Answer::Unsupported(clip(&format!(
                    "the adapter does not support this input{detail}"
                )))
            } else {
                Answer::Failed(clip(&format!("the adapter failed: {e}{detail}")))
            });
        }
    }
    Ok(Answer::Fields(obj))
}

/// `line` with each `\uD800`–`\uDFFF` escape that is not half of a pair
/// replaced by `\uFFFD`: RFC 8259 §8.2 lets JSON carry such escapes (Python
/// and JavaScript write them for a token's lone surrogate), and the parser
/// here takes only Unicode text.
pub fn lone_surrogates_replaced(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains("\\u") {
        return std::borrow::Cow::Borrowed(line);
    }
    let b = line.as_bytes();
    let unit = |at: usize| -> Option<u16> {
        if b.get(at) == Some(&b'\\') && b.get(at + 1) == Some(&b'u') {
            let hex = line.get(at + 2..at + 6)?;
            u16::from_str_radix(hex, 16).ok()
        } else {
            None
        }
    };
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            match unit(i) {
                Some(0xd800..=0xdbff) if matches!(unit(i + 6), Some(0xdc00..=0xdfff)) => {
                    out.push_str(&line[i..i + 12]);
                    i += 12;
                }
                Some(0xd800..=0xdfff) => {
                    out.push_str("\\ufffd");
                    i += 6;
                }
                _ => {
                    // Any other escape: the backslash and the character after
                    // it (whole, whatever its length), so `\\` is not read
                    // as the start of another escape.
                    out.push('\\');
                    i += 1;
                    if let Some(ch) = line[i..].chars().next() {
                        out.push(ch);
                        i += ch.len_utf8();
                    }
                }
            }
        } else {
            let ch = line[i..].chars().next().unwrap_or('\0');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    std::borrow::Cow::Owned(out)
}

/// JSON values equal as JSON means them: numbers by value (RFC 8259 §6:
/// `1` and `1.0` are one number), objects whatever their key order.
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        // Equal as written, or as the binary64 numbers RFC 8259 §6 calls
        // interoperable (beyond 2^53 a JavaScript verifier holds no more).
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_eq(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// The verdict for one answer line (or the reason there is none).
pub fn decide(probe: &Probe, id: u64, line: Result<&str, String>) -> Outcome {
    let line = match line {
        Ok(l) => l,
        Err(why) => return Outcome::error(why),
    };
    match parse_answer(line, id) {
        Err(why) => Outcome::error(format!("malformed answer: {why}")),
        Ok(Answer::Unsupported(why)) => Outcome::unimplemented(why),
        Ok(Answer::Failed(why)) => Outcome::error(why),
        Ok(Answer::Fields(f)) => judge(&probe.expect, &f)
            .unwrap_or_else(|why| Outcome::error(format!("malformed answer: {why}"))),
    }
}

/// Judge an answer's fields against the expectation; `Err` when the fields
/// are not the op's answer.
pub fn judge(expect: &Expect, f: &Map<String, Value>) -> Result<Outcome, String> {
    match expect {
        Expect::Accept { result, accept } => judge_accept(*result, accept.as_deref(), f),
        Expect::ServerHandshake(t) => judge_server(t, f),
        Expect::ClientHandshake { result, protocol } => judge_client(*result, protocol, f),
        Expect::Frames {
            result,
            replies,
            close_codes,
        } => judge_frames(*result, replies, close_codes, f),
        Expect::Jwt {
            result,
            error,
            claims,
            payload,
        } => judge_jwt(
            *result,
            error.as_deref(),
            claims.as_ref(),
            payload.as_deref(),
            f,
        ),
        Expect::Codes(want) => {
            let got = bytes(f, "bytes_b64")?;
            Ok(compare_seq(want, &got, |c| format!("{c:02x}")))
        }
        Expect::Samples(want) => {
            let got = samples(f)?;
            Ok(compare_seq(want, &got, |s| s.to_string()))
        }
    }
}

fn judge_accept(
    result: Expected,
    want: Option<&str>,
    f: &Map<String, Value>,
) -> Result<Outcome, String> {
    let verdict = str_field(f, "result")?;
    match (verdict, result) {
        ("accept", Expected::Invalid) => Ok(Outcome::failed(
            "computed an accept for a key that must be refused",
        )),
        ("accept", _) => {
            let got = str_field(f, "accept")?;
            match want {
                Some(w) if w == got => Ok(Outcome::ok(format!("accept {got}"))),
                Some(w) => Ok(Outcome::failed(format!("accept {got}, expected {w}"))),
                None => Ok(Outcome::ok(format!("accept {got}"))),
            }
        }
        ("reject", Expected::Valid) => {
            Ok(Outcome::failed(format!("refused a valid key{}", reason(f))))
        }
        ("reject", _) => Ok(Outcome::ok(format!("refused{}", reason(f)))),
        (other, _) => Err(format!(
            "\"result\" is \"{}\", not accept or reject",
            clip(other)
        )),
    }
}

fn reason(f: &Map<String, Value>) -> String {
    f.get("reason")
        .and_then(Value::as_str)
        .map(|r| format!(": {}", clip(r)))
        .unwrap_or_default()
}

/// A server's answer: `status` and `headers` as `[name, value]` pairs,
/// judged exactly as a live target's response is.
fn judge_server(t: &ServerTest, f: &Map<String, Value>) -> Result<Outcome, String> {
    // `"status": null`: the server closes the connection without a response.
    if f.get("status").is_some_and(Value::is_null) {
        return Ok(expect::judge(
            t,
            &HttpAnswer::NoResponse(ReadEnd::Closed, 0),
        ));
    }
    let status = f
        .get("status")
        .and_then(Value::as_u64)
        .filter(|s| (100..=999).contains(s))
        .ok_or("\"status\" is not an HTTP status code")? as u16;
    let headers = f
        .get("headers")
        .and_then(Value::as_array)
        .ok_or("\"headers\" is not a list")?
        .iter()
        .map(|h| match h.as_array().map(Vec::as_slice) {
            Some([Value::String(n), Value::String(v)]) => {
                Ok((n.clone(), voxproof_vectors::octets(v)))
            }
            _ => Err(format!("a header is not [name, value]: {h}")),
        })
        .collect::<Result<Vec<_>, String>>()?;
    let resp = HttpResponse {
        minor_version: 1,
        status,
        reason: String::new(),
        headers,
        header_len: 0,
    };
    Ok(expect::judge(t, &HttpAnswer::Response(resp)))
}

fn judge_client(
    result: Expected,
    protocol: &Option<Option<String>>,
    f: &Map<String, Value>,
) -> Result<Outcome, String> {
    match (str_field(f, "result")?, result) {
        ("accept", Expected::Invalid) => Ok(Outcome::failed(
            "established the connection on a response it must refuse",
        )),
        ("accept", _) => {
            let got = match f.get("protocol") {
                None | Some(Value::Null) => None,
                Some(Value::String(p)) => Some(p.clone()),
                Some(other) => {
                    return Err(format!("\"protocol\" is {other}, not a string or null"))
                }
            };
            match protocol {
                Some(want) if *want != got => Ok(Outcome::failed(format!(
                    "established with subprotocol {}, expected {}",
                    got.as_deref().unwrap_or("none"),
                    want.as_deref().unwrap_or("none")
                ))),
                _ => Ok(Outcome::ok(format!(
                    "established (subprotocol {})",
                    got.as_deref().unwrap_or("none")
                ))),
            }
        }
        ("reject", Expected::Valid) => Ok(Outcome::failed(format!(
            "refused a valid response{}",
            reason(f)
        ))),
        ("reject", _) => Ok(Outcome::ok(format!("refused{}", reason(f)))),
        (other, _) => Err(format!(
            "\"result\" is \"{}\", not accept or reject",
            clip(other)
        )),
    }
}

/// What a receiver delivered: `events` in order, and `fail` (the close code
/// it fails the connection with, or null when it does not).
fn judge_frames(
    result: Expected,
    replies: &[Reply],
    close_codes: &[u16],
    f: &Map<String, Value>,
) -> Result<Outcome, String> {
    let events = f
        .get("events")
        .and_then(Value::as_array)
        .ok_or("\"events\" is not a list")?;
    let mut owed = Vec::new();
    for e in events {
        let e = e.as_object().ok_or("an event is not an object")?;
        let kind = str_field(e, "type")?;
        let data = match e.get("data_b64") {
            Some(_) => bytes(e, "data_b64")?,
            None => Vec::new(),
        };
        match kind {
            "text" | "binary" => owed.push(Reply {
                kind: kind.into(),
                payload: data,
            }),
            "ping" => owed.push(Reply {
                kind: "pong".into(),
                payload: data,
            }),
            "pong" | "close" => {}
            other => {
                return Err(format!(
                    "event type \"{}\" is not text, binary, ping, pong or close",
                    clip(other)
                ))
            }
        }
    }
    let fail = match f.get("fail") {
        None | Some(Value::Null) => None,
        Some(Value::Object(o)) => Some(match o.get("code") {
            None | Some(Value::Null) => None,
            Some(c) => Some(
                c.as_u64()
                    .filter(|c| *c <= u64::from(u16::MAX))
                    .ok_or("\"fail.code\" is not a close code")? as u16,
            ),
        }),
        Some(_) => return Err("\"fail\" is neither null nor an object".into()),
    };
    let expected_codes = || {
        close_codes
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(" or ")
    };
    match (fail, result) {
        (None, Expected::Invalid) => Ok(Outcome::failed(format!(
            "delivered the input without failing the connection (expected a close with {})",
            expected_codes()
        ))),
        (None, _) => {
            if owed == replies {
                Ok(Outcome::ok(format!(
                    "{} delivered as expected",
                    plural(owed.len(), "message")
                )))
            } else {
                Ok(Outcome::failed(format!(
                    "delivered {}, expected {}",
                    describe_replies(&owed),
                    describe_replies(replies)
                )))
            }
        }
        (Some(_), Expected::Valid) => Ok(Outcome::failed(format!(
            "failed the connection on valid input (expected {})",
            describe_replies(replies)
        ))),
        (Some(Some(code)), _) if close_codes.contains(&code) => {
            Ok(Outcome::ok(format!("failed the connection with {code}")))
        }
        (Some(code), _) if close_codes.is_empty() => Ok(Outcome::ok(format!(
            "failed the connection{}",
            code.map(|c| format!(" with {c}")).unwrap_or_default()
        ))),
        (Some(code), _) => Ok(Outcome::non_strict(format!(
            "failed the connection {}; RFC 6455 §7.4.1 gives {}",
            code.map_or("without a close code".to_string(), |c| format!("with {c}")),
            expected_codes()
        ))),
    }
}

fn describe_replies(r: &[Reply]) -> String {
    if r.is_empty() {
        return "nothing".into();
    }
    r.iter()
        .map(|r| format!("{} of {} bytes", r.kind, r.payload.len()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn judge_jwt(
    result: Expected,
    error: Option<&str>,
    claims: Option<&Value>,
    payload: Option<&str>,
    f: &Map<String, Value>,
) -> Result<Outcome, String> {
    match (str_field(f, "result")?, result) {
        ("valid", Expected::Invalid) => Ok(Outcome::failed(format!(
            "accepted an invalid token (expected {})",
            error.unwrap_or("a rejection")
        ))),
        ("valid", _) => {
            // Claims and payload are compared when the adapter returns them.
            if let (Some(want), Some(got)) = (claims, f.get("claims")) {
                if !json_eq(want, got) {
                    return Ok(Outcome::failed(format!(
                        "accepted, but returned the claims {}",
                        clip(&got.to_string())
                    )));
                }
            }
            if let (Some(want), Some(_)) = (payload, f.get("payload_b64")) {
                let got = bytes(f, "payload_b64")?;
                if got != want.as_bytes() {
                    return Ok(Outcome::failed(format!(
                        "accepted, but returned the payload {}",
                        clip(&String::from_utf8_lossy(&got))
                    )));
                }
            }
            Ok(Outcome::ok("accepted"))
        }
        ("invalid", Expected::Valid) => Ok(Outcome::failed(format!(
            "rejected a valid token{}",
            jwt_error(f).map(|e| format!(" ({e})")).unwrap_or_default()
        ))),
        ("invalid", _) => {
            let got = jwt_error(f);
            let known = got
                .as_deref()
                .filter(|e| voxproof_vectors::jwt::ERRORS.contains(e));
            match (known, error) {
                // Another stack may name its own errors: only the vocabulary's words are compared.
                (Some(g), Some(w)) if g != w => Ok(Outcome::non_strict(format!(
                    "rejected as {g}; the vector says {w}"
                ))),
                _ => Ok(Outcome::ok(format!(
                    "rejected{}",
                    got.map(|e| format!(": {e}")).unwrap_or_default()
                ))),
            }
        }
        (other, _) => Err(format!(
            "\"result\" is \"{}\", not valid or invalid",
            clip(other)
        )),
    }
}

fn jwt_error(f: &Map<String, Value>) -> Option<String> {
    f.get("error").and_then(Value::as_str).map(clip)
}

/// The first difference between two sequences, or OK.
fn compare_seq<T: PartialEq + Copy>(want: &[T], got: &[T], show: impl Fn(T) -> String) -> Outcome {
    if let Some(i) = (0..want.len().min(got.len())).find(|&i| want[i] != got[i]) {
        return Outcome::failed(format!(
            "item {i} is {}, expected {} ({} of {} differ)",
            show(got[i]),
            show(want[i]),
            want.iter().zip(got).filter(|(a, b)| a != b).count(),
            want.len()
        ));
    }
    if want.len() != got.len() {
        return Outcome::failed(format!("{} items, expected {}", got.len(), want.len()));
    }
    Outcome::ok(format!("all {} as expected", want.len()))
}

fn str_field<'a>(f: &'a Map<String, Value>, name: &str) -> Result<&'a str, String> {
    match f.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(format!(
            "\"{name}\" is {}, not a string",
            clip(&other.to_string())
        )),
        None => Err(format!("no \"{name}\"")),
    }
}

fn bytes(f: &Map<String, Value>, name: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD
        .decode(str_field(f, name)?)
        .map_err(|_| format!("\"{name}\" is not base64"))
}

fn samples(f: &Map<String, Value>) -> Result<Vec<i16>, String> {
    f.get("samples")
        .and_then(Value::as_array)
        .ok_or("\"samples\" is not a list")?
        .iter()
        .map(|s| {
            s.as_i64()
                .and_then(|s| i16::try_from(s).ok())
                .ok_or_else(|| format!("sample {s} is not a 16-bit integer"))
        })
        .collect()
}

/// Base64 of `b` (the protocol's bytes).
pub fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// At most 200 characters of `s`, on one line.
pub fn clip(s: &str) -> String {
    let one: String = s
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match one.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &one[..i]),
        None => one,
    }
}

#[cfg(test)]
mod tests {
    use super::{json_eq, lone_surrogates_replaced};
    use serde_json::json;

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        assert_eq!(
            lone_surrogates_replaced(r#"{"s":"\ud800"}"#),
            r#"{"s":"\ufffd"}"#
        );
        assert_eq!(
            lone_surrogates_replaced(r#"{"s":"\ud83d\ude00"}"#),
            r#"{"s":"\ud83d\ude00"}"#
        );
        assert_eq!(
            lone_surrogates_replaced(r#"{"s":"\\ud800é"}"#),
            r#"{"s":"\\ud800é"}"#
        );
        assert_eq!(
            lone_surrogates_replaced(r#"{"s":"\udc00\u0041"}"#),
            r#"{"s":"\ufffd\u0041"}"#
        );
        // An escape cut short by a character of several bytes.
        assert_eq!(lone_surrogates_replaced("\\ud8\u{ff}0"), "\\ud8\u{ff}0");
        assert_eq!(lone_surrogates_replaced("\\é\\"), "\\é\\");
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(json_eq(
            &json!({"exp": 1700086400.0}),
            &json!({"exp": 1700086400})
        ));
        assert!(!json_eq(
            &json!({"exp": 1700086400.5}),
            &json!({"exp": 1700086400})
        ));
        assert!(!json_eq(&json!([1, 2]), &json!([1])));
    }
}
