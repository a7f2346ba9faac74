//! `voxproof fuzz`: a bounded run against the reference finds nothing; against
//! faulty echo servers it finds each fault, shrinks it to a few frames and
//! the case file replays to the same verdict; the same seed gives the same
//! conversations; the oracle agrees with the reference in memory.

use crate::common::faulty::{self, Hooks};
use crate::faulty_framing::{echo_server, Faults, F};
use proptest::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use voxproof_conformance::fuzzing::live_oracle;
use voxproof_conformance::livefuzz::cli::replay_file;
use voxproof_conformance::livefuzz::conversation::{conversation, Handshake};
use voxproof_conformance::livefuzz::report::{self, CaseFile};
use voxproof_conformance::livefuzz::search::{self, Limit, Outcome, Settings};
use voxproof_conformance::target::Target;
use voxproof_conformance::verdict::Verdict;
use voxproof_reference::response::Rejection;

fn settings(seed: u64, cases: u64) -> Settings {
    Settings {
        seed,
        limit: Limit::Cases(cases),
        jobs: 2,
        timeout: Duration::from_secs(5),
        against: None,
        keep_going: false,
    }
}

fn fuzz(target: &Target, seed: u64, cases: u64) -> Outcome {
    search::run(target, &settings(seed, cases), &|_| {})
}

#[test]
fn fuzz_live_reference_has_no_counterexample() {
    let (_handle, target) = voxproof_conformance::embedded::start().unwrap();
    let out = fuzz(&target, 6455, 200);
    let s = settings(6455, 200);
    assert!(
        out.counterexample.is_none() && out.crash.is_none(),
        "{}",
        report::console(&target.url, None, &s, &out)
    );
    assert_eq!(out.conversations, 200);
    // The JSON report parses and counts every conversation.
    let json: serde_json::Value =
        serde_json::from_str(&report::json(&target.url, None, &s, &out)).unwrap();
    let total: u64 = json["summary"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, 200);
}

/// A faulty echo server: `f`'s switches, and silence once `crashed` is set.
fn faulty(f: Faults, crashed: Option<&'static AtomicBool>) -> Target {
    let hooks: Hooks = echo_server(f);
    let hooks = match crashed {
        Some(flag) => hooks
            .refuse_first(move |_| {
                flag.load(Ordering::SeqCst)
                    .then(|| Rejection::new(503, "crashed"))
            })
            .silent_on(|r| r.status == 503),
        None => hooks,
    };
    faulty::serve(hooks)
}

/// Fuzz `target` until a counterexample: it must be at most `max_frames`
/// frames, and its case file must replay to FAILED.
fn finds(name: &str, target: &Target, max_frames: usize) -> String {
    let s = settings(1, 400);
    let out = search::run(target, &s, &|_| {});
    let text = report::console(&target.url, None, &s, &out);
    let cx = out
        .counterexample
        .as_ref()
        .unwrap_or_else(|| panic!("{name}: no counterexample\n{text}"));
    assert!(out.crash.is_none(), "{name}: {text}");
    assert!(
        cx.minimal.pieces.len() <= max_frames,
        "{name}: shrunk only to {} frames\n{text}",
        cx.minimal.pieces.len()
    );
    assert!(cx.confirmed, "{name}: {text}");
    assert_eq!(cx.played.judged.verdict, Verdict::Failed);
    let rule = cx
        .played
        .judged
        .rule
        .as_ref()
        .expect("a FAILED line rests on a rule");
    assert_eq!(rule.rfc, "RFC 6455", "{name}: {text}");
    // The case file, written and read back, replays to the same verdict.
    let p = search::predict(&cx.minimal);
    let file = CaseFile::new(
        &target.url,
        false,
        s.seed,
        cx.index,
        &cx.minimal,
        &p,
        &cx.played,
    );
    let back = CaseFile::parse(&file.render()).unwrap();
    assert_eq!(back.writes, cx.minimal.writes());
    let again = replay_file(&back, target, Duration::from_secs(5));
    assert_eq!(
        again.judged.verdict,
        Verdict::Failed,
        "{name}: replay: {}",
        again.judged.detail
    );
    assert_eq!(again.judged.rule, cx.played.judged.rule, "{name}");
    text
}

