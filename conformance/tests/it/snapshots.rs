//! Snapshots (insta) of what a reviewer should see change: the catalogue
//! `voxproof list` prints, and the JSON, JUnit and HTML reports of a full run
//! against the embedded reference (the run `cargo run -p
//! voxproof-conformance` makes). A change in any case's id, requirement,
//! verdict or detail then shows up as a snapshot diff.
//!
//! What varies from run to run is redacted or normalised first, each for a
//! reason given where it happens. Reviewing and updating the snapshots:
//! docs/report-format.md, "Snapshots".

use std::sync::OnceLock;
use std::time::Duration;
use voxproof_conformance::run::{run, CaseResult, RunConfig, RunReport};
use voxproof_conformance::verdict::Verdict;
use voxproof_conformance::wire::WireEvent;
use voxproof_conformance::{cli, embedded, registry, report};

/// `insta::assert_snapshot!`, reading and writing the snapshots where they
/// were when this file was a test binary of its own: `tests/snapshots/`,
/// named `snapshots__<name>.snap`. (As a module of the `it` binary, insta
/// would look for `tests/it/snapshots/it__snapshots__<name>.snap`.)
macro_rules! assert_snapshot {
    ($name:literal, $value:expr) => {
        insta::with_settings!(
            { snapshot_path => "../snapshots", prepend_module_to_snapshot => false },
            { insta::assert_snapshot!(concat!("snapshots__", $name), $value) }
        )
    };
}

/// What stands in for a redacted value.
const REDACTED: &str = "[redacted]";

#[test]
fn catalogue_list() {
    // What `voxproof list` prints. The Markdown form (`list --catalogue`) is
    // docs/cases.md, which tests/it/catalogue.rs already holds to the registry.
    assert_snapshot!("list", cli::catalogue_text(&registry::all()));
}

#[test]
fn json_report() {
    // Wire logs are left out: tens of MiB per run, with timings, the port,
    // tokens signed at run time under a per-start secret, and read
    // boundaries that differ every time. The JSON is edited as text, line by
    // line, to keep the report's own field order.
    let mut report = reference_run().clone();
    for r in &mut report.results {
        r.wire.clear();
    }
    let json = report::json::render(&report);
    let mut lines: Vec<String> = Vec::new();
    let (mut durations, mut wires) = (0, 0);
    for line in json.lines() {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        if body == "\"wire\": []" {
            // The last field of a case: the one before loses its comma.
            let last = lines.last_mut().expect("a field before wire");
            assert!(last.ends_with(','), "{last}");
            last.pop();
            wires += 1;
        } else if let Some(comma) = body
            .strip_prefix("\"duration_ms\": 0")
            .filter(|rest| rest.is_empty() || *rest == ",")
        {
            lines.push(format!("{indent}\"duration_ms\": \"{REDACTED}\"{comma}"));
            durations += 1;
        } else {
            lines.push(line.to_string());
        }
    }
    assert_eq!(wires, report.results.len(), "every wire log left out");
    assert_eq!(
        durations,
        report.results.len() + 1,
        "every duration redacted"
    );
    assert_snapshot!("json", lines.join("\n"));
}

#[test]
fn junit_report() {
    // Durations are zeroed before rendering, so every time attribute reads
    // 0.000; mark them as redacted rather than measured.
    let xml = report::junit::render(reference_run())
        .replace(" time=\"0.000\"", &format!(" time=\"{REDACTED}\""));
    assert!(!xml.contains(" time=\"0"), "a duration escaped redaction");
    assert_snapshot!("junit", xml);
}

