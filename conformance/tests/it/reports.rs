//! The JUnit and HTML reports: structure, counts and escaping, on a real run
//! against the embedded reference and on a synthetic run with every verdict
//! and hostile text.

use crate::common;

use std::process::Command;
use std::time::Duration;
use voxproof_conformance::run::{CaseResult, RunConfig, RunReport};
use voxproof_conformance::verdict::{CloseOutcome, Closer, Verdict};
use voxproof_conformance::wire::{Dir, WireEvent};
use voxproof_conformance::{embedded, registry, report};

/// Text no report may show raw: markup, quotes and characters XML 1.0 forbids.
const HOSTILE: &str = "<script>alert('x')</script> & \"q\" ]]> \u{0}\u{7}\u{1b}\u{fffe}";
/// How that text reads once escaped and parsed back.
const HOSTILE_READ: &str = "<script>alert('x')</script> & \"q\" ]]> \\x00\\x07\\x1b\\u{fffe}";

fn case(id: &str, verdict: Verdict, detail: &str) -> CaseResult {
    CaseResult {
        id: id.into(),
        title: format!("title of {id}"),
        section: "RFC 6455 §4.2.1".into(),
        requirement: format!("requirement of {id}"),
        sends: format!("what {id} sends"),
        expects: format!("what {id} expects"),
        autobahn: None,
        verdict,
        detail: detail.into(),
        rests_on: None,
        close: None,
        duration_ms: 1500,
        wire: vec![
            WireEvent {
                at_ms: 0,
                conn: 1,
                dir: Dir::Event,
                len: 0,
                data: "connected to 127.0.0.1:9".into(),
            },
            WireEvent {
                at_ms: 1,
                conn: 1,
                dir: Dir::Send,
                len: 18,
                data: "GET / HTTP/1.1\\r\\n\\r\\n".into(),
            },
            WireEvent {
                at_ms: 2,
                conn: 1,
                dir: Dir::Recv,
                len: 22,
                data: "</td></tr><b>\\x00".into(),
            },
        ],
    }
}

/// Every verdict, a FAILED with a close verdict and hostile text in details.
fn synthetic() -> RunReport {
    let mut failed_close = case(
        "framing.5_5_1.close-failed",
        Verdict::Failed,
        "echoed a bad frame",
    );
    failed_close.close = Some(CloseOutcome {
        verdict: Verdict::Failed,
        detail: "closed with 1000 instead of 1002".into(),
        closed_by: Closer::Target,
        code: Some(1000),
        clean: false,
    });
    let mut hostile = case("handshake.http.hostile", Verdict::Failed, HOSTILE);
    hostile.title = HOSTILE.into();
    hostile.requirement = HOSTILE.into();
    hostile.wire.push(WireEvent {
        at_ms: 3,
        conn: 1,
        dir: Dir::Event,
        len: 0,
        data: HOSTILE.into(),
    });
    let mut informational = case(
        "handshake.http.large-header",
        Verdict::Informational,
        "took a 64 KiB header",
    );
    informational.autobahn = Some("1.1.1".into());
    RunReport {
        target: "ws://127.0.0.1:9/echo?a=1&b=<2>".into(),
        auth_target: None,
        warnings: Vec::new(),
        duration: Duration::from_millis(2345),
        results: vec![
            case("handshake.4_2_1.baseline", Verdict::Ok, "101 as required"),
            case(
                "handshake.4_2_1.key-missing",
                Verdict::NonStrict,
                "refused with 426 (the RFC suggests 400)",
            ),
            informational,
            hostile,
            case(
                "framing.5_5_1.needs-extension",
                Verdict::Unimplemented,
                "permessage-deflate not negotiated",
            ),
            failed_close,
            case(
                "handshake.4_2_1.method-post",
                Verdict::Ok,
                "refused with 405",
            ),
        ],
    }
}

