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

/// A verdict and the one line that explains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub verdict: Verdict,
    pub detail: String,
}

impl Outcome {
    pub fn new(verdict: Verdict, detail: impl Into<String>) -> Self {
        Outcome {
            verdict,
            detail: detail.into(),
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