#[test]
fn html_report_structure() {
    let html = report::html::render(reference_run());
    let mut out = String::from("# page structure: elements, ids and classes, text left out;\n");
    out.push_str("# a run of identical siblings is shown once, with ×N\n");
    for line in skeleton(&html) {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("\n# summary\n");
    out.push_str(&summary(&html));
    out.push_str("\n# cases table: group rows, then id, verdict and close verdict of each case\n");
    out.push_str(&case_rows(&html));
    assert_snapshot!("html", out);
}

// ------------------------------------------------------------------ the run

/// One full run, normalised, shared by the report snapshots.
pub(crate) fn reference_run() -> &'static RunReport {
    static RUN: OnceLock<RunReport> = OnceLock::new();
    RUN.get_or_init(|| {
        let embedded = embedded::start_with_auth().expect("reference starts");
        let cases = registry::all();
        let config = RunConfig {
            auth: Some(embedded.auth.clone()),
            // The CLI's 2 s deadline leaves a loaded machine less room; as
            // tests/it/reference_run.rs does, give each case 10 s.
            timeout: Duration::from_secs(10),
            ..RunConfig::default()
        };
        let mut report = run(&embedded.target, &cases, &config, &|_| {});
        assert_eq!(report.results.len(), cases.len());
        // The reference ends every connection with a close frame and a
        // lingering close, so a lost close frame is a defect, not noise.
        let lost: Vec<&str> = report
            .results
            .iter()
            .filter(|r| close_frame_lost(r))
            .map(|r| r.id.as_str())
            .collect();
        assert!(lost.is_empty(), "close frames lost: {lost:?}");
        // The sizes of the reports as `voxproof --json --html` writes them.
        let mut shortened = report.clone();
        report::shorten_wire(&mut shortened.results, report::WireDetail::Summary);
        let _ = SIZES.set((
            report::json::render(&shortened).len(),
            report::html::render(&shortened).len(),
        ));
        let addr = embedded.target.route.addr.to_string();
        normalise(&mut report, &addr);
        report
    })
}

/// Bytes of the JSON and HTML reports of the full run, wire logs summarised.
static SIZES: OnceLock<(usize, usize)> = OnceLock::new();

/// A report a person or a CI artifact viewer can open: the full run's JSON
/// and HTML stay under 3 MB (before wire logs were summarised and binary data
/// dumped as hex, they were 26 MB and 123 MB).
#[test]
fn reports_of_a_full_run_stay_small() {
    reference_run();
    let (json, html) = SIZES.get().copied().expect("sizes measured with the run");
    const LIMIT: usize = 3 << 20;
    assert!(json <= LIMIT, "JSON report {json} bytes > {LIMIT}");
    assert!(html <= LIMIT, "HTML report {html} bytes > {LIMIT}");
}

/// The case closed a WebSocket connection, but no close frame of the
/// target's was read and the closing was not clean.
fn close_frame_lost(r: &CaseResult) -> bool {
    r.close
        .as_ref()
        .is_some_and(|c| c.code.is_none() && !c.clean)
}

/// Cases whose detail reports what was measured (frame counts over a time
/// window, rates, inter-arrival times): the numbers differ every run and
/// more so under load. The verdict stays; the numbers are redacted.
const MEASURED: &[&str] = &[
    "voice.codec.pcmu-accepted",
    "voice.codec.pcma-accepted",
    "voice.room.three-party-mix",
    "voice.timing.pacing",
];

/// Units that follow a measured number in a detail.
const UNITS: &[&str] = &["frames", "mixed frames", "ms", "control events"];

fn normalise(report: &mut RunReport, addr: &str) {
    report.target = report.target.replace(addr, "127.0.0.1:[port]");
    report.auth_target = report
        .auth_target
        .as_ref()
        .map(|t| t.replace(addr, "127.0.0.1:[port]"));
    report.duration = Duration::ZERO;
    for r in &mut report.results {
        r.duration_ms = 0;
        r.wire = wire_shape(&r.wire);
        r.detail = redact(&r.id, &r.detail, addr);
        if let Some(c) = &mut r.close {
            c.detail = redact(&r.id, &c.detail, addr);
        }
        if r.verdict == Verdict::Informational {
            // The RFC leaves the behaviour open, and what the reference did
            // (which messages came back before the close, who closed) is
            // reported, not judged; it can differ with timing. The verdict
            // is kept; the close verdict, always the same as the case's,
            // goes with the rest.
            r.detail = format!("{REDACTED} (what was observed; not judged)");
            r.close = None;
        }
        // A time measured outside MEASURED would make the snapshot flaky;
        // say so here rather than through an occasional mismatch. (A FAILED
        // case differs from its snapshot anyway.)
        assert!(
            r.verdict == Verdict::Failed
                || MEASURED.contains(&r.id.as_str())
                || !has_timing(&r.detail),
            "{}: the detail carries a measurement, add the case to MEASURED: {}",
            r.id,
            r.detail
        );
    }
}

