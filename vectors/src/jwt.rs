//! JWT vectors (`vectors/jwt/*.json`): tokens, and the key, algorithms and policy each group
//! verifies them with ([docs/jwt.md](../../docs/jwt.md#format)).

use crate::{Envelope, Expected};
use serde::{Deserialize, Serialize};

/// Raw text of each JWT vector file, embedded at build time.
pub mod raw {
    pub const PUBLISHED: &str = include_str!("../jwt/published.json");
    pub const CLAIMS: &str = include_str!("../jwt/claims.json");
    pub const HEADER: &str = include_str!("../jwt/header.json");
    pub const ATTACKS: &str = include_str!("../jwt/attacks.json");
    pub const ALGORITHMS: &str = include_str!("../jwt/algorithms.json");

    /// Every file, named as it lies under `vectors/`.
    pub const ALL: [(&str, &str); 5] = [
        ("jwt/published.json", PUBLISHED),
        ("jwt/algorithms.json", ALGORITHMS),
        ("jwt/claims.json", CLAIMS),
        ("jwt/header.json", HEADER),
        ("jwt/attacks.json", ATTACKS),
    ];
}

/// The error vocabulary: what an invalid token is rejected for. For a token
/// with several defects, `error` names the first check that fails in the
/// order `docs/jwt.md` gives (RFC 7515 §5.2, then RFC 7519 §7.2); a runner
/// for another stack may compare the result only.
pub const ERRORS: [&str; 13] = [
    "malformed",
    "duplicate-name",
    "alg-not-allowed",
    "unsupported-crit",
    "unsupported-header",
    "unknown-key",
    "bad-signature",
    "bad-claim-type",
    "expired",
    "not-yet-valid",
    "wrong-issuer",
    "wrong-audience",
    "missing-claim",
];

/// Group `type`: what the verifier is asked to do.
pub const JWT_VERIFY: &str = "JwtVerify";
/// A JWS whose payload is not a JWT Claims Set (RFC 7515/7520 examples):
/// verify the signature only and compare the payload.
pub const JWS_VERIFY: &str = "JwsVerify";

/// Claim validation settings (RFC 7519 §4.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Validation {
    /// The verifier's clock, a NumericDate.
    pub now: u64,
    /// Seconds of clock skew allowed on `exp` and `nbf` (RFC 7519 §4.1.4):
    /// a token is valid while `now < exp + leeway` and `now + leeway >= nbf`.
    pub leeway: u64,
    /// Audiences the verifier identifies itself with. When set, `aud` must be
    /// present and name one of them; when absent, a token carrying `aud` is
    /// rejected (RFC 7519 §4.1.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Vec<String>>,
    /// The issuer to require. When set, `iss` must be present and equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Claim names that must be present.
    pub required: Vec<String>,
}

/// A group of tokens sharing a key, algorithms and validation settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JwtGroup {
    /// [`JWT_VERIFY`] or [`JWS_VERIFY`].
    #[serde(rename = "type")]
    pub kind: String,
    pub comment: String,
    /// A JWK (RFC 7517 §4) or a JWK Set (§5). Asymmetric keys include their
    /// private members (every key here is published) so other
    /// implementations can re-sign; a verifier uses the public members.
    pub key: serde_json::Value,
    /// When present, the verifier is configured with this PEM public key
    /// (SubjectPublicKeyInfo) rather than the JWK: the form keys take in
    /// configuration files, and the bytes key-confusion attacks use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_pem: Option<String>,
    /// The algorithms the verifier is configured to accept (never taken from
    /// the token).
    pub algorithms: Vec<String>,
    /// Present for [`JWT_VERIFY`] groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<Validation>,
    pub tests: Vec<JwtTest>,
}

/// One token and its expected outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JwtTest {
    pub tc_id: u32,
    pub comment: String,
    /// The token exactly as a verifier receives it.
    pub token: String,
    pub result: Expected,
    pub flags: Vec<String>,
    /// For invalid tests (and acceptable ones, naming what a rejecting
    /// verifier reports): one of [`ERRORS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// For valid (and acceptable) tests of a [`JWT_VERIFY`] group: the Claims Set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<serde_json::Value>,
    /// For valid tests of a [`JWS_VERIFY`] group: the payload, as UTF-8 text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
}

pub type JwtFile = Envelope<JwtGroup>;

impl Envelope<JwtGroup> {
    /// Every test of every group, with its group, in file order.
    pub fn jwt_tests(&self) -> impl Iterator<Item = (&JwtGroup, &JwtTest)> {
        self.test_groups
            .iter()
            .flat_map(|g| g.tests.iter().map(move |t| (g, t)))
    }
}

/// Every JWT vector file, parsed, with its name under `vectors/`.
pub fn jwt() -> Vec<(&'static str, JwtFile)> {
    raw::ALL
        .iter()
        .map(|(name, text)| (*name, crate::load(name, text)))
        .collect()
}
