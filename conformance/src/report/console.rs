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

/// Render the report; `verbose` lists every case, not only those that are
/// not OK, and every UNIMPLEMENTED case on its own line. Without it, a
/// domain none of whose cases ran is one line naming what enables it, and
/// UNIMPLEMENTED cases sharing a reason within a section are one line.
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
    for w in &report.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    let groups = super::grouped(&report.results);
    let mut collapsed: Vec<&str> = Vec::new();
    for (key, section, results) in &groups {
        let domain = key.split('.').next().unwrap_or("");
        if !verbose && domain_not_run(&groups, domain) {
            if !collapsed.contains(&domain) {
                collapsed.push(domain);
                not_run_line(&mut out, &groups, domain);
            }
            continue;
        }
        let mut counts = BTreeMap::new();
        for r in results {
            *counts.entry(r.verdict).or_insert(0) += 1;
        }
        let _ = writeln!(
            out,
            "\n{section}  ({}: {})",
            super::cases_count(results.len()),
            counts_line(&counts)
        );
        let mut reasons_done: Vec<&str> = Vec::new();
        for r in results
            .iter()
            .filter(|r| verbose || r.verdict != Verdict::Ok)
        {
            if !verbose && r.verdict == Verdict::Unimplemented {
                if reasons_done.contains(&r.detail.as_str()) {
                    continue;
                }
                reasons_done.push(&r.detail);
                let same = results
                    .iter()
                    .filter(|o| o.verdict == Verdict::Unimplemented && o.detail == r.detail)
                    .count();
                if same > 1 {
                    let _ = writeln!(
                        out,
                        "  {:<13} {} and {} more  {}",
                        r.verdict.as_str(),
                        r.id,
                        same - 1,
                        r.detail
                    );
                    continue;
                }
            }
            let _ = writeln!(out, "  {:<13} {}  {}", r.verdict.as_str(), r.id, r.detail);
            if r.verdict == Verdict::Failed || r.rests_on.is_some() {
                let (citation, text) = match &r.rests_on {
                    Some(rule) => (&rule.section, &rule.requirement),
                    None => (&r.section, &r.requirement),
                };
                if !text.is_empty() {
                    let _ = writeln!(out, "    rests on {citation}: \"{text}\"");
                }
            }
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

/// Every case of `domain` is UNIMPLEMENTED.
fn domain_not_run(groups: &[super::Group<'_>], domain: &str) -> bool {
    let mut cases = groups
        .iter()
        .filter(|(key, _, _)| key.split('.').next() == Some(domain))
        .flat_map(|(_, _, results)| results);
    cases.all(|r| r.verdict == Verdict::Unimplemented)
}

/// `auth: 31 cases not run — pass --jwt-secret S …`: the domain's cases,
/// counted, and each reason they give (the flag that enables them).
fn not_run_line(out: &mut String, groups: &[super::Group<'_>], domain: &str) {
    let mut reasons: Vec<(&str, usize)> = Vec::new();
    let mut total = 0;
    for r in groups
        .iter()
        .filter(|(key, _, _)| key.split('.').next() == Some(domain))
        .flat_map(|(_, _, results)| results)
    {
        total += 1;
        match reasons.iter_mut().find(|(d, _)| *d == r.detail) {
            Some((_, n)) => *n += 1,
            None => reasons.push((&r.detail, 1)),
        }
    }
    let reasons = match reasons.as_slice() {
        [(only, _)] => only.to_string(),
        many => many
            .iter()
            .map(|(d, n)| format!("{d} ({})", super::cases_count(*n)))
            .collect::<Vec<_>>()
            .join("; "),
    };
    let _ = writeln!(
        out,
        "\n{domain}: {} not run — {reasons}",
        super::cases_count(total)
    );
}