/// One event per direction seen, in the order of their first appearance,
/// with times, lengths and bytes redacted. Enough for the HTML structure
/// (which rows a wire table holds), without what differs between runs:
/// timings, tokens minted at run time, and how reads split the bytes.
fn wire_shape(wire: &[WireEvent]) -> Vec<WireEvent> {
    let mut out: Vec<WireEvent> = Vec::new();
    for e in wire {
        if !out.iter().any(|o| o.dir == e.dir) {
            out.push(WireEvent {
                at_ms: 0,
                conn: e.conn,
                dir: e.dir,
                len: 0,
                data: REDACTED.into(),
            });
        }
    }
    out
}

fn redact(id: &str, detail: &str, addr: &str) -> String {
    let detail = room_names(&detail.replace(addr, "127.0.0.1:[port]"));
    if MEASURED.contains(&id) {
        numbers_with_units(&detail)
    } else {
        detail
    }
}

/// Rooms the voice cases create (a room exists from its first join) are
/// named `vp-<tag>-<pid>-<nanos>-<n>`, so that no two runs or cases share one.
fn room_names(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("vp-") {
        out.push_str(&rest[..at + 3]);
        rest = &rest[at + 3..];
        let Some(dash) = rest.find('-') else { continue };
        let tag = &rest[..dash];
        let tail = &rest[dash + 1..];
        let numbers = tail
            .find(|c: char| !(c.is_ascii_digit() || c == '-'))
            .unwrap_or(tail.len());
        let parts = tail[..numbers].split('-').filter(|p| !p.is_empty()).count();
        if tag.chars().all(|c| c.is_ascii_lowercase()) && parts == 3 {
            out.push_str(tag);
            out.push_str("-[room]");
            rest = &tail[numbers..];
        }
    }
    out.push_str(rest);
    out
}

/// The number and where it ends, if `text[at..]` starts with a whole number
/// (digits and at most one point, not inside a word such as `p99` or `0xff`).
fn number_at(text: &str, at: usize) -> Option<usize> {
    let before = text[..at].chars().next_back();
    if before.is_some_and(|c| c.is_alphanumeric() || c == '.' || c == '/') {
        return None;
    }
    let len = text[at..]
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len() - at);
    let number = &text[at..at + len];
    let after = text[at + len..].chars().next();
    let whole = !number.is_empty()
        && number.starts_with(|c: char| c.is_ascii_digit())
        && !number.ends_with('.')
        && number.matches('.').count() <= 1
        && !after.is_some_and(|c| c.is_alphanumeric());
    whole.then_some(at + len)
}

/// Whether a number is followed by one of `UNITS`, or is a rate.
fn unit_follows(rest: &str) -> bool {
    rest.starts_with("/s")
        || UNITS.iter().any(|u| {
            rest.strip_prefix(' ')
                .and_then(|r| r.strip_prefix(u))
                .is_some_and(|r| !r.starts_with(|c: char| c.is_alphanumeric()))
        })
}

/// `text` with every number that carries a unit replaced by `[n]`.
fn numbers_with_units(text: &str) -> String {
    let mut out = String::new();
    let mut at = 0;
    while at < text.len() {
        if let Some(end) = number_at(text, at) {
            if unit_follows(&text[end..]) {
                out.push_str("[n]");
                at = end;
                continue;
            }
        }
        let c = text[at..].chars().next().expect("in bounds");
        out.push(c);
        at += c.len_utf8();
    }
    out
}