#[test]
fn fuzz_live_finds_and_shrinks_each_fault() {
    let rows: [(&str, Faults, &str); 5] = [
        (
            "no UTF-8 check",
            Faults {
                no_utf8_check: true,
                ..F
            },
            "8.1",
        ),
        (
            "reserved opcodes ignored",
            Faults {
                ignore_reserved_opcodes: true,
                ..F
            },
            "5.2",
        ),
        (
            "any close code accepted",
            Faults {
                any_close_code: true,
                ..F
            },
            "",
        ),
        (
            "no close reply",
            Faults {
                no_close_reply: true,
                ..F
            },
            "5.5.1",
        ),
        ("no pong", Faults { no_pong: true, ..F }, "5.5.2"),
    ];
    for (name, f, section) in rows {
        let target = faulty(f, None);
        let text = finds(name, &target, 3);
        assert!(
            text.contains(&format!("RFC 6455 §{section}")),
            "{name}: {text}"
        );
    }
}

#[test]
fn fuzz_live_reports_a_crash_apart() {
    static CRASHED: AtomicBool = AtomicBool::new(false);
    let target = faulty(
        Faults {
            crash_on_64bit_length: Some(&CRASHED),
            ..F
        },
        Some(&CRASHED),
    );
    let s = settings(1, 400);
    let out = search::run(&target, &s, &|_| {});
    let text = report::console(&target.url, None, &s, &out);
    assert!(CRASHED.load(Ordering::SeqCst), "{text}");
    assert!(out.crash.is_some(), "{text}");
    assert!(out.counterexample.is_none(), "{text}");
    assert!(text.contains("CRASH"), "{text}");
    let cases = report::cases(&s, &out);
    assert!(cases[0].id.ends_with(".crash"), "{text}");
}

#[test]
fn fuzz_live_same_seed_same_conversations() {
    let list = |seed: u64| {
        (0..64)
            .map(|i| search::generate(seed, i))
            .collect::<Vec<_>>()
    };
    assert_eq!(list(7), list(7));
    assert_ne!(list(7), list(8));
    // Any order of asking (as workers do) gives the same conversation.
    let backwards: Vec<_> = (0..64).rev().map(|i| search::generate(7, i)).collect();
    assert_eq!(backwards.into_iter().rev().collect::<Vec<_>>(), list(7));
    // The generator covers the handshake variants and the frame kinds.
    let many: Vec<_> = (0..400).map(|i| search::generate(1, i)).collect();
    assert!(many.iter().any(|c| c.handshake != Handshake::Valid));
    let frames: Vec<String> = many.iter().flat_map(|c| c.describe()).collect();
    for word in [
        "continuation",
        "ping",
        "close",
        "unmasked",
        "64-bit length",
        "RSV",
        "opcode 0x",
    ] {
        assert!(
            frames.iter().any(|f| f.contains(word)),
            "no {word} frame in 400 conversations"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
    /// What the reference answers in memory is what the oracle allows.
    #[test]
    fn fuzz_live_oracle_agrees_with_the_reference(c in conversation()) {
        prop_assert_eq!(live_oracle::check(&c), Ok(()));
    }
}

#[test]
fn fuzz_live_command_line() {
    use crate::common::{one_line_error, voxproof};
    one_line_error(&["fuzz", "--target", "ws://127.0.0.1:1/"], "127.0.0.1:1");
    one_line_error(&["fuzz", "--cases", "0"], "positive");
    one_line_error(
        &["replay", "/nonexistent/case.json"],
        "/nonexistent/case.json",
    );
    let dir = std::env::temp_dir().join(format!("voxproof-fuzz-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let junk = dir.join("junk.json");
    std::fs::write(&junk, "{\"format\": 1}").unwrap();
    one_line_error(&["replay", junk.to_str().unwrap()], "not a case file");

    // The embedded reference: nothing found, exit 0, a JSON report.
    let json = dir.join("run.json");
    let (code, out, err) = voxproof(&[
        "fuzz",
        "--seed",
        "3",
        "--cases",
        "30",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("no counterexample"), "{out}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["conversations"], 30);
    assert_eq!(report["seed"], 3);
    assert_eq!(report["cases"].as_array().unwrap().len(), 0);

    // A faulty server: exit 1, a case file that `replay` plays to FAILED again.
    let target = faulty(
        Faults {
            ignore_reserved_opcodes: true,
            ..F
        },
        None,
    );
    let (code, out, err) = voxproof(&[
        "fuzz",
        "--target",
        &target.url,
        "--seed",
        "1",
        "--cases",
        "400",
        "--case-dir",
        dir.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("COUNTEREXAMPLE") && out.contains("RFC 6455 §5.2"),
        "{out}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let case = &report["cases"][0];
    assert_eq!(case["verdict"], "FAILED", "{report}");
    assert_eq!(case["section"], "RFC 6455 §5.2", "{report}");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("fuzz-case-1-")
        })
        .expect("a case file");
    let (code, out, err) = voxproof(&["replay", file.to_str().unwrap(), "--target", &target.url]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("FAILED"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
