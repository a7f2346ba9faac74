//! The judge: a framing case's verdict as a pure function of what was
//! observed ([docs/framing.md](../../../../../docs/framing.md#verdicts)).

use super::script::{CloseExpect, Event, Expect};
use crate::rule::Rule;
use crate::verdict::{CloseOutcome, Closer, Outcome, Verdict};
use crate::wire::close_code;
use crate::wire::observer::Violation;

/// Everything observed on the connection, for the judge.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    pub events: Vec<Event>,
    /// The target's close frame: code and reason, when it sent one.
    pub target_close: Option<(Option<u16>, Vec<u8>)>,
    /// Who sent the first close frame (or dropped TCP first).
    pub first_closer: Option<Closer>,
    /// The target closed TCP (FIN or reset) before the suite did.
    pub target_closed_tcp: bool,
    /// The suite sent a close frame.
    pub suite_sent_close: bool,
    /// That close frame was a step's own bytes ([`Step::RawClose`](super::Step::RawClose)).
    pub close_in_steps: bool,
    /// For each [`Step::Probe`] or [`Step::Wait`]: was the connection still open?
    pub probes: Vec<bool>,
    /// Breaches of RFC 6455 seen in what the target sent, each with the
    /// rule it breaks (see `wire::observer`), and bytes that could not be
    /// read as frames.
    pub violations: Vec<Breach>,
    /// The deadline passed while waiting.
    pub timed_out: bool,
}

/// One thing wrong in what the target sent: a [`Violation`] and its rule,
/// or bytes that could not be read as frames (no rule of their own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    pub detail: String,
    pub rule: Option<Rule>,
}

impl From<Violation> for Breach {
    fn from(v: Violation) -> Breach {
        Breach {
            detail: v.detail,
            rule: Some(v.rule),
        }
    }
}

impl From<String> for Breach {
    fn from(detail: String) -> Breach {
        Breach { detail, rule: None }
    }
}

/// The events in words, a run of equal events once with its count (a case
/// exchanging 1000 messages reads "1000 × text 16 bytes").
fn describe(events: &[Event]) -> String {
    if events.is_empty() {
        return "nothing".into();
    }
    let mut parts = Vec::new();
    let mut rest = events;
    while let Some(first) = rest.first() {
        let run = rest.iter().take_while(|e| *e == first).count();
        parts.push(match run {
            1 => first.describe(),
            n => format!("{n} × {}", first.describe()),
        });
        rest = &rest[run..];
    }
    parts.join(", ")
}

/// The close verdict (Autobahn's `behaviorClose`).
pub fn judge_close(expect: &CloseExpect, obs: &Observation) -> CloseOutcome {
    let code = obs.target_close.as_ref().and_then(|(c, _)| *c);
    let closed_by = obs.first_closer.unwrap_or(Closer::Nobody);
    let clean = obs.suite_sent_close && obs.target_close.is_some() && obs.target_closed_tcp;
    let out = |verdict, detail: String| CloseOutcome {
        verdict,
        detail,
        closed_by,
        code,
        clean,
    };
    if closed_by != expect.by {
        let who = |c: Closer| match c {
            Closer::Suite => "the suite",
            Closer::Target => "the target",
            Closer::Nobody => "nobody",
        };
        return out(
            Verdict::Failed,
            format!(
                "the connection should have been closed by {}, was closed by {}",
                who(expect.by),
                who(closed_by)
            ),
        );
    }
    if expect.require_clean && !clean {
        let why = if obs.target_close.is_none() {
            "the target sent no close frame"
        } else {
            "the target did not close the TCP connection"
        };
        return out(Verdict::Failed, format!("unclean close: {why}"));
    }
    if let Some(c) = code {
        if !expect.codes.contains(&c) {
            let allowed = expect
                .codes
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or ");
            let verdict = if expect.wrong_code_fails {
                Verdict::Failed
            } else {
                Verdict::NonStrict
            };
            return out(
                verdict,
                format!("close code {c}; {allowed} (or none) expected"),
            );
        }
    }
    if expect.code_required && code.is_none() {
        //= https://www.rfc-editor.org/rfc/rfc6455#section-7.1.7
        //# If _The WebSocket Connection is Established_ prior to the point where
        //# the endpoint is required to _Fail the WebSocket Connection_, the
        //# endpoint SHOULD send a Close frame with an appropriate status code
        //# (Section 7.4) before proceeding to _Close the WebSocket Connection_.
        return out(
            Verdict::NonStrict,
            "the target closed without a close frame carrying a code".into(),
        );
    }
    if !obs.target_closed_tcp {
        //= https://www.rfc-editor.org/rfc/rfc6455#section-7.1.1
        //# The underlying TCP connection, in most normal cases, SHOULD be closed
        //# first by the server, so that it holds the TIME_WAIT state and not the
        //# client
        return out(
            Verdict::NonStrict,
            "the suite had to close the TCP connection".into(),
        );
    }
    let detail = match code {
        Some(c) => format!("closed with {c}"),
        None => "closed without a code".into(),
    };
    out(Verdict::Ok, detail)
}