/// Whether `text` holds a time or a rate: a number followed by `ms`, `s`
/// or a unit per second. (Counts alone, such as the frames a case sent, are
/// fixed.)
fn has_timing(text: &str) -> bool {
    (0..text.len())
        .filter(|at| text.is_char_boundary(*at))
        .filter_map(|at| number_at(text, at))
        .any(|end| {
            let rest = &text[end..];
            let unit = rest
                .strip_prefix(' ')
                .and_then(|r| r.split(|c: char| !(c.is_alphanumeric() || c == '/')).next())
                .unwrap_or("");
            rest.starts_with("/s") || unit == "ms" || unit == "s" || unit.ends_with("/s")
        })
}

// ------------------------------------------------------------------ HTML

/// An element: its name with id, classes and the attributes that shape the
/// page (`for`, `name`, `type`, `colspan`, links other than to a case).
struct Element {
    label: String,
    children: Vec<Element>,
}

fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq].rsplit(' ').next().unwrap_or("").to_string();
        let value_start = eq + 2;
        let end = rest[value_start..].find('"').expect("attribute closed") + value_start;
        out.push((name, rest[value_start..end].to_string()));
        rest = &rest[end + 1..];
    }
    out
}

fn label(name: &str, tag: &str) -> String {
    let mut label = name.to_string();
    for (attr, value) in attributes(tag) {
        match attr.as_str() {
            // A case's own anchor differs per case; the shape does not.
            "id" if value.starts_with("case-") => label.push_str("#case-…"),
            "id" => label.push_str(&format!("#{value}")),
            "class" => {
                for class in value.split_whitespace() {
                    label.push('.');
                    label.push_str(class);
                }
            }
            "href" if value.starts_with("#case-") => label.push_str("[href=#case-…]"),
            "for" | "name" | "type" | "colspan" | "lang" | "charset" | "href" => {
                label.push_str(&format!("[{attr}={value}]"))
            }
            _ => {}
        }
    }
    if tag.split_whitespace().any(|w| w == "checked") {
        label.push_str("[checked]");
    }
    label
}

/// The element tree of a page we wrote (well-formed, void elements known,
/// `<style>` and `<script>` holding raw text).
fn parse(html: &str) -> Element {
    const VOID: [&str; 5] = ["meta", "input", "br", "col", "!doctype"];
    let mut stack = vec![Element {
        label: "document".into(),
        children: Vec::new(),
    }];
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').expect("tag closed by >");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if tag.starts_with('/') {
            let done = stack.pop().expect("balanced");
            stack.last_mut().expect("parent").children.push(done);
            continue;
        }
        let element = Element {
            label: label(&name, tag),
            children: Vec::new(),
        };
        if VOID.contains(&name.as_str()) {
            stack.last_mut().expect("parent").children.push(element);
        } else if name == "style" || name == "script" {
            let close = format!("</{name}>");
            let at = rest.find(&close).expect("raw text element closed");
            rest = &rest[at + close.len()..];
            stack.last_mut().expect("parent").children.push(element);
        } else {
            stack.push(element);
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    stack.pop().expect("document")
}

/// Consecutive equal blocks, each once with how many times it occurs.
fn runs(blocks: Vec<Vec<String>>) -> Vec<(Vec<String>, usize)> {
    let mut out: Vec<(Vec<String>, usize)> = Vec::new();
    for b in blocks {
        match out.last_mut() {
            Some((last, n)) if *last == b => *n += 1,
            _ => out.push((b, 1)),
        }
    }
    out
}

fn times(n: usize) -> String {
    if n > 1 {
        format!(" ×{n}")
    } else {
        String::new()
    }
}

/// One line per element, indented by depth; an element whose children are
/// all empty lists them on its own line (`tr > td ×5`).
fn render(e: &Element, depth: usize) -> Vec<String> {
    let indent = "  ".repeat(depth);
    let blocks = e.children.iter().map(|c| render(c, depth + 1)).collect();
    if !e.children.is_empty() && e.children.iter().all(|c| c.children.is_empty()) {
        let leaves: Vec<String> = runs(blocks)
            .into_iter()
            .map(|(b, n)| format!("{}{}", b[0].trim_start(), times(n)))
            .collect();
        return vec![format!("{indent}{} > {}", e.label, leaves.join(", "))];
    }
    let mut lines = vec![format!("{indent}{}", e.label)];
    for (mut block, n) in runs(blocks) {
        block[0].push_str(&times(n));
        lines.extend(block);
    }
    lines
}

