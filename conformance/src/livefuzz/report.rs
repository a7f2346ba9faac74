//! Case files, the console summary and the JSON report of `voxproof fuzz`
//! ([docs/fuzzing-servers.md](../../../docs/fuzzing-servers.md#case-files-and-replay)).

use super::conversation::{Conversation, Handshake, Write};
use super::live::Played;
use super::oracle::Prediction;
use super::search::{Counterexample, Crash, Outcome, Settings};
use crate::rule::Cited;
use crate::run::CaseResult;
use crate::verdict::Verdict;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const FORMAT: &str = "voxproof-fuzz-case/1";

/// A replayable conversation: what was sent, what the oracle expected,
/// what the target did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseFile {
    pub format: String,
    pub target: String,
    /// The target was the embedded reference (its port is gone: replay starts a new one).
    #[serde(default)]
    pub embedded: bool,
    pub seed: u64,
    pub index: u64,
    pub handshake: Handshake,
    /// The frames in words (not read back: `writes` is the conversation).
    #[serde(default)]
    pub frames: Vec<String>,
    pub writes: Vec<Write>,
    #[serde(default)]
    pub expected: String,
    #[serde(default)]
    pub verdict: String,
    #[serde(default)]
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rests_on: Option<CitedOwned>,
    #[serde(default)]
    pub wire: serde_json::Value,
}

/// [`Cited`], readable back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CitedOwned {
    pub section: String,
    pub requirement: String,
}

impl CaseFile {
    pub fn new(
        target: &str,
        embedded: bool,
        seed: u64,
        index: u64,
        c: &Conversation,
        prediction: &Prediction,
        played: &Played,
    ) -> CaseFile {
        CaseFile {
            format: FORMAT.into(),
            target: target.into(),
            embedded,
            seed,
            index,
            handshake: c.handshake.clone(),
            frames: c.describe(),
            writes: c.writes(),
            expected: prediction.describe(),
            verdict: played.judged.verdict.as_str().into(),
            detail: played.judged.detail.clone(),
            rests_on: played.judged.rule.as_ref().map(|r| {
                let c = Cited::from(r);
                CitedOwned {
                    section: c.section,
                    requirement: c.requirement,
                }
            }),
            wire: serde_json::to_value(&played.wire).unwrap_or_default(),
        }
    }

    /// Read a case file; the error is one line.
    pub fn parse(text: &str) -> Result<CaseFile, String> {
        let file: CaseFile =
            serde_json::from_str(text).map_err(|e| format!("not a case file: {e}"))?;
        if file.format != FORMAT {
            return Err(format!(
                "case file format \"{}\" is not {FORMAT}",
                file.format
            ));
        }
        Ok(file)
    }

    pub fn render(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("case files serialize");
        s.push('\n');
        s
    }
}

/// The line a FAILED verdict prints: detail and the rule it rests on.
pub fn failed_line(played: &Played) -> String {
    let j = &played.judged;
    match &j.rule {
        Some(r) => format!(
            "{}: {} ({}: \"{}\")",
            j.verdict,
            j.detail,
            r.citation(),
            r.text
        ),
        None => format!("{}: {}", j.verdict, j.detail),
    }
}

fn case_result(
    id: String,
    title: String,
    c: &Conversation,
    prediction: &Prediction,
    played: &Played,
) -> CaseResult {
    let cited = played.judged.rule.as_ref().map(Cited::from);
    let mut sends = vec![c.handshake.describe()];
    sends.extend(c.describe());
    CaseResult {
        id,
        title,
        section: cited.as_ref().map_or(String::new(), |c| c.section.clone()),
        requirement: cited
            .as_ref()
            .map_or(String::new(), |c| c.requirement.clone()),
        sends: sends.join("; "),
        expects: prediction.describe(),
        autobahn: None,
        verdict: played.judged.verdict,
        detail: played.judged.detail.clone(),
        rests_on: None,
        close: played.judged.close.clone(),
        duration_ms: played.duration.as_millis() as u64,
        wire: played.wire.clone(),
    }
}

/// A counterexample as a report case.
pub fn counterexample_case(seed: u64, cx: &Counterexample) -> CaseResult {
    let p = super::search::predict(&cx.minimal);
    let title = format!(
        "counterexample: conversation {} shrunk to {} frames{}",
        cx.index,
        cx.minimal.pieces.len(),
        if cx.confirmed {
            ""
        } else {
            " (did not fail again when re-run)"
        }
    );
    case_result(
        format!("fuzz.{seed}.{}", cx.index),
        title,
        &cx.minimal,
        &p,
        &cx.played,
    )
}

/// A crash as a report case.
pub fn crash_case(seed: u64, crash: &Crash) -> CaseResult {
    let p = super::search::predict(&crash.conversation);
    let mut r = case_result(
        format!("fuzz.{seed}.{}.crash", crash.index),
        "crash: the target stopped answering after this conversation".into(),
        &crash.conversation,
        &p,
        &crash.played,
    );
    r.verdict = Verdict::Failed;
    r.detail = format!(
        "after this conversation a fresh connection could not complete a handshake and an echo ({})",
        crash.played.judged.detail
    );
    r
}

#[derive(Serialize)]
struct Json<'a> {
    tool: &'static str,
    version: &'static str,
    target: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    against: Option<&'a str>,
    seed: u64,
    conversations: u64,
    duration_ms: u64,
    per_second: f64,
    summary: BTreeMap<&'static str, u64>,
    non_strict: Vec<JsonDifference<'a>>,
    failed: Vec<JsonDifference<'a>>,
    /// Conversations that failed once and passed when played again.
    flaky: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    against_summary: Option<BTreeMap<&'static str, u64>>,
    differences: Vec<JsonDifference<'a>>,
    /// Counterexamples and crashes, as `voxproof run` reports cases.
    cases: Vec<CaseResult>,
}

