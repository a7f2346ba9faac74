//! Framing requirements Autobahn does not test. Autobahn's client always masks
//! correctly and never sends certain malformed shapes; these cases do.

use super::engine::{CloseExpect, Event, Expect, Script, Step};
use super::{Def, Source};
use crate::verdict::Closer;
use crate::wire::frame::{opcode, Frame};

const ORIGIN: &str = "conformance/src/cases/framing/extra.rs";

const R_UNMASKED: &str = "The server MUST close the connection upon receiving a frame that is not masked.  In this \
case, a server MAY send a Close frame with a status code of 1002 (protocol error) as defined in Section 7.4.1.";
const R_SERVER_MASK: &str =
    "A server MUST NOT mask any frames that it sends to the client.  A client MUST close a \
connection if it detects a masked frame.";
const R_CLOSE_BODY: &str =
    "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer (in \
network byte order) representing a status code with value /code/ defined in Section 7.4.";
const R_LENGTH_MSB: &str =
    "If 127, the following 8 bytes interpreted as a 64-bit unsigned integer (the most \
significant bit MUST be 0) are the payload length.";
const R_CONTROL: &str = "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented.";
const R_1015: &str =
    "1015 is a reserved value and MUST NOT be set as a status code in a Close control frame by an \
endpoint.";
const R_RSV: &str = "RSV1, RSV2, RSV3:  1 bit each  MUST be 0 unless an extension is negotiated that defines meanings \
for non-zero values.  If a nonzero value is received and none of the negotiated extensions defines the meaning of such a \
nonzero value, the receiving endpoint MUST _Fail the WebSocket Connection_.";
const R_MASK_KEY: &str = "The masking key is a 32-bit value chosen at random by the client. [...] The unpredictability \
of the masking key is essential to prevent authors of malicious applications from selecting the bytes that appear on \
the wire.";
const R_OPCODE: &str = "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_.";

fn def(
    name: &str,
    title: &str,
    section: &'static str,
    requirement: &'static str,
    expects: &str,
    steps: Vec<Step>,
    expect: Expect,
) -> Def {
    Def {
        id: format!("framing.extra.{name}"),
        autobahn: None,
        title: title.into(),
        section,
        requirement,
        sends: title.into(),
        expects: expects.into(),
        min_timeout: None,
        origin: ORIGIN,
        script: Source::Ready(Script { steps, expect }),
    }
}

/// Frames the engine sends as they are (it masks only frames without a key),
/// so an unmasked frame is written as raw bytes.
fn unmasked(frame: Frame) -> Step {
    Step::Raw(frame.encode())
}

/// Failing with 1002 is required; closing without a close frame is NON-STRICT.
fn fail_1002() -> Expect {
    Expect::ok(
        vec![],
        CloseExpect {
            code_required: true,
            ..CloseExpect::fail(1002)
        },
    )
}