fn skeleton(html: &str) -> Vec<String> {
    let doc = parse(html);
    doc.children.iter().flat_map(|c| render(c, 0)).collect()
}

/// Text of a fragment, tags removed and whitespace collapsed.
fn text(fragment: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every `<open…>…</close>` span of `html` starting with `open`, in order.
fn spans<'a>(html: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(open) {
        let end = rest[at..].find(close).expect("closed") + at + close.len();
        out.push(&rest[at..end]);
        rest = &rest[end..];
    }
    out
}

/// The header's facts and the verdict filters, as text.
fn summary(html: &str) -> String {
    let mut out = String::new();
    for meta in spans(html, "<div class=\"meta\">", "</div>") {
        // The run's wall time was zeroed: say so rather than show "0.00 s".
        let meta = text(meta).replace("duration 0.00 s", &format!("duration {REDACTED}"));
        out.push_str(&meta);
        out.push('\n');
    }
    for label in spans(html, "<label for=\"show-", "</label>") {
        out.push_str(&text(label));
        out.push('\n');
    }
    out
}

/// The cases table: each group's label and counts, then one line per case;
/// checks that each row has its details section, in the same order.
fn case_rows(html: &str) -> String {
    let mut out = String::new();
    let rows = spans(html, "<tr class=\"", "</tr>");
    let mut row_ids = Vec::new();
    for row in rows {
        if row.starts_with("<tr class=\"group\">") {
            out.push_str(&text(row));
            out.push('\n');
        } else if row.starts_with("<tr class=\"case ") {
            let id = attributes(row)
                .into_iter()
                .find(|(n, _)| n == "href")
                .map(|(_, v)| v.trim_start_matches("#case-").to_string())
                .expect("a case row links to its section");
            let badges: Vec<String> = spans(row, "<span class=\"badge ", "</span>")
                .into_iter()
                .map(text)
                .collect();
            out.push_str(&format!("  {id} {}", badges.join(" close: ")));
            out.push('\n');
            row_ids.push(format!("id=\"case-{id}\""));
        }
    }
    let sections: Vec<String> = spans(html, "<details class=\"case ", ">")
        .into_iter()
        .filter_map(|d| d.split_whitespace().find(|w| w.starts_with("id=")))
        .map(|w| w.trim_end_matches('>').to_string())
        .collect();
    assert_eq!(sections, row_ids, "details sections follow the table");
    out
}

#[test]
fn redaction_helpers() {
    assert_eq!(
        room_names("/rooms/vp-refuse-27298-788343947-2?codec=opus: 400"),
        "/rooms/vp-refuse-[room]?codec=opus: 400"
    );
    assert_eq!(
        room_names("/secure/rooms/voxproof-not-granted?codec=pcmu"),
        "/secure/rooms/voxproof-not-granted?codec=pcmu"
    );
    assert_eq!(
        numbers_with_units(
            "49.99 frames/s (100 frames in 2000 ms); inter-arrival p50 20.0 ms, p99 20.6 ms"
        ),
        "[n] frames/s ([n] frames in [n] ms); inter-arrival p50 [n] ms, p99 [n] ms"
    );
    assert_eq!(
        numbers_with_units("101; 28 frames of A-law silence (0xd5) in 500 ms; 1 control events"),
        "101; [n] frames of A-law silence (0xd5) in [n] ms; [n] control events"
    );
    assert_eq!(
        numbers_with_units("participant 1 (pcmu): 60 mixed frames exact"),
        "participant 1 (pcmu): [n] mixed frames exact"
    );
    assert!(has_timing("in 500 ms") && has_timing("49.99 frames/s") && has_timing("1.5 s"));
    assert!(!has_timing("received text 262144 bytes; closed with 1002"));
    assert!(!has_timing("pcmu: 25 frames back unchanged; p99 of it"));
}
