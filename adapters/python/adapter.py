#!/usr/bin/env python3
"""voxproof adapter (protocol 1, docs/adapters.md) for Python libraries.

jwt.verify through PyJWT, accept.compute, handshake.* and frame.decode through
websockets' sans-I/O protocol objects, g711.encode and g711.decode through
audioop (audioop-lts on 3.13+).
"""

import base64
import binascii
import codecs
import json
import sys
from datetime import datetime, timezone

import jwt
import jwt.api_jwt
import websockets
from websockets.client import ClientProtocol
from websockets.datastructures import Headers
from websockets.http11 import Request
from websockets.server import ServerProtocol
from websockets.uri import parse_uri

try:
    import audioop
except ImportError:  # Python 3.13 removed it; audioop-lts is the same module.
    audioop = None

OPS = [
    "accept.compute",
    "handshake.parse_request",
    "handshake.validate_response",
    "frame.decode",
    "jwt.verify",
]
if audioop is not None:
    # audioop has no G.711 Table 3/4 conversion: g711.transcode is not offered.
    OPS += ["g711.encode", "g711.decode"]


class Unsupported(Exception):
    pass


def b64(data):
    return base64.b64encode(data).decode("ascii")


def unb64(text):
    return base64.b64decode(text, validate=True)


# ---------------------------------------------------------------- handshake


def server(protocols):
    """A server speaking `protocols`: it selects one the client offers and,
    as the protocol asks, does not require one (websockets' default does)."""

    def select(_proto, offered):
        return next((p for p in protocols if p in offered), None)

    return ServerProtocol(subprotocols=protocols or None, select_subprotocol=select)


def server_answer(request, protocols):
    """websockets' answer to a parsed request: (status, header pairs)."""
    proto = server(protocols)
    response = proto.accept(request)
    return response.status_code, [list(kv) for kv in response.headers.raw_items()]


def accept_compute(req):
    # The server's own check of the key, on a request that is otherwise right.
    try:
        headers = Headers()
        headers["Host"] = "server.example.com"
        headers["Upgrade"] = "websocket"
        headers["Connection"] = "Upgrade"
        headers["Sec-WebSocket-Key"] = req["key"]
        headers["Sec-WebSocket-Version"] = "13"
        status, pairs = server_answer(Request("/chat", headers), [])
    except websockets.exceptions.InvalidHandshake as e:
        # A key no header can carry (a line break) is refused before any answer.
        return {"result": "reject", "reason": f"{type(e).__name__}: {e}"}
    if status != 101:
        return {"result": "reject", "reason": f"status {status}"}
    accept = [v for k, v in pairs if k.lower() == "sec-websocket-accept"]
    return {"result": "accept", "accept": accept[0] if accept else ""}


def parse_request(req):
    proto = server(req.get("protocols") or [])
    proto.receive_data(unb64(req["request_b64"]))
    events = proto.events_received()
    if events:
        proto.send_response(proto.accept(events[0]))
    raw = b"".join(proto.data_to_send())
    if not raw:
        # websockets closes without a response on a request it cannot parse.
        return {"status": None, "headers": []}
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split(" ")[1])
    headers = []
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers.append([name, value.strip()])
    return {"status": status, "headers": headers}


def validate_response(req):
    if req.get("extensions"):
        # websockets offers only the extensions it implements.
        raise Unsupported("offering arbitrary extensions")
    uri = parse_uri(f"ws://{req['host']}{req['resource']}")
    proto = ClientProtocol(uri, subprotocols=req.get("protocols") or None)
    proto.key = req["key"]
    proto.send_request(proto.connect())
    proto.receive_data(unb64(req["response_b64"]))
    proto.events_received()
    if proto.handshake_exc is None and proto.state.name == "OPEN":
        return {"result": "accept", "protocol": proto.subprotocol}
    reason = str(proto.handshake_exc) if proto.handshake_exc else f"state {proto.state.name}"
    return {"result": "reject", "reason": reason}


# ------------------------------------------------------------------- frames

BASELINE = (
    b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
    b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Sec-WebSocket-Version: 13\r\n\r\n"
)


def frame_decode(req):
    """A server's ServerProtocol, past the handshake, reading the client's
    frames. websockets' protocol yields frames; messages are put together
    and text decoded as its connections do (an incremental UTF-8 decoder;
    invalid UTF-8 fails the connection with 1007)."""
    from websockets.frames import Opcode

    proto = ServerProtocol()
    proto.receive_data(BASELINE)
    proto.send_response(proto.accept(proto.events_received()[0]))
    proto.data_to_send()
    proto.receive_data(unb64(req["bytes_b64"]))
    events, parts, kind, decoder = [], [], None, None
    fail = None
    for frame in proto.events_received():
        op = frame.opcode
        if op in (Opcode.TEXT, Opcode.BINARY, Opcode.CONT):
            if op is not Opcode.CONT:
                kind, parts = op, []
                decoder = codecs.getincrementaldecoder("utf-8")() if op is Opcode.TEXT else None
            parts.append(bytes(frame.data))
            if decoder is not None:
                try:
                    decoder.decode(bytes(frame.data), final=frame.fin)
                except UnicodeDecodeError as e:
                    fail = {"code": 1007, "reason": str(e)}
                    break
            if frame.fin:
                data = b"".join(parts)
                events.append({"type": "text" if kind is Opcode.TEXT else "binary", "data_b64": b64(data)})
        elif op is Opcode.PING:
            events.append({"type": "ping", "data_b64": b64(frame.data)})
        elif op is Opcode.PONG:
            events.append({"type": "pong", "data_b64": b64(frame.data)})
        elif op is Opcode.CLOSE:
            event = {"type": "close", "data_b64": b64(frame.data[2:])}
            if len(frame.data) >= 2:
                event["code"] = int.from_bytes(frame.data[:2], "big")
            events.append(event)
    if fail is None and proto.parser_exc is not None:
        code = proto.close_sent.code if proto.close_sent is not None else None
        fail = {"code": code, "reason": f"{type(proto.parser_exc).__name__}: {proto.parser_exc}"}
    return {"events": events, "fail": fail}


