//! `Sec-WebSocket-Key` and `Sec-WebSocket-Accept` (RFC 6455 §1.3, §4.2.2).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha1::{Digest, Sha1};

//= https://www.rfc-editor.org/rfc/rfc6455#section-1.3
//# the server has to take the value (as present in the header field, e.g., the
//# base64-encoded [RFC4648] version minus any leading and trailing whitespace)
//# and concatenate this with the Globally Unique Identifier (GUID, [RFC4122])
//# "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" in string form
pub const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The `Sec-WebSocket-Accept` value for a key, as sent (already trimmed).
//# A SHA-1 hash (160 bits) [FIPS.180-3], base64-encoded (see Section 4 of
//# [RFC4648]), of this concatenation is then returned in the server's handshake.
pub fn accept_for(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(GUID.as_bytes());
    STANDARD.encode(sha.finalize())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    NotBase64,
    WrongLength(usize),
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyError::NotBase64 => f.write_str("Sec-WebSocket-Key is not base64"),
            KeyError::WrongLength(n) => {
                write!(f, "Sec-WebSocket-Key decodes to {n} bytes, not 16")
            }
        }
    }
}

/// Decode a key and check it is a 16-byte nonce.
//= https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1
//# A |Sec-WebSocket-Key| header field with a base64-encoded (see Section 4 of
//# [RFC4648]) value that, when decoded, is 16 bytes in length.
///
/// The decoder is strict: padding is required and non-zero pad bits are
/// refused (RFC 4648 §3.5 allows either; strict keeps the accept unambiguous).
pub fn decode_key(key: &str) -> Result<[u8; 16], KeyError> {
    let bytes = STANDARD.decode(key).map_err(|_| KeyError::NotBase64)?;
    bytes
        .as_slice()
        .try_into()
        .map_err(|_| KeyError::WrongLength(bytes.len()))
}

/// A fresh key from 16 caller-supplied random bytes (randomness stays outside).
pub fn key_from_nonce(nonce: [u8; 16]) -> String {
    STANDARD.encode(nonce)
}
