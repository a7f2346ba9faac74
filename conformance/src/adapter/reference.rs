//! The reference implementation answering the adapter protocol, in process and in `adapters/rust`
//! ([docs/adapters.md](../../../docs/adapters.md#the-rust-adapter)).

use super::protocol::{b64, Op, PROTOCOL};
use base64::Engine;
use serde_json::{json, Map, Value};
use voxproof_reference::auth::{verify, verify_jws, Policy, PolicyError};
use voxproof_reference::g711::Codec;
use voxproof_reference::handshake::client::{validate_response, ClientRequest, ResponseParse};
use voxproof_reference::handshake::{
    accept_for, decode_key, parse_request, respond, Limits, Parsed, ServerConfig,
};

/// The answer to `hello`.
pub fn hello() -> Value {
    json!({
        "protocol": PROTOCOL,
        "ops": Op::ALL.iter().map(|o| o.name()).collect::<Vec<_>>(),
        "name": "voxproof-reference",
        "version": env!("CARGO_PKG_VERSION"),
    })
}

/// The answer to one request line (with its `id` echoed).
pub fn answer_line(line: &str) -> String {
    let request: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return json!({"error": format!("request is not JSON: {e}")}).to_string(),
    };
    let mut out = match request.get("op").and_then(Value::as_str) {
        Some("hello") => hello(),
        _ => answer(&request),
    };
    if let (Some(id), Some(o)) = (request.get("id"), out.as_object_mut()) {
        o.insert("id".into(), id.clone());
    }
    out.to_string()
}

/// The answer's fields for one request.
pub fn answer(request: &Value) -> Value {
    let op = request
        .get("op")
        .and_then(Value::as_str)
        .and_then(Op::from_name);
    let result = match op {
        Some(Op::AcceptCompute) => accept(request),
        Some(Op::HandshakeParseRequest) => server_handshake(request),
        Some(Op::HandshakeValidateResponse) => client_handshake(request),
        Some(Op::FrameDecode) => frame_decode(request),
        Some(Op::JwtVerify) => jwt_verify(request),
        Some(Op::G711Encode) => g711_encode(request),
        Some(Op::G711Decode) => g711_decode(request),
        Some(Op::G711Transcode) => g711_transcode(request),
        None => return json!({"error": "unsupported"}),
    };
    result.unwrap_or_else(|e| json!({"error": e}))
}

fn text<'a>(r: &'a Value, name: &str) -> Result<&'a str, String> {
    r.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("request has no string \"{name}\""))
}

fn bytes(r: &Value, name: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD
        .decode(text(r, name)?)
        .map_err(|_| format!("\"{name}\" is not base64"))
}

fn strings(r: &Value, name: &str) -> Vec<String> {
    r.get(name)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn accept(r: &Value) -> Result<Value, String> {
    let key = text(r, "key")?;
    Ok(match decode_key(key) {
        Ok(_) => json!({"result": "accept", "accept": accept_for(key)}),
        Err(e) => json!({"result": "reject", "reason": e.to_string()}),
    })
}

fn server_handshake(r: &Value) -> Result<Value, String> {
    let buf = bytes(r, "request_b64")?;
    let config = ServerConfig {
        protocols: strings(r, "protocols"),
        limits: Limits::default(),
    };
    let response = match parse_request(&buf, &config.limits) {
        Ok(Parsed::Complete { request, .. }) => match respond(&request, &config) {
            Ok(a) => a.response,
            Err(rejection) => rejection.response(),
        },
        Ok(Parsed::Partial) => return Ok(json!({"error": "the request is incomplete"})),
        Err(rejection) => rejection.response(),
    };
    let headers: Vec<[String; 2]> = response
        .headers
        .iter()
        .map(|(n, v)| [n.clone(), v.clone()])
        .collect();
    Ok(json!({"status": response.status, "headers": headers}))
}

fn client_handshake(r: &Value) -> Result<Value, String> {
    let mut req = ClientRequest::new(
        r.get("host").and_then(Value::as_str).unwrap_or("localhost"),
        r.get("resource").and_then(Value::as_str).unwrap_or("/"),
        text(r, "key")?,
    );
    req.protocols = strings(r, "protocols");
    req.extensions = strings(r, "extensions");
    Ok(match validate_response(&bytes(r, "response_b64")?, &req) {
        Ok(ResponseParse::Complete(e)) => json!({"result": "accept", "protocol": e.protocol}),
        Ok(ResponseParse::Partial) => {
            json!({"result": "reject", "reason": "the response is incomplete"})
        }
        Err(e) => json!({"result": "reject", "reason": e.to_string()}),
    })
}

/// The client's bytes through tungstenite as the reference server reads
/// them, with the reference's close codes for its errors.
fn frame_decode(r: &Value) -> Result<Value, String> {
    use tungstenite::protocol::frame::coding::CloseCode;
    use tungstenite::protocol::{Role, WebSocket};
    use tungstenite::Message;
    let input = bytes(r, "bytes_b64")?;
    let stream = Pipe {
        input: std::io::Cursor::new(input),
    };
    let mut ws = WebSocket::from_raw_socket(stream, Role::Server, None);
    let mut events = Vec::new();
    let fail = loop {
        match ws.read() {
            Ok(Message::Text(t)) => {
                events.push(json!({"type": "text", "data_b64": b64(t.as_bytes())}))
            }
            Ok(Message::Binary(b)) => events.push(json!({"type": "binary", "data_b64": b64(&b)})),
            Ok(Message::Ping(p)) => events.push(json!({"type": "ping", "data_b64": b64(&p)})),
            Ok(Message::Pong(p)) => events.push(json!({"type": "pong", "data_b64": b64(&p)})),
            Ok(Message::Close(c)) => {
                // tungstenite answers a close code that may not be sent with
                // 1002 and hands over that answer in place of the peer's
                // frame: that answer is the failure.
                if let Some(c) = &c {
                    if c.code == CloseCode::Protocol && c.reason.as_str() == "Protocol violation" {
                        break Some(json!({"code": 1002, "reason": "close code not allowed"}));
                    }
                }
                let mut e = Map::new();
                e.insert("type".into(), json!("close"));
                if let Some(c) = c {
                    e.insert("code".into(), json!(u16::from(c.code)));
                    e.insert("data_b64".into(), json!(b64(c.reason.as_bytes())));
                }
                events.push(Value::Object(e));
                break None;
            }
            Ok(Message::Frame(_)) => {}
            // The input ran out: the connection is not failed for that.
            Err(tungstenite::Error::Protocol(
                tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
            ))
            | Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                break None
            }
            Err(e) => {
                break voxproof_reference::server::close::code_for(&e)
                    .map(|code| json!({"code": code, "reason": e.to_string()}))
            }
        }
    };
    Ok(json!({"events": events, "fail": fail}))
}

