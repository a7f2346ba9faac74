//! Verdicts, as Autobahn names them.

use crate::rule::Rule;
use serde::Serialize;

/// Declared from best to worst, so `Ord` says which of two verdicts is
/// worse (`a.max(b)`): an INFORMATIONAL outcome (the RFC leaves it open) is
/// better than a NON-STRICT one. Reports list verdicts in [`Verdict::ALL`]'s
/// order instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Verdict {
    /// The target did what the requirement asks.
    #[serde(rename = "OK")]
    Ok,
    /// The RFC leaves the behaviour open; what happened is reported.
    #[serde(rename = "INFORMATIONAL")]
    Informational,
    /// Accepted, but weaker than the requirement (e.g. the wrong error code).
    #[serde(rename = "NON-STRICT")]
    NonStrict,
    /// The case could not run against this target (a feature or a setting is missing).
    #[serde(rename = "UNIMPLEMENTED")]
    Unimplemented,
    /// The implementation could not be asked: an adapter that timed out,
    /// exited or answered something that is not an answer (docs/adapters.md).
    #[serde(rename = "ERROR")]
    Error,
    /// The target broke the requirement.
    #[serde(rename = "FAILED")]
    Failed,
}

impl Verdict {
    /// Every verdict in the order reports list them (Autobahn's).
    pub const ALL: [Verdict; 6] = [
        Verdict::Ok,
        Verdict::NonStrict,
        Verdict::Informational,
        Verdict::Unimplemented,
        Verdict::Error,
        Verdict::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "OK",
            Verdict::NonStrict => "NON-STRICT",
            Verdict::Informational => "INFORMATIONAL",
            Verdict::Unimplemented => "UNIMPLEMENTED",
            Verdict::Error => "ERROR",
            Verdict::Failed => "FAILED",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Verdict::{self, *};

    #[test]
    fn the_worse_of_two_verdicts() {
        // The order the framing engine has always combined verdicts in.
        let worst_last = [Ok, Informational, NonStrict, Unimplemented, Error, Failed];
        for (i, a) in worst_last.iter().enumerate() {
            for (j, b) in worst_last.iter().enumerate() {
                assert_eq!(*a.max(b), worst_last[i.max(j)]);
            }
        }
        assert_eq!(
            Verdict::ALL,
            [Ok, NonStrict, Informational, Unimplemented, Error, Failed]
        );
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
    /// The requirement a FAILED (or NON-STRICT) outcome rests on when it is
    /// not the case's own `rule`: a 426 without `Upgrade` breaks RFC 9110
    /// §15.5.22, a masked frame in any case breaks RFC 6455 §5.1.
    /// (Boxed: most outcomes carry none, and `Outcome` is a common `Err`.)
    #[serde(skip)]
    pub rule: Option<Box<Rule>>,
}

impl Outcome {
    pub fn new(verdict: Verdict, detail: impl Into<String>) -> Self {
        Outcome {
            verdict,
            detail: detail.into(),
            close: None,
            rule: None,
        }
    }
    /// FAILED, resting on `rule` rather than on the case's own.
    pub fn failed_by(rule: Rule, detail: impl Into<String>) -> Self {
        Self::failed(detail).resting_on(rule)
    }
    /// The same outcome, resting on `rule`.
    pub fn resting_on(mut self, rule: Rule) -> Self {
        self.rule = Some(Box::new(rule));
        self
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
    pub fn error(detail: impl Into<String>) -> Self {
        Self::new(Verdict::Error, detail)
    }
}
