//! The JSON report (format documented in docs/report-format.md; other
//! programs read it, so fields are only ever added).

use crate::run::{CaseResult, RunReport};
use crate::verdict::Verdict;
use serde::Serialize;
use std::collections::BTreeMap;

pub const TOOL: &str = "voxproof";

#[derive(Serialize)]
struct Json<'a> {
    tool: &'static str,
    version: &'static str,
    target: &'a str,
    /// Where the auth cases went, when not to `target`.
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_target: Option<&'a str>,
    /// What weakens the verdicts (e.g. an unchecked certificate).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    warnings: &'a [String],
    duration_ms: u64,
    summary: BTreeMap<&'static str, usize>,
    cases: &'a [CaseResult],
}

pub fn render(report: &RunReport) -> String {
    let summary = report
        .summary()
        .into_iter()
        .map(|(v, n): (Verdict, usize)| (v.as_str(), n))
        .collect();
    let json = Json {
        tool: TOOL,
        version: env!("CARGO_PKG_VERSION"),
        target: &report.target,
        auth_target: report.auth_target.as_deref(),
        warnings: &report.warnings,
        duration_ms: report.duration.as_millis() as u64,
        summary,
        cases: &report.results,
    };
    let mut s = serde_json::to_string_pretty(&json).expect("report values serialize");
    s.push('\n');
    s
}
