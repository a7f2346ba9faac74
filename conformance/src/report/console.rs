//! The console report: counts per section, then every case that is not OK.

use crate::run::RunReport;
use crate::verdict::Verdict;
use std::collections::BTreeMap;
use std::fmt::Write;

fn counts_line(counts: &BTreeMap<Verdict, usize>) -> String {
    Verdict::ALL
        .iter()
        .filter_map(|v| counts.get(v).filter(|n| **n > 0).map(|n| (v, n)))
        .map(|(v, n)| format!("{n} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Render the report; `verbose` lists every case, not only those that are not OK.
pub fn render(report: &RunReport, verbose: bool) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "voxproof {} — target {}",
        env!("CARGO_PKG_VERSION"),
        report.target
    );
    match &report.auth_target {
        Some(auth) => {
            let _ = writeln!(out, " (auth cases: {auth})");
        }
        None => out.push('\n'),
    }
    for (_, section, results) in super::grouped(&report.results) {
        let mut counts = BTreeMap::new();
        for r in &results {
            *counts.entry(r.verdict).or_insert(0) += 1;
        }
        let _ = writeln!(
            out,
            "\n{section}  ({}: {})",
            super::cases_count(results.len()),
            counts_line(&counts)
        );
        for r in results
            .iter()
            .filter(|r| verbose || r.verdict != Verdict::Ok)
        {
            let _ = writeln!(out, "  {:<13} {}  {}", r.verdict.as_str(), r.id, r.detail);
        }
    }
    let _ = writeln!(
        out,
        "\n{} in {:.2} s: {}",
        super::cases_count(report.results.len()),
        report.duration.as_secs_f64(),
        counts_line(&report.summary())
    );
    out
}
