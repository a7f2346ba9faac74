//! `vectors/frames/client.json`: bytes a client sends after the opening
//! handshake, how they decode, and what a server must do with them.

use serde::{Deserialize, Serialize};

/// One frame as it decodes from the wire (structure only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecodedFrame {
    pub fin: bool,
    /// RSV1..RSV3 as a number 0–7 (RSV1 = 4).
    pub rsv: u8,
    pub opcode: u8,
    /// Masking key in hex, or null for an unmasked frame.
    pub mask: Option<String>,
    /// Unmasked payload in hex.
    pub payload: String,
    /// How the length was written: "7", "16" or "64" bits.
    pub length_bits: u8,
}

/// What the server sends back for valid input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reply {
    /// "text", "binary" or "pong".
    pub kind: String,
    /// Payload in hex.
    pub payload: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FrameTest {
    pub tc_id: u32,
    pub comment: String,
    pub section: String,
    /// The bytes on the wire, hex.
    pub bytes: String,
    /// Structural decode of `bytes`, frame by frame; absent when the bytes
    /// cannot be split into frames (e.g. a 64-bit length with the top bit set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoded: Option<Vec<DecodedFrame>>,
    pub result: crate::Expected,
    /// For valid input: what an echo server sends back (messages echoed, pings answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replies: Option<Vec<Reply>>,
    /// For invalid input: close codes the server may fail the connection with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_codes: Option<Vec<u16>>,
    pub flags: Vec<String>,
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes from hex (the files are checked, so bad hex is a build defect).
pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("vector hex is valid"))
        .collect()
}
