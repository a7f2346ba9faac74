//! Close codes by name (RFC 6455 §7.4.1 and the IANA registry, §11.7)
//! ([docs/framing.md](../../../docs/framing.md#the-observer)).

/// 1000: the purpose of the connection has been fulfilled.
pub const NORMAL: u16 = 1000;
/// 1001: an endpoint is going away (server shutting down, page left).
pub const GOING_AWAY: u16 = 1001;
/// 1002: an endpoint is terminating the connection due to a protocol error.
pub const PROTOCOL_ERROR: u16 = 1002;
/// 1003: a type of data the endpoint cannot accept.
pub const UNSUPPORTED_DATA: u16 = 1003;
/// 1004: reserved; never on the wire.
pub const RESERVED: u16 = 1004;
/// 1005: "no status code was actually present"; never on the wire.
pub const NO_STATUS: u16 = 1005;
/// 1006: closed abnormally, without a close frame; never on the wire.
pub const ABNORMAL: u16 = 1006;
/// 1007: data within a message not consistent with its type (text that is not UTF-8).
pub const INVALID_PAYLOAD: u16 = 1007;
/// 1008: a message that violates the endpoint's policy.
pub const POLICY_VIOLATION: u16 = 1008;
/// 1009: a message too big to process.
pub const MESSAGE_TOO_BIG: u16 = 1009;
/// 1010: the client expected the server to negotiate an extension.
pub const MANDATORY_EXTENSION: u16 = 1010;
/// 1011: the server met an unexpected condition.
pub const INTERNAL_ERROR: u16 = 1011;
/// 1012: the service is restarting (IANA registry).
pub const SERVICE_RESTART: u16 = 1012;
/// 1013: try again later (IANA registry).
pub const TRY_AGAIN_LATER: u16 = 1013;
/// 1014: bad gateway (IANA registry).
pub const BAD_GATEWAY: u16 = 1014;
/// 1015: the TLS handshake failed; never on the wire.
pub const TLS_HANDSHAKE: u16 = 1015;

/// May an endpoint put `code` in a close frame? The pre-defined codes that
/// are not reserved (1000–1003, 1007–1011 and the registered 1012–1014), and
/// the ranges for libraries (3000–3999) and private use (4000–4999). Not:
/// 0–999 (not used), 1004–1006 and 1015 (reserved), 1016–2999 (unassigned),
/// 5000 and up (not defined).
pub fn allowed_on_wire(code: u16) -> bool {
    matches!(code, NORMAL..=UNSUPPORTED_DATA | INVALID_PAYLOAD..=BAD_GATEWAY | 3000..=4999)
}

/// The name RFC 6455 §7.4.1 or the IANA registry gives `code`, in words.
pub fn name(code: u16) -> Option<&'static str> {
    Some(match code {
        NORMAL => "normal closure",
        GOING_AWAY => "going away",
        PROTOCOL_ERROR => "protocol error",
        UNSUPPORTED_DATA => "unsupported data",
        RESERVED => "reserved",
        NO_STATUS => "no status received, never on the wire",
        ABNORMAL => "abnormal closure, never on the wire",
        INVALID_PAYLOAD => "invalid frame payload data",
        POLICY_VIOLATION => "policy violation",
        MESSAGE_TOO_BIG => "message too big",
        MANDATORY_EXTENSION => "mandatory extension",
        INTERNAL_ERROR => "internal error",
        SERVICE_RESTART => "service restart",
        TRY_AGAIN_LATER => "try again later",
        BAD_GATEWAY => "bad gateway",
        TLS_HANDSHAKE => "TLS handshake, never on the wire",
        3000..=3999 => "library or framework",
        4000..=4999 => "private use",
        _ => return None,
    })
}

/// A close code as reports print it: `1008 (policy violation)`; a close
/// frame without one prints `no code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code(pub Option<u16>);

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            None => f.write_str("no code"),
            Some(c) => match name(c) {
                Some(n) => write!(f, "{c} ({n})"),
                None => write!(f, "{c}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_codes_allowed_on_the_wire() {
        let allowed: Vec<u16> = (0..=u16::MAX).filter(|c| allowed_on_wire(*c)).collect();
        let mut want: Vec<u16> = (1000..=1003).chain(1007..=1014).collect();
        want.extend(3000..=4999);
        assert_eq!(allowed, want);
        assert_eq!(Code(Some(1008)).to_string(), "1008 (policy violation)");
        assert_eq!(Code(Some(999)).to_string(), "999");
        assert_eq!(Code(None).to_string(), "no code");
        for c in [
            999,
            RESERVED,
            NO_STATUS,
            ABNORMAL,
            TLS_HANDSHAKE,
            1016,
            2999,
            5000,
        ] {
            assert!(!allowed_on_wire(c), "{c}");
        }
    }
}