pub fn defs() -> Vec<Def> {
    let hello = b"Hello, world!".to_vec();
    vec![
        def("unmasked-text", "unmasked text frame from the client", "RFC 6455 §5.1", R_UNMASKED, "the connection failed (1002), no echo", vec![unmasked(Frame::new(opcode::TEXT, hello.clone()))], fail_1002()),
        def("unmasked-binary", "unmasked binary frame from the client", "RFC 6455 §5.1", R_UNMASKED, "the connection failed (1002), no echo", vec![unmasked(Frame::new(opcode::BINARY, vec![0xfe; 16]))], fail_1002()),
        def("unmasked-ping", "unmasked ping from the client", "RFC 6455 §5.1", R_UNMASKED, "the connection failed (1002), no pong", vec![unmasked(Frame::new(opcode::PING, b"ping".to_vec()))], fail_1002()),
        def(
            "unmasked-after-masked",
            "a masked text message, then an unmasked one",
            "RFC 6455 §5.1",
            R_UNMASKED,
            "the first message echoed, then the connection failed (1002)",
            vec![Step::Frames(vec![Frame::new(opcode::TEXT, hello.clone())]), unmasked(Frame::new(opcode::TEXT, hello.clone()))],
            // As Autobahn's 3.2: failing before echoing the valid message is NON-STRICT.
            Expect::ok(vec![Event::text(&hello)], CloseExpect { code_required: true, ..CloseExpect::fail(1002) }).non_strict(vec![]),
        ),
        def(
            "server-frames-unmasked",
            "text and binary messages and a ping; every frame the server sends is checked for a mask",
            "RFC 6455 §5.1",
            R_SERVER_MASK,
            "echoes and a pong, all unmasked, then a clean close",
            vec![Step::Frames(vec![Frame::new(opcode::TEXT, hello.clone()), Frame::new(opcode::BINARY, vec![1, 2, 3]), Frame::new(opcode::PING, b"p".to_vec())])],
            {
                // The pong may overtake the echoes (RFC 6455 §5.5.2: "as soon as is practical").
                let (t, b, p) = (Event::text(&hello), Event::binary([1, 2, 3]), Event::pong("p"));
                let mut e = Expect::ok(vec![t.clone(), b.clone(), p.clone()], CloseExpect::normal());
                e.ok.push(vec![t.clone(), p.clone(), b.clone()]);
                e.ok.push(vec![p, t, b]);
                e
            },
        ),
        def(
            "close-1-byte-payload",
            "close frame with a 1-byte payload, answered as a protocol error",
            "RFC 6455 §5.5.1",
            R_CLOSE_BODY,
            "a close frame with 1002 (Autobahn 7.3.2 also accepts no code or a dropped connection)",
            vec![Step::Close(Frame::new(opcode::CLOSE, b"a".to_vec()))],
            Expect::ok(vec![], CloseExpect { by: Closer::Suite, codes: vec![1002], require_clean: false, wrong_code_fails: true, code_required: true }),
        ),
        def("length-msb-set", "frame whose 64-bit payload length has the most significant bit set", "RFC 6455 §5.2", R_LENGTH_MSB, "the connection failed (1002)", vec![Step::Raw({
            // 0x81 0xFF + 8-byte length 0x8000…0005 + mask + 5 bytes.
            let mut b = vec![0x81, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 5, 0x37, 0xfa, 0x21, 0x3d];
            b.extend(b"Hello".iter().zip([0x37u8, 0xfa, 0x21, 0x3d, 0x37]).map(|(x, k)| x ^ k));
            b
        })], Expect::ok(vec![], CloseExpect { codes: vec![1002, 1009], ..CloseExpect::fail(1002) })),
        def(
            "fragmented-close",
            "close frame with FIN = 0, then a continuation",
            "RFC 6455 §5.5",
            R_CONTROL,
            "the connection failed (1002)",
            vec![Step::Frames(vec![Frame::close(Some(1000), b"").fin(false), Frame::new(opcode::CONTINUATION, b"x".to_vec())])],
            Expect::ok(vec![], CloseExpect::fail(1002)),
        ),
        def("close-code-1015", "close with the reserved code 1015", "RFC 6455 §7.4.1", R_1015, "a close with 1002, or TCP dropped", vec![Step::Close(Frame::close(Some(1015), b""))], Expect::ok(vec![], CloseExpect { by: Closer::Suite, codes: vec![1002], require_clean: false, wrong_code_fails: true, code_required: false })),
        def(
            "rsv1-on-continuation",
            "text message in 2 fragments, the continuation with RSV1 set",
            "RFC 6455 §5.2",
            R_RSV,
            "the connection failed (1002), no echo",
            vec![Step::Frames(vec![Frame::new(opcode::TEXT, b"fragment1".to_vec()).fin(false), Frame::new(opcode::CONTINUATION, b"fragment2".to_vec()).rsv(0b100)])],
            Expect::ok(vec![], CloseExpect::fail(1002)),
        ),
        def(
            "reserved-opcode-inside-message",
            "first fragment of a text message, a frame with reserved opcode 3, then the last fragment",
            "RFC 6455 §5.2",
            R_OPCODE,
            "the connection failed (1002), no echo",
            vec![Step::Frames(vec![Frame::new(opcode::TEXT, b"fragment1".to_vec()).fin(false), Frame::new(3, b"x".to_vec()), Frame::new(opcode::CONTINUATION, b"fragment2".to_vec())])],
            Expect::ok(vec![], CloseExpect::fail(1002)),
        ),
        def(
            "zero-mask-key",
            "text message masked with the key 00 00 00 00 (a masked frame whose bytes look unmasked)",
            "RFC 6455 §5.3",
            R_MASK_KEY,
            "the message echoed, then a clean close",
            vec![Step::Frames(vec![Frame::new(opcode::TEXT, hello.clone()).masked([0, 0, 0, 0])])],
            Expect::ok(vec![Event::text(&hello)], CloseExpect::normal()),
        ),
    ]
}