#[derive(Serialize)]
struct JsonDifference<'a> {
    kind: &'a str,
    count: u64,
    example: u64,
}

fn summary(v: &BTreeMap<Verdict, u64>) -> BTreeMap<&'static str, u64> {
    Verdict::ALL
        .iter()
        .map(|k| (k.as_str(), v.get(k).copied().unwrap_or(0)))
        .collect()
}

/// Conversations per second, shrinking not counted.
pub fn per_second(o: &Outcome) -> f64 {
    o.conversations as f64 / o.searching.as_secs_f64().max(1e-9)
}

/// The report cases of a run: its counterexample, then its crash.
pub fn cases(s: &Settings, o: &Outcome) -> Vec<CaseResult> {
    let mut out = Vec::new();
    if let Some(cx) = &o.counterexample {
        out.push(counterexample_case(s.seed, cx));
    }
    if let Some(c) = &o.crash {
        out.push(crash_case(s.seed, c));
    }
    out
}

pub fn json(target: &str, against: Option<&str>, s: &Settings, o: &Outcome) -> String {
    let json = Json {
        tool: crate::report::json::TOOL,
        version: env!("CARGO_PKG_VERSION"),
        target,
        against,
        seed: s.seed,
        conversations: o.conversations,
        duration_ms: o.elapsed.as_millis() as u64,
        per_second: (per_second(o) * 10.0).round() / 10.0,
        summary: summary(&o.verdicts),
        flaky: o.flaky,
        failed: o
            .failed
            .iter()
            .map(|(k, d)| JsonDifference {
                kind: k,
                count: d.count,
                example: d.example,
            })
            .collect(),
        non_strict: o
            .non_strict
            .iter()
            .map(|(k, d)| JsonDifference {
                kind: k,
                count: d.count,
                example: d.example,
            })
            .collect(),
        against_summary: against.map(|_| summary(&o.against_verdicts)),
        differences: o
            .differences
            .iter()
            .map(|(k, d)| JsonDifference {
                kind: k,
                count: d.count,
                example: d.example,
            })
            .collect(),
        cases: cases(s, o),
    };
    let mut text = serde_json::to_string_pretty(&json).expect("the report serializes");
    text.push('\n');
    text
}

/// The console summary.
pub fn console(target: &str, against: Option<&str>, s: &Settings, o: &Outcome) -> String {
    let mut out = String::new();
    let line = |out: &mut String, l: String| {
        out.push_str(&l);
        out.push('\n');
    };
    line(
        &mut out,
        format!(
            "fuzzed {target}: {} conversations in {:.1} s ({:.1}/s), seed {}, {} job(s)",
            o.conversations,
            o.searching.as_secs_f64(),
            per_second(o),
            s.seed,
            s.jobs
        ),
    );
    let counts = |v: &BTreeMap<Verdict, u64>| {
        Verdict::ALL
            .iter()
            .filter_map(|k| v.get(k).map(|n| format!("{k} {n}")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    line(&mut out, format!("  {}", counts(&o.verdicts)));
    if let Some(first) = o.first_flaky {
        line(
            &mut out,
            format!(
                "  FLAKY {} × failed once, passed when played again (first: conversation {first}; not counterexamples)",
                o.flaky
            ),
        );
    }
    if o.failed.len() > 1 || o.failed.values().any(|d| d.count > 1) {
        for (kind, d) in &o.failed {
            line(
                &mut out,
                format!(
                    "  FAILED {} × {kind} (first: conversation {})",
                    d.count, d.example
                ),
            );
        }
    }
    for (kind, d) in &o.non_strict {
        line(
            &mut out,
            format!(
                "  NON-STRICT {} × {kind} (first: conversation {})",
                d.count, d.example
            ),
        );
    }
    if let Some(other) = against {
        line(
            &mut out,
            format!("against {other}: {}", counts(&o.against_verdicts)),
        );
        if o.differences.is_empty() {
            line(&mut out, "  no differences".into());
        }
        for (kind, d) in &o.differences {
            line(
                &mut out,
                format!(
                    "  INFORMATIONAL {} × {kind} (first: conversation {})",
                    d.count, d.example
                ),
            );
        }
    }
    if let Some(cx) = &o.counterexample {
        line(
            &mut out,
            format!(
                "COUNTEREXAMPLE: conversation {} shrunk in {} steps to {} frame(s){}",
                cx.index,
                cx.shrink_steps,
                cx.minimal.pieces.len(),
                if cx.confirmed {
                    ", failed again when re-run"
                } else {
                    "; it did not fail again when re-run (flaky?)"
                }
            ),
        );
        line(&mut out, format!("  {}", failed_line(&cx.played)));
        line(
            &mut out,
            format!("  sends {}", cx.minimal.handshake.describe()),
        );
        for f in cx.minimal.describe() {
            line(&mut out, format!("    {f}"));
        }
        line(
            &mut out,
            format!(
                "  expects {}",
                super::search::predict(&cx.minimal).describe()
            ),
        );
    }
    if let Some(c) = &o.crash {
        line(
            &mut out,
            format!(
                "CRASH: after conversation {} the target no longer completes a handshake and an echo",
                c.index
            ),
        );
        line(
            &mut out,
            format!("  last answer: {}", c.played.judged.detail),
        );
    }
    if o.counterexample.is_none() && o.crash.is_none() {
        line(&mut out, "no counterexample".into());
    }
    out
}