/// The input to read, and a sink for what tungstenite writes back (pongs, a close).
struct Pipe {
    input: std::io::Cursor<Vec<u8>>,
}

impl std::io::Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.input.read(buf)
    }
}

impl std::io::Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn jwt_verify(r: &Value) -> Result<Value, String> {
    let token = text(r, "token")?;
    let algs = strings(r, "algorithms");
    let algs: Vec<&str> = algs.iter().map(String::as_str).collect();
    let policy = match r.get("key_pem").and_then(Value::as_str) {
        Some(pem) => Policy::public_key_pem(pem.as_bytes(), &algs),
        None => Policy::jwks(
            &r.get("key").cloned().unwrap_or(Value::Null).to_string(),
            &algs,
        ),
    };
    let mut policy = match policy {
        Ok(p) => p,
        Err(PolicyError::UnsupportedAlgorithm(a)) => {
            return Ok(json!({"error": "unsupported", "detail": format!("algorithm {a}")}))
        }
        Err(e) => return Err(format!("cannot configure the verifier: {e}")),
    };
    let validation = r.get("validation").filter(|v| !v.is_null());
    if let Some(v) = validation {
        policy = policy
            .leeway(v.get("leeway").and_then(Value::as_u64).unwrap_or(0))
            .require(strings(v, "required"));
        if v.get("aud").is_some_and(|a| !a.is_null()) {
            policy = policy.audience(strings(v, "aud"));
        }
        if let Some(iss) = v.get("iss").and_then(Value::as_str) {
            policy = policy.issuer(iss);
        }
    }
    if r.get("kind").and_then(Value::as_str) == Some("jws") {
        return Ok(match verify_jws(token, &policy) {
            Ok(jws) => json!({"result": "valid", "payload_b64": b64(&jws.payload)}),
            Err(e) => json!({"result": "invalid", "error": e.code(), "detail": e.to_string()}),
        });
    }
    let now = validation
        .and_then(|v| v.get("now"))
        .and_then(Value::as_u64)
        .unwrap_or(0);
    Ok(match verify(token, &policy, now) {
        Ok(c) => json!({"result": "valid", "claims": Value::Object(c.into_map())}),
        Err(e) => json!({"result": "invalid", "error": e.code(), "detail": e.to_string()}),
    })
}

fn codec(name: &str) -> Result<Codec, String> {
    match name {
        "mu" => Ok(Codec::Pcmu),
        "a" => Ok(Codec::Pcma),
        other => Err(format!("law \"{other}\" is not mu or a")),
    }
}

fn g711_encode(r: &Value) -> Result<Value, String> {
    let law = codec(text(r, "law")?)?;
    let samples = r
        .get("samples")
        .and_then(Value::as_array)
        .ok_or("request has no \"samples\" list")?
        .iter()
        .map(|s| s.as_i64().and_then(|s| i16::try_from(s).ok()))
        .collect::<Option<Vec<i16>>>()
        .ok_or("a sample is not a 16-bit integer")?;
    Ok(json!({"bytes_b64": b64(&law.encode_vec(&samples))}))
}

fn g711_decode(r: &Value) -> Result<Value, String> {
    let law = codec(text(r, "law")?)?;
    Ok(json!({"samples": law.decode_vec(&bytes(r, "bytes_b64")?)}))
}

fn g711_transcode(r: &Value) -> Result<Value, String> {
    use voxproof_reference::g711::transcode::{alaw_to_ulaw_vec, ulaw_to_alaw_vec};
    let input = bytes(r, "bytes_b64")?;
    let out = match (codec(text(r, "from")?)?, codec(text(r, "to")?)?) {
        (Codec::Pcmu, Codec::Pcma) => ulaw_to_alaw_vec(&input),
        (Codec::Pcma, Codec::Pcmu) => alaw_to_ulaw_vec(&input),
        _ => input,
    };
    Ok(json!({"bytes_b64": b64(&out)}))
}