/// The case's verdict from what was observed.
pub fn judge(expect: &Expect, obs: &Observation) -> Outcome {
    let close = judge_close(&expect.close, obs);
    let (mut verdict, mut detail) = if expect.ok.contains(&obs.events) {
        (Verdict::Ok, format!("received {}", describe(&obs.events)))
    } else if expect.non_strict.contains(&obs.events) {
        (
            Verdict::NonStrict,
            format!(
                "received {} (acceptable, not strict)",
                describe(&obs.events)
            ),
        )
    } else {
        let want = expect.ok.first().map(|e| describe(e)).unwrap_or_default();
        (
            Verdict::Failed,
            format!("received {}; expected {want}", describe(&obs.events)),
        )
    };
    if expect.fail_fast && verdict == Verdict::Ok {
        match obs.probes.as_slice() {
            [true, false] => {}
            [true, true] => {
                verdict = Verdict::NonStrict;
                detail = "failed the connection only at the end of the message, not as soon as the error arrived".into();
            }
            [false, ..] | [] => {
                verdict = Verdict::Failed;
                detail = "failed the connection on a valid prefix of the message".into();
            }
            _ => {}
        }
    }
    if expect.informational && obs.violations.is_empty() {
        return Outcome {
            verdict: Verdict::Informational,
            detail: format!("{detail}; {}", close.detail),
            close: Some(CloseOutcome {
                verdict: Verdict::Informational,
                ..close
            }),
            rule: None,
        };
    }
    // A breach of RFC 6455 in what the target sent fails any case, informational or not.
    let mut rule = None;
    if let Some(v) = obs.violations.first() {
        verdict = Verdict::Failed;
        detail = v.detail.clone();
        rule = v.rule.clone().map(Box::new);
    }
    if expect.limits
        && close.closed_by == Closer::Target
        && matches!(
            close.code,
            Some(close_code::POLICY_VIOLATION | close_code::MESSAGE_TOO_BIG)
        )
        && obs.violations.is_empty()
    {
        //= https://www.rfc-editor.org/rfc/rfc6455#section-10.4
        //# Implementations that have implementation- and/or platform-specific
        //# limitations regarding the frame size or total message size after
        //# reassembly from multiple frames MUST protect themselves against
        //# exceeding those limits.
        let code = close.code.unwrap_or_default();
        let detail = format!("the target refused the message as over its limits (close {code}); RFC 6455 §10.4 allows that");
        // Refusing the message is the target starting the close: the close
        // is rated with the case, not failed for who closed.
        let close = CloseOutcome {
            verdict: Verdict::NonStrict,
            detail: format!("closed by the target with {code}, refusing the message"),
            ..close
        };
        return Outcome {
            verdict: Verdict::NonStrict,
            detail,
            close: Some(close),
            rule: None,
        };
    }
    let overall = verdict.max(close.verdict);
    let detail = if close.verdict == Verdict::Ok || verdict != Verdict::Ok {
        format!("{detail}; {}", close.detail)
    } else {
        format!("{}; {detail}", close.detail)
    };
    Outcome {
        verdict: overall,
        detail,
        close: Some(close),
        rule,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::framing::engine::script::{CloseExpect, Event, Expect};

    fn clean_by(by: Closer, code: u16) -> Observation {
        Observation {
            target_close: Some((Some(code), Vec::new())),
            first_closer: Some(by),
            target_closed_tcp: true,
            suite_sent_close: true,
            ..Observation::default()
        }
    }

    #[test]
    fn echo_and_clean_close_is_ok() {
        let expect = Expect::ok(vec![Event::text("hi")], CloseExpect::normal());
        let obs = Observation {
            events: vec![Event::text("hi")],
            ..clean_by(Closer::Suite, close_code::NORMAL)
        };
        assert_eq!(judge(&expect, &obs).verdict, Verdict::Ok);
    }

    #[test]
    fn wrong_events_fail() {
        let expect = Expect::ok(vec![Event::text("hi")], CloseExpect::normal());
        let obs = clean_by(Closer::Suite, close_code::NORMAL);
        assert_eq!(judge(&expect, &obs).verdict, Verdict::Failed);
    }

    #[test]
    fn non_strict_alternative() {
        let expect = Expect::ok(
            vec![Event::text("hi")],
            CloseExpect::fail(close_code::PROTOCOL_ERROR),
        )
        .non_strict(vec![]);
        let obs = clean_by(Closer::Target, close_code::PROTOCOL_ERROR);
        assert_eq!(judge(&expect, &obs).verdict, Verdict::NonStrict);
    }

    #[test]
    fn close_by_the_wrong_side_fails() {
        let expect = Expect::ok(vec![], CloseExpect::fail(close_code::PROTOCOL_ERROR));
        let out = judge(&expect, &clean_by(Closer::Suite, close_code::NORMAL));
        assert_eq!(out.verdict, Verdict::Failed);
        assert_eq!(out.close.unwrap().closed_by, Closer::Suite);
    }

    #[test]
    fn wrong_code_is_non_strict_unless_category_7() {
        let mut expect = Expect::ok(vec![], CloseExpect::fail(close_code::PROTOCOL_ERROR));
        assert_eq!(
            judge(
                &expect,
                &clean_by(Closer::Target, close_code::INTERNAL_ERROR)
            )
            .verdict,
            Verdict::NonStrict
        );
        expect.close.wrong_code_fails = true;
        assert_eq!(
            judge(
                &expect,
                &clean_by(Closer::Target, close_code::INTERNAL_ERROR)
            )
            .verdict,
            Verdict::Failed
        );
    }

    #[test]
    fn no_close_frame_is_allowed_when_failing() {
        let expect = Expect::ok(vec![], CloseExpect::fail(close_code::PROTOCOL_ERROR));
        let obs = Observation {
            first_closer: Some(Closer::Target),
            target_closed_tcp: true,
            ..Observation::default()
        };
        assert_eq!(judge(&expect, &obs).verdict, Verdict::Ok);
    }

    #[test]
    fn unclean_close_fails_when_clean_is_required() {
        let expect = Expect::ok(vec![], CloseExpect::normal());
        let obs = Observation {
            target_closed_tcp: false,
            ..clean_by(Closer::Suite, close_code::NORMAL)
        };
        let out = judge(&expect, &obs);
        assert_eq!(out.verdict, Verdict::Failed, "{out:?}");
    }

    #[test]
    fn masked_server_frame_fails() {
        let expect = Expect::ok(vec![], CloseExpect::normal());
        let mut obs = clean_by(Closer::Suite, close_code::NORMAL);
        obs.violations.push(String::from("masked").into());
        assert_eq!(judge(&expect, &obs).verdict, Verdict::Failed);
    }

    #[test]
    fn late_failure_is_non_strict_for_fail_fast_cases() {
        let expect = Expect::ok(vec![], CloseExpect::fail(close_code::INVALID_PAYLOAD)).fail_fast();
        let mut obs = clean_by(Closer::Target, close_code::INVALID_PAYLOAD);
        obs.probes = vec![true, true];
        assert_eq!(judge(&expect, &obs).verdict, Verdict::NonStrict);
        obs.probes = vec![true, false];
        assert_eq!(judge(&expect, &obs).verdict, Verdict::Ok);
        obs.probes = vec![false];
        assert_eq!(judge(&expect, &obs).verdict, Verdict::Failed);
    }
}