# ---------------------------------------------------------------------- jwt

PRIVATE = {"d", "p", "q", "dp", "dq", "qi", "oth"}

ERRORS = [
    (jwt.exceptions.ExpiredSignatureError, "expired"),
    (jwt.exceptions.ImmatureSignatureError, "not-yet-valid"),
    (jwt.exceptions.InvalidAudienceError, "wrong-audience"),
    (jwt.exceptions.InvalidIssuerError, "wrong-issuer"),
    (jwt.exceptions.MissingRequiredClaimError, "missing-claim"),
    (jwt.exceptions.InvalidSignatureError, "bad-signature"),
    (jwt.exceptions.InvalidAlgorithmError, "alg-not-allowed"),
]


class FrozenClock(datetime):
    """PyJWT reads the clock itself; the vectors fix it."""

    now_value = 0

    @classmethod
    def now(cls, tz=None):
        return datetime.fromtimestamp(cls.now_value, tz=timezone.utc)


jwt.api_jwt.datetime = FrozenClock


def public_jwk(jwk):
    return {k: v for k, v in jwk.items() if k not in PRIVATE}


def pick_key(req, token):
    """The verification key: the PEM text, the JWK, or the JWK of the set
    whose kid the token names (PyJWT has no JWK Set selection)."""
    if req.get("key_pem"):
        return req["key_pem"]
    key = req["key"]
    if "keys" in key:
        keys = key["keys"]
        kid = jwt.get_unverified_header(token).get("kid")
        if kid is not None:
            keys = [k for k in keys if k.get("kid") == kid]
        if len(keys) != 1:
            raise jwt.exceptions.InvalidKeyError("no single key for this token")
        key = keys[0]
    return jwt.PyJWK(public_jwk(key)).key


def jwt_verify(req):
    algorithms = req["algorithms"]
    if "none" in algorithms:
        raise Unsupported("algorithm none: PyJWT never verifies it")
    token = req["token"]
    try:
        key = pick_key(req, token)
        if req["kind"] == "jws":
            payload = jwt.api_jws.decode(token, key, algorithms=algorithms)
            return {"result": "valid", "payload_b64": b64(payload)}
        v = req["validation"] or {}
        FrozenClock.now_value = v.get("now", 0)
        claims = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            leeway=v.get("leeway", 0),
            audience=v.get("aud"),
            issuer=v.get("iss"),
            options={"require": v.get("required", [])},
        )
        return {"result": "valid", "claims": claims}
    except jwt.exceptions.PyJWTError as e:
        word = next((w for cls, w in ERRORS if isinstance(e, cls)), "malformed")
        return {"result": "invalid", "error": word, "detail": f"{type(e).__name__}: {e}"}
    except (ValueError, TypeError, binascii.Error) as e:
        return {"result": "invalid", "error": "malformed", "detail": f"{type(e).__name__}: {e}"}


# --------------------------------------------------------------------- g711


def law(name):
    if name not in ("mu", "a"):
        raise ValueError(f"law {name!r}")
    return name


def g711_encode(req):
    pcm = b"".join(s.to_bytes(2, "little", signed=True) for s in req["samples"])
    out = audioop.lin2ulaw(pcm, 2) if law(req["law"]) == "mu" else audioop.lin2alaw(pcm, 2)
    return {"bytes_b64": b64(out)}


def g711_decode(req):
    codes = unb64(req["bytes_b64"])
    pcm = audioop.ulaw2lin(codes, 2) if law(req["law"]) == "mu" else audioop.alaw2lin(codes, 2)
    samples = [int.from_bytes(pcm[i : i + 2], "little", signed=True) for i in range(0, len(pcm), 2)]
    return {"samples": samples}


HANDLERS = {
    "accept.compute": accept_compute,
    "handshake.parse_request": parse_request,
    "handshake.validate_response": validate_response,
    "frame.decode": frame_decode,
    "jwt.verify": jwt_verify,
    "g711.encode": g711_encode,
    "g711.decode": g711_decode,
}


def answer(req):
    op = req.get("op")
    if op == "hello":
        return {
            "protocol": 1,
            "ops": OPS,
            "name": "python: PyJWT, websockets, audioop",
            "version": f"PyJWT {jwt.__version__}, websockets {websockets.__version__}, Python {sys.version.split()[0]}",
        }
    handler = HANDLERS.get(op)
    if handler is None or op not in OPS:
        return {"error": "unsupported"}
    try:
        return handler(req)
    except Unsupported as e:
        return {"error": "unsupported", "detail": str(e)}
    except Exception as e:  # one input's failure is that case's ERROR, not the run's
        return {"error": f"{type(e).__name__}: {e}"}


def main():
    for line in sys.stdin:
        req = json.loads(line)
        out = answer(req)
        if "id" in req:
            out["id"] = req["id"]
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
