//! Verdicts, as Autobahn names them.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Verdict {
    /// The target did what the requirement asks.
    #[serde(rename = "OK")]
    Ok,
    /// Accepted, but weaker than the requirement (e.g. the wrong error code).
    #[serde(rename = "NON-STRICT")]
    NonStrict,
    /// The RFC leaves the behaviour open; what happened is reported.
    #[serde(rename = "INFORMATIONAL")]
    Informational,
    /// The case could not run against this target (a feature or a setting is missing).
    #[serde(rename = "UNIMPLEMENTED")]
    Unimplemented,
    /// The target broke the requirement.
    #[serde(rename = "FAILED")]
    Failed,
}

impl Verdict {
    pub const ALL: [Verdict; 5] = [
        Verdict::Ok,
        Verdict::NonStrict,
        Verdict::Informational,
        Verdict::Unimplemented,
        Verdict::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "OK",
            Verdict::NonStrict => "NON-STRICT",
            Verdict::Informational => "INFORMATIONAL",
            Verdict::Unimplemented => "UNIMPLEMENTED",
            Verdict::Failed => "FAILED",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who started the closing handshake (or dropped the connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Closer {
    /// The suite sent the first close frame.
    Suite,
    /// The target sent the first close frame, or dropped TCP first.
    Target,
    /// Nobody closed before the deadline.
    Nobody,
}

/// The separate close verdict of a framing case (as Autobahn's `behaviorClose`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CloseOutcome {
    pub verdict: Verdict,
    pub detail: String,
    pub closed_by: Closer,
    /// Code in the target's close frame, if it sent one with a code.
    pub code: Option<u16>,
    /// Close frames exchanged both ways and TCP closed by the target
    /// (RFC 6455 §7.1.1 prefers the server to close TCP first).
    pub clean: bool,
}

/// A verdict and the one line that explains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub verdict: Verdict,
    pub detail: String,
    /// For cases that close a WebSocket connection: the close verdict. The
    /// case's `verdict` already accounts for it (the worse of the two).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close: Option<CloseOutcome>,
}

impl Outcome {
    pub fn new(verdict: Verdict, detail: impl Into<String>) -> Self {
        Outcome {
            verdict,
            detail: detail.into(),
            close: None,
        }
    }
    pub fn ok(detail: impl Into<String>) -> Self {
        Self::new(Verdict::Ok, detail)
    }
    pub fn non_strict(detail: impl Into<String>) -> Self {
        Self::new(Verdict::NonStrict, detail)
    }
    pub fn informational(detail: impl Into<String>) -> Self {
        Self::new(Verdict::Informational, detail)
    }
    pub fn unimplemented(detail: impl Into<String>) -> Self {
        Self::new(Verdict::Unimplemented, detail)
    }
    pub fn failed(detail: impl Into<String>) -> Self {
        Self::new(Verdict::Failed, detail)
    }
}
