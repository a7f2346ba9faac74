//! The JUnit XML report, for CI systems that show test results
//! ([docs/report-format.md](../../../docs/report-format.md#the-junit-xml-report)).

use crate::run::{CaseResult, RunReport};
use crate::verdict::{CloseOutcome, Closer, Verdict};
use crate::wire::{Dir, WireEvent};
use std::fmt::Write;

/// Escape text for XML 1.0 content and attribute values.
///
/// Characters XML 1.0 forbids (C0 controls other than tab, LF and CR, and
/// U+FFFE/U+FFFF) cannot appear even as character references, so they are
/// written as `\xNN` / `\u{NNNN}`, the notation of the wire log. C1 controls
/// are allowed but invisible and rejected by HTML, so they get the same
/// treatment. In attributes, tab, LF and CR become character references,
/// since attribute normalization would turn them into spaces.
pub fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' if attribute => {
                let _ = write!(out, "&#{};", c as u32);
            }
            '\t' | '\n' | '\r' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            _ => out.push(c),
        }
    }
    out
}

fn text(s: &str) -> String {
    escape(s, false)
}

fn attr(s: &str) -> String {
    escape(s, true)
}

fn seconds(ms: u64) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}

/// A close verdict in one line, as the JUnit and console bodies show it.
pub fn close_line(c: &CloseOutcome) -> String {
    let by = match c.closed_by {
        Closer::Suite => "the suite",
        Closer::Target => "the target",
        Closer::Nobody => "nobody",
    };
    let code = c.code.map_or_else(|| "none".to_string(), |c| c.to_string());
    format!(
        "{} (closed by {by}, code {code}, {}) — {}",
        c.verdict,
        if c.clean { "clean" } else { "not clean" },
        c.detail
    )
}

/// The wire log as aligned text lines (the data is already escaped text).
fn wire_lines(wire: &[WireEvent]) -> String {
    let mut out = String::new();
    for e in wire {
        let dir = match e.dir {
            Dir::Send => "send",
            Dir::Recv => "recv",
            Dir::Event => "event",
        };
        let _ = writeln!(
            out,
            "{:>6} ms  #{}  {:<5} {:>6}  {}",
            e.at_ms, e.conn, dir, e.len, e.data
        );
    }
    out
}

/// Everything a reader needs to judge a case without the other reports.
fn case_body(r: &CaseResult, with_wire: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "verdict: {}", r.verdict);
    let _ = writeln!(out, "detail: {}", r.detail);
    if let Some(rule) = &r.rests_on {
        let _ = writeln!(out, "rests on: {}: \"{}\"", rule.section, rule.requirement);
    }
    if let Some(c) = &r.close {
        let _ = writeln!(out, "close: {}", close_line(c));
    }
    let _ = writeln!(out, "title: {}", r.title);
    let _ = writeln!(out, "section: {}", r.section);
    let _ = writeln!(out, "requirement: {}", r.requirement);
    let _ = writeln!(out, "sends: {}", r.sends);
    let _ = writeln!(out, "expects: {}", r.expects);
    if let Some(a) = &r.autobahn {
        let _ = writeln!(out, "autobahn: {a}");
    }
    if with_wire {
        let _ = writeln!(out, "wire:");
        out.push_str(&wire_lines(&r.wire));
    }
    out
}

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    ms: u64,
}

impl Counts {
    fn add(&mut self, r: &CaseResult) {
        self.tests += 1;
        self.ms += r.duration_ms;
        match r.verdict {
            Verdict::Failed => self.failures += 1,
            Verdict::Error => self.errors += 1,
            Verdict::Unimplemented => self.skipped += 1,
            Verdict::Ok | Verdict::NonStrict | Verdict::Informational => {}
        }
    }
}

fn testcase(out: &mut String, group: &str, r: &CaseResult) {
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
        attr(&r.id),
        attr(group),
        seconds(r.duration_ms)
    );
    match r.verdict {
        Verdict::Ok => out.push_str("/>\n"),
        Verdict::Failed => {
            let _ = write!(
                out,
                ">\n      <failure message=\"{}\" type=\"FAILED\">{}</failure>\n    </testcase>\n",
                attr(&r.detail),
                text(&case_body(r, true))
            );
        }
        Verdict::Error => {
            let _ = write!(
                out,
                ">\n      <error message=\"{}\" type=\"ERROR\">{}</error>\n    </testcase>\n",
                attr(&r.detail),
                text(&case_body(r, true))
            );
        }
        Verdict::Unimplemented => {
            let _ = write!(
                out,
                ">\n      <skipped message=\"{}\"/>\n      <system-out>{}</system-out>\n    </testcase>\n",
                attr(&r.detail),
                text(&case_body(r, false))
            );
        }
        Verdict::NonStrict | Verdict::Informational => {
            let _ = write!(
                out,
                ">\n      <system-out>{}</system-out>\n    </testcase>\n",
                text(&case_body(r, false))
            );
        }
    }
}

pub fn render(report: &RunReport) -> String {
    // Groups in the order their first case appears, as the console report.
    let groups = super::grouped(&report.results);
    let mut total = Counts::default();
    for r in &report.results {
        total.add(r);
    }

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"voxproof\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">",
        total.tests,
        total.failures,
        total.errors,
        total.skipped,
        seconds(report.duration.as_millis() as u64)
    );
    for (key, label, cases) in &groups {
        let mut counts = Counts::default();
        for r in cases {
            counts.add(r);
        }
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">",
            attr(key),
            counts.tests,
            counts.failures,
            counts.errors,
            counts.skipped,
            seconds(counts.ms)
        );
        out.push_str("    <properties>\n");
        for (name, value) in [
            ("label", label.as_str()),
            ("target", report.target.as_str()),
            ("voxproof.version", env!("CARGO_PKG_VERSION")),
        ] {
            let _ = writeln!(
                out,
                "      <property name=\"{name}\" value=\"{}\"/>",
                attr(value)
            );
        }
        for w in &report.warnings {
            let _ = writeln!(
                out,
                "      <property name=\"warning\" value=\"{}\"/>",
                attr(w)
            );
        }
        out.push_str("    </properties>\n");
        for r in cases {
            testcase(&mut out, key, r);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_forbidden_characters() {
        assert_eq!(
            escape("<a href='x'>&\"</a>", false),
            "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(escape("a\u{0}b\u{1b}c\u{7f}", false), "a\\x00b\\x1bc\\x7f");
        assert_eq!(escape("\u{fffe}", false), "\\u{fffe}");
        assert_eq!(escape("a\tb\nc\r", false), "a\tb\nc\r");
        assert_eq!(escape("a\tb\nc\r", true), "a&#9;b&#10;c&#13;");
        assert_eq!(escape("§ — ü 😀", true), "§ — ü 😀");
    }
}