fn attr<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
    node.attribute(name)
        .unwrap_or_else(|| panic!("{:?} lacks {name}", node.tag_name().name()))
}

fn count(node: roxmltree::Node, name: &str) -> usize {
    attr(node, name).parse().expect("a count")
}

fn elements<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    name: &'static str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    node.children()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

#[test]
fn junit_counts_placement_and_escaping() {
    let report = synthetic();
    let xml = report::junit::render(&report);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(count(root, "tests"), 7);
    assert_eq!(count(root, "failures"), 2);
    assert_eq!(count(root, "skipped"), 1);
    assert_eq!(count(root, "errors"), 0);
    assert_eq!(attr(root, "time"), "2.345");

    // One suite per group, in the order the groups first appear.
    let suites: Vec<_> = elements(root, "testsuite").collect();
    let names: Vec<&str> = suites.iter().map(|s| attr(*s, "name")).collect();
    assert_eq!(
        names,
        ["handshake.4_2_1", "handshake.http", "framing.5_5_1"]
    );
    let expected = [(3, 0, 0, "4.500"), (2, 1, 0, "3.000"), (2, 1, 1, "3.000")];
    for (suite, (tests, failures, skipped, time)) in suites.iter().zip(expected) {
        let name = attr(*suite, "name");
        assert_eq!(count(*suite, "tests"), tests, "{name}");
        assert_eq!(count(*suite, "failures"), failures, "{name}");
        assert_eq!(count(*suite, "skipped"), skipped, "{name}");
        assert_eq!(attr(*suite, "time"), time, "{name}");
        assert_eq!(elements(*suite, "testcase").count(), tests, "{name}");
        let label = elements(*suite, "properties")
            .flat_map(|p| elements(p, "property"))
            .find(|p| attr(*p, "name") == "label")
            .map(|p| attr(p, "value"));
        assert_eq!(
            label,
            Some(registry::group(&format!("{name}.x")).1.as_str())
        );
    }

    for tc in doc.descendants().filter(|n| n.has_tag_name("testcase")) {
        let id = attr(tc, "name");
        let r = report
            .results
            .iter()
            .find(|r| r.id == id)
            .expect("known id");
        assert_eq!(attr(tc, "classname"), registry::group(id).0);
        assert_eq!(attr(tc, "time"), "1.500");
        let failure = elements(tc, "failure").next();
        let skipped = elements(tc, "skipped").next();
        let out = elements(tc, "system-out").next().and_then(|n| n.text());
        match r.verdict {
            Verdict::Ok => assert_eq!(tc.children().filter(|n| n.is_element()).count(), 0),
            Verdict::Failed => {
                let f = failure.expect("FAILED has <failure>");
                assert!(skipped.is_none());
                let body = f.text().expect("failure body");
                for part in [&r.sends, &r.expects, "GET / HTTP/1.1\\r\\n\\r\\n"] {
                    assert!(body.contains(part), "{id}: body lacks {part}: {body}");
                }
                assert!(body.contains("</td></tr><b>\\x00"), "{body}");
                if id == "handshake.http.hostile" {
                    assert_eq!(attr(f, "message"), HOSTILE_READ);
                    assert!(body.contains(&format!("requirement: {HOSTILE_READ}")));
                } else {
                    assert_eq!(attr(f, "message"), r.detail);
                    assert!(body.contains(&format!("requirement: {}", r.requirement)));
                    assert!(
                        body.contains("close: FAILED (closed by the target, code 1000, not clean)"),
                        "{body}"
                    );
                }
            }
            Verdict::Error => unreachable!("{id}: no adapter in a run"),
            Verdict::Unimplemented => {
                assert!(failure.is_none());
                assert_eq!(attr(skipped.expect("<skipped>"), "message"), r.detail);
            }
            Verdict::NonStrict | Verdict::Informational => {
                assert!(failure.is_none() && skipped.is_none(), "{id} passes");
                let out = out.expect("<system-out>");
                assert!(out.contains(&format!("verdict: {}", r.verdict)), "{out}");
                assert!(out.contains(&format!("detail: {}", r.detail)), "{out}");
            }
        }
    }
    // The target sits in an attribute, escaped.
    assert!(xml.contains("value=\"ws://127.0.0.1:9/echo?a=1&amp;b=&lt;2&gt;\""));
}

