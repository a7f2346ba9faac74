//! Typed loader for the voxproof vector corpus ([docs/vectors.md](../../docs/vectors.md)).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod frames;
pub mod g711;
pub mod jwt;
pub mod telephony;

pub use jwt::{jwt, JwtFile, JwtGroup, JwtTest};
pub use telephony::{telephony, Platform, TelephonyFile};

/// Raw text of each vector file, embedded at build time.
pub mod raw {
    pub const ACCEPT: &str = include_str!("../accept.json");
    pub const HANDSHAKE_SERVER: &str = include_str!("../handshake/server.json");
    pub const HANDSHAKE_CLIENT: &str = include_str!("../handshake/client.json");
    pub const FRAMES_CLIENT: &str = include_str!("../frames/client.json");
    pub const G711_PCMU: &str = include_str!("../g711/pcmu.json");
    pub const G711_PCMA: &str = include_str!("../g711/pcma.json");
    pub const G711_TRANSCODE: &str = include_str!("../g711/transcode.json");
}

/// The envelope every vector file shares (shaped like Wycheproof's, so existing
/// Wycheproof-style runners can walk it).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Envelope<G> {
    pub suite: String,
    pub schema: String,
    /// Where the expected values come from, one sentence per element.
    pub header: Vec<String>,
    pub number_of_tests: usize,
    pub notes: BTreeMap<String, String>,
    pub test_groups: Vec<G>,
}

/// What a conforming implementation must do with a test input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expected {
    /// Must be accepted.
    Valid,
    /// Must be rejected.
    Invalid,
    /// The standards allow either outcome.
    Acceptable,
}

/// A group of tests sharing a type and a comment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Group<T> {
    #[serde(rename = "type")]
    pub kind: String,
    pub comment: String,
    pub tests: Vec<T>,
}

// ---------------------------------------------------------------- accept.json

/// `Sec-WebSocket-Key` → `Sec-WebSocket-Accept` (RFC 6455 §1.3, §4.2.2).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AcceptTest {
    pub tc_id: u32,
    pub comment: String,
    pub key: String,
    /// Present for valid and acceptable keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept: Option<String>,
    pub result: Expected,
    pub flags: Vec<String>,
}

// ------------------------------------------------------- handshake/server.json

/// How an expected header value is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Match {
    /// The field value (all lines of that name joined by ", "), surrounding
    /// whitespace removed, equals the value byte for byte.
    Exact,
    /// As `Exact`, but ASCII case-insensitively.
    Caseless,
    /// The field value is a comma-separated list; one trimmed element equals the
    /// value, ASCII case-insensitively.
    Token,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderExpect {
    pub name: String,
    pub value: String,
    #[serde(rename = "match")]
    pub mode: Match,
}

/// What a 101 response must satisfy.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpgradeExpect {
    #[serde(default)]
    pub headers: Vec<HeaderExpect>,
    #[serde(default)]
    pub absent: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_one_of: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions_allowed: Option<Vec<String>>,
}

/// What an error response must satisfy.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RejectExpect {
    /// Exact status the RFC requires (a MUST naming a code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Status the RFC suggests ("such as"); informational.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred: Option<u16>,
    #[serde(default)]
    pub headers: Vec<HeaderExpect>,
}

/// A request a server receives and what it must answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServerTest {
    pub tc_id: u32,
    /// The conformance-case id built from this vector.
    pub case: String,
    pub comment: String,
    pub section: String,
    pub requirement: String,
    /// Raw HTTP text with `{{host}}` and `{{path}}` placeholders.
    pub request: String,
    pub result: Expected,
    pub flags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade: Option<UpgradeExpect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject: Option<RejectExpect>,
}

/// Host and path a pure parser test substitutes for the placeholders.
pub const EXAMPLE_HOST: &str = "server.example.com";
pub const EXAMPLE_PATH: &str = "/chat";

impl ServerTest {
    /// The request with its placeholders replaced, as octets.
    pub fn request_for(&self, host: &str, path: &str) -> Vec<u8> {
        octets(
            &self
                .request
                .replace("{{host}}", host)
                .replace("{{path}}", path),
        )
    }
}

/// The octets a vector string stands for: one octet per character, U+0000 to
/// U+00FF (so a request can carry any byte). Characters above U+00FF cannot
/// occur in a valid file (the schemas forbid them) and become `?`.
pub fn octets(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect()
}

// ------------------------------------------------------- handshake/client.json

/// A response a client receives and whether it must accept it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientTest {
    pub tc_id: u32,
    pub name: String,
    pub comment: String,
    pub section: String,
    pub requirement: String,
    pub key: String,
    pub protocols: Vec<String>,
    pub extensions: Vec<String>,
    pub response: String,
    pub result: Expected,
    pub flags: Vec<String>,
    /// For valid tests: the subprotocol in use afterwards (`null` for none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Option<String>>,
}

// ------------------------------------------------------------------- loaders

fn load<G: serde::de::DeserializeOwned>(name: &str, text: &str) -> Envelope<G> {
    // The files are embedded and checked by this crate's tests, so a parse
    // failure is a build defect, not a runtime condition.
    serde_json::from_str(text).unwrap_or_else(|e| panic!("vectors/{name} does not parse: {e}"))
}

pub fn accept() -> Envelope<Group<AcceptTest>> {
    load("accept.json", raw::ACCEPT)
}

pub fn handshake_server() -> Envelope<Group<ServerTest>> {
    load("handshake/server.json", raw::HANDSHAKE_SERVER)
}

pub fn frames_client() -> Envelope<Group<frames::FrameTest>> {
    load("frames/client.json", raw::FRAMES_CLIENT)
}

pub fn handshake_client() -> Envelope<Group<ClientTest>> {
    load("handshake/client.json", raw::HANDSHAKE_CLIENT)
}

fn parse<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> T {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("vectors/{name} does not parse: {e}"))
}

/// µ-law: the full encode and decode tables and named tests.
pub fn g711_pcmu() -> g711::LawFile {
    parse("g711/pcmu.json", raw::G711_PCMU)
}

/// A-law: the full encode and decode tables and named tests.
pub fn g711_pcma() -> g711::LawFile {
    parse("g711/pcma.json", raw::G711_PCMA)
}

/// G.711's µ-law ↔ A-law conversion tables and named tests.
pub fn g711_transcode() -> g711::TranscodeFile {
    parse("g711/transcode.json", raw::G711_TRANSCODE)
}

impl<T> Envelope<Group<T>> {
    /// Every test of every group, in file order.
    pub fn tests(&self) -> impl Iterator<Item = &T> {
        self.test_groups.iter().flat_map(|g| g.tests.iter())
    }
}

/// Directory holding the vector files in a source checkout.
pub fn dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