/// Check that every tag outside `<style>` and `<script>` is closed in order
/// (void elements aside): enough to tell that no text broke out of its element.
fn assert_balanced(html: &str) {
    const VOID: [&str; 5] = ["meta", "input", "br", "col", "!doctype"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').expect("tag closed by >");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '!'),
            "odd tag <{tag}>"
        );
        if VOID.contains(&name.as_str()) {
            continue;
        }
        if closing {
            assert_eq!(stack.pop().as_deref(), Some(name.as_str()), "at </{name}>");
        } else if name == "style" || name == "script" {
            let close = format!("</{name}>");
            let at = rest.find(&close).expect("raw text element closed");
            rest = &rest[at + close.len()..];
        } else {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

#[test]
fn the_balance_check_sees_broken_markup() {
    for broken in ["<p><b></p>", "<td>a</td></tr>", "<p>", "<p>a<b</p>"] {
        assert!(
            std::panic::catch_unwind(|| assert_balanced(broken)).is_err(),
            "{broken}"
        );
    }
    assert_balanced("<!DOCTYPE html><p><br>x<style>p<b {}</style></p>");
}

#[test]
fn html_is_balanced_complete_and_escaped() {
    let report = synthetic();
    let html = report::html::render(&report);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_balanced(&html);
    for r in &report.results {
        assert!(
            html.contains(&format!("id=\"case-{}\"", r.id)),
            "{} has no section",
            r.id
        );
        assert!(html.contains(&format!("href=\"#case-{}\"", r.id)));
    }
    // Hostile text shows escaped, never as markup, and controls are gone.
    assert_eq!(html.matches("<script>").count(), 1, "only the page's own");
    assert!(html.contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;q&quot;"));
    assert!(html.contains("\\x00\\x07\\x1b\\u{fffe}"));
    assert!(!html
        .chars()
        .any(|c| (c.is_control() && !matches!(c, '\n' | '\t')) || c == '\u{fffe}'));
    assert!(html.contains("&lt;/td&gt;&lt;/tr&gt;&lt;b&gt;"));
    // Summary counts and the close verdict of the FAILED case.
    for (n, v) in [(2, "OK"), (1, "NON-STRICT"), (1, "INFORMATIONAL")] {
        assert!(html.contains(&format!("<b>{n}</b>{v}</label>")), "{v}");
    }
    assert!(
        html.contains("<b>2</b>FAILED</label>") && html.contains("<b>1</b>UNIMPLEMENTED</label>")
    );
    assert!(html.contains("closed with 1000 instead of 1002"));
    assert!(html.contains("closed by target, code 1000, not clean"));
    // Nothing loads from elsewhere.
    for external in ["src=", "<link", "@import", "url("] {
        assert!(!html.contains(external), "{external}");
    }
}

#[test]
fn reports_of_a_reference_run() {
    let (_server, target) = embedded::start().expect("reference starts");
    let cases = registry::select(registry::all(), &["handshake.4_2_2".into()], &[]);
    let report = common::run_patiently(&target, &cases, RunConfig::default());

    let xml = report::junit::render(&report);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(count(root, "tests"), cases.len());
    assert_eq!(count(root, "failures"), 0);
    let names: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|n| attr(n, "name"))
        .collect();
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_ref()).collect();
    assert_eq!(names, ids);

    let html = report::html::render(&report);
    assert_balanced(&html);
    for id in ids {
        assert!(html.contains(&format!("id=\"case-{id}\"")), "{id}");
    }
    assert!(html.contains("d-send") && html.contains("d-recv"));
}

fn voxproof(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_voxproof"))
        .args(args)
        .env_remove("CI")
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_writes_junit_and_html() {
    let dir = std::env::temp_dir().join(format!("voxproof-reports-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (junit, html) = (dir.join("report.xml"), dir.join("report.html"));
    let (code, out, err) = voxproof(&[
        "run",
        "--cases",
        "handshake.4_2_2",
        "--junit",
        junit.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    // stderr is a pipe here: no progress bar, only one line per finished
    // group, and nothing in the report.
    assert!(
        err.lines()
            .all(|l| l.starts_with("handshake.4_2_2: done, ")),
        "{err}"
    );
    assert!(out.starts_with("voxproof "), "{out}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let n = registry::select(registry::all(), &["handshake.4_2_2".into()], &[]).len();
    assert_eq!(count(doc.root_element(), "tests"), n);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_balanced(&page);

    // The flattened top-level form takes the same flags; a write failure is
    // one line and exit 2.
    let missing = dir.join("no-such-dir").join("report.xml");
    let (code, _, err) = voxproof(&[
        "--cases",
        "handshake.4_2_2",
        "--junit",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    // Besides the lines of finished groups (stderr is not a terminal).
    let err: String = err
        .lines()
        .filter(|l| !l.starts_with("handshake.4_2_2: done, "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: cannot write the JUnit report"),
        "{err}"
    );
    let missing = dir.join("no-such-dir").join("report.html");
    let (code, _, err) = voxproof(&[
        "--cases",
        "handshake.4_2_2",
        "--html",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("error: cannot write the HTML report")),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn console_cites_what_a_failure_rests_on_and_folds_what_did_not_run() {
    let mut report = synthetic();
    let mut no_upgrade = case(
        "handshake.4_2_2.version-14",
        Verdict::Failed,
        "426 response without an Upgrade field",
    );
    no_upgrade.rests_on = Some(voxproof_conformance::rule::Cited {
        section: "RFC 9110 §15.5.22".into(),
        requirement: "The server MUST send an Upgrade header field in a 426 response".into(),
    });
    report.results.push(no_upgrade);
    for i in 0..3 {
        report.results.push(case(
            &format!("voice.codec.case-{i}"),
            Verdict::Unimplemented,
            "pass --profile voice",
        ));
    }
    for i in 0..2 {
        report.results.push(case(
            &format!("framing.5_5_1.ext-{i}"),
            Verdict::Unimplemented,
            "permessage-deflate not negotiated",
        ));
    }
    let out = voxproof_conformance::report::console::render(&report, false);
    let lines: Vec<&str> = out.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in\n{out}"))
    };
    // The rule a failure rests on, under it: its own, or the one it names.
    let failed = at("FAILED        handshake.4_2_2.version-14");
    assert_eq!(
        lines[failed + 1],
        "    rests on RFC 9110 §15.5.22: \"The server MUST send an Upgrade header field in a 426 response\""
    );
    let hostile = at("FAILED        handshake.http.hostile");
    assert!(lines[hostile + 1].starts_with("    rests on RFC 6455 §4.2.1: \""));
    // A domain that did not run is one line; so are a group's cases sharing a reason.
    assert!(
        lines.contains(&"voice: 3 cases not run — pass --profile voice"),
        "{out}"
    );
    assert!(!out.contains("voice.codec.case-"), "{out}");
    assert_eq!(
        out.matches("permessage-deflate not negotiated").count(),
        1,
        "{out}"
    );
    assert!(
        out.contains("framing.5_5_1.needs-extension and 2 more  permessage-deflate"),
        "{out}"
    );
    // --verbose lists every case.
    let verbose = voxproof_conformance::report::console::render(&report, true);
    assert!(verbose.contains("voice.codec.case-2"), "{verbose}");
    assert_eq!(
        verbose.matches("permessage-deflate not negotiated").count(),
        3
    );
}
