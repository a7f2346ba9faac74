//! `voxproof vectors --exec`: the Rust adapter agrees with every corpus and
//! generated input; a faulty one gets FAILED, ERROR and UNIMPLEMENTED; the
//! messages follow the protocol's schema.

use crate::common::{one_line_error, voxproof};
use serde_json::Value;
use voxproof_conformance::adapter::{corpus, generated, protocol, reference, Corpus};

const ADAPTER: &str = env!("CARGO_BIN_EXE_voxproof-adapter");

fn report_of(args: &[&str]) -> (i32, String, Value) {
    let dir = std::env::temp_dir().join(format!(
        "voxproof-adapter-{}-{}",
        std::process::id(),
        args.join("_").len() ^ args.iter().map(|a| a.len()).product::<usize>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join(format!("{}.json", args[1]));
    let mut all: Vec<&str> = args.to_vec();
    let json_s = json.to_string_lossy().into_owned();
    all.extend(["--json", &json_s]);
    let (code, out, err) = voxproof(&all);
    assert!(err.is_empty() || code == 2, "{err}");
    let report =
        serde_json::from_slice(&std::fs::read(&json).unwrap_or_default()).unwrap_or(Value::Null);
    let _ = std::fs::remove_file(&json);
    (code, out, report)
}

fn verdicts(report: &Value) -> Vec<(String, String, String)> {
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["verdict"].as_str().unwrap().to_string(),
                c["detail"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_rust_adapter_passes_every_corpus() {
    for c in ["accept", "handshake", "frames", "jwt", "g711"] {
        let (code, out, report) =
            report_of(&["vectors", c, "--exec", ADAPTER, "--generated", "32"]);
        assert_eq!(code, 0, "{c}: {out}");
        let not_ok: Vec<_> = verdicts(&report)
            .into_iter()
            .filter(|(_, v, _)| v != "OK")
            .collect();
        // RFC 7515 A.5 (`alg: none`) is the one input the reference declines.
        let expected: Vec<(String, String, String)> = if c == "jwt" {
            vec![(
                "jwt.published.13".into(),
                "UNIMPLEMENTED".into(),
                "the adapter does not support this input: algorithm none".into(),
            )]
        } else {
            Vec::new()
        };
        assert_eq!(not_ok, expected, "{c}");
        let generated = verdicts(&report)
            .iter()
            .filter(|(id, _, _)| id.contains(".generated"))
            .count();
        assert_eq!(generated, 32 * corpus_ops(c), "{c}");
    }
}

fn corpus_ops(c: &str) -> usize {
    match c {
        "handshake" => 2,
        "g711" => 3,
        _ => 1,
    }
}

#[test]
fn a_faulty_adapter_gets_failed_error_and_unimplemented() {
    let cmd = format!(
        "{ADAPTER} --fault flip-at:2 --fault crash-at:4 --fault garbage-at:6 --fault hang-at:8 --fault omit:g711.transcode"
    );
    let (code, out, report) = report_of(&[
        "vectors",
        "g711",
        "--exec",
        &cmd,
        "--timeout-ms",
        "500",
        "--generated",
        "2",
    ]);
    assert_eq!(code, 1, "{out}");
    let v = verdicts(&report);
    let of = |id: &str| v.iter().find(|(i, _, _)| i == id).unwrap().clone();
    // Request ids count the probes from 1: pcmu-encode.1, pcmu-decode.1, pcmu-encode.2, …
    assert_eq!(of("g711.pcmu-decode.1").1, "FAILED");
    let crash = of("g711.pcmu-decode.2");
    assert_eq!(crash.1, "ERROR");
    assert!(
        crash.2.contains("exited with status 3") && crash.2.contains("started again"),
        "{}",
        crash.2
    );
    let garbage = of("g711.pcmu-decode.3");
    assert_eq!(
        (garbage.1.as_str(), garbage.2.as_str()),
        ("ERROR", "malformed answer: not JSON: this is not JSON")
    );
    let hang = of("g711.pcmu-decode.4");
    assert_eq!(hang.1, "ERROR");
    assert!(hang.2.starts_with("no answer within 500 ms"), "{}", hang.2);
    // The run went on after the crash and the hang.
    assert_eq!(of("g711.pcmu-encode.5").1, "OK");
    assert_eq!(of("g711.pcma-decode.1").1, "OK");
    let transcode: Vec<_> = v
        .iter()
        .filter(|(i, _, _)| i.contains("transcode"))
        .collect();
    assert!(!transcode.is_empty());
    for (id, verdict, detail) in transcode {
        assert_eq!(verdict, "UNIMPLEMENTED", "{id}");
        assert_eq!(detail, "the adapter does not list g711.transcode in hello");
    }
    let failed = v.iter().filter(|(_, v, _)| v == "FAILED").count();
    let errors = v.iter().filter(|(_, v, _)| v == "ERROR").count();
    assert_eq!((failed, errors), (1, 3), "{out}");
    // The FAILED line names its rule, as `run` does.
    assert!(out.contains("FAILED        g711.pcmu-decode.1"), "{out}");
    assert!(out.contains("rests on ITU-T G.711 Table 2: "), "{out}");
    assert_eq!(report["summary"]["ERROR"], 3);
}

#[test]
fn an_adapter_that_fails_hello_is_a_usage_error() {
    one_line_error(
        &["vectors", "jwt", "--exec", "/no/such/adapter"],
        "cannot start /no/such/adapter",
    );
    one_line_error(
        &[
            "vectors",
            "jwt",
            "--exec",
            &format!("{ADAPTER} --fault nonsense"),
        ],
        "no answer to hello: the adapter exited with status 2",
    );
    one_line_error(
        &["vectors", "jwt", "--exec", "'unclosed"],
        "a single quote is not closed",
    );
    one_line_error(
        &["vectors", "jwt", "--cases", "no.such"],
        "no input matches",
    );
}

#[test]
fn junit_has_the_errors() {
    let dir = std::env::temp_dir().join(format!("voxproof-adapter-junit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let junit = dir.join("r.xml");
    let cmd = format!("{ADAPTER} --fault garbage-at:1 --fault flip-at:2");
    let (code, out, _) = voxproof(&[
        "vectors",
        "accept",
        "--exec",
        &cmd,
        "--generated",
        "0",
        "--junit",
        &junit.to_string_lossy(),
    ]);
    assert_eq!(code, 1, "{out}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.attribute("errors"), Some("1"));
    assert_eq!(root.attribute("failures"), Some("1"));
    assert_eq!(root.attribute("tests"), Some("145"));
    let _ = std::fs::remove_dir_all(&dir);
}

fn schema() -> jsonschema::Validator {
    let text = include_str!("../../../vectors/schema/adapter.schema.json");
    let schema: Value = serde_json::from_str(text).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn valid(v: &jsonschema::Validator, kind: &str, message: &Value) {
    let wrapped = serde_json::json!({ kind: message });
    let errors: Vec<String> = v.iter_errors(&wrapped).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{kind} {message}: {errors:?}");
}

#[test]
fn requests_and_the_reference_answers_follow_the_schema() {
    let v = schema();
    valid(
        &v,
        "request",
        &serde_json::from_str(&protocol::hello_request()).unwrap(),
    );
    valid(&v, "answer", &reference::hello());
    for c in [
        Corpus::Accept,
        Corpus::Handshake,
        Corpus::Frames,
        Corpus::Jwt,
        Corpus::G711,
    ] {
        let mut probes = corpus::probes(c);
        probes.extend(generated::probes(c, 1, 8));
        for (n, p) in probes.iter().enumerate() {
            let line = protocol::request_line(n as u64 + 1, p);
            let request: Value = serde_json::from_str(&line).unwrap();
            valid(&v, "request", &request);
            let answer: Value = serde_json::from_str(&reference::answer_line(&line)).unwrap();
            valid(&v, "answer", &answer);
        }
    }
}

#[test]
fn answers_that_are_not_answers_are_errors() {
    let p = &corpus::probes(Corpus::Accept)[0];
    for (line, why) in [
        ("", "not JSON"),
        ("[]", "not a JSON object"),
        ("{}", "no \"id\""),
        (r#"{"id":2}"#, "answers id 2"),
        (r#"{"id":1}"#, "no \"result\""),
        (r#"{"id":1,"result":"maybe"}"#, "not accept or reject"),
        (r#"{"id":1,"result":"accept","accept":7}"#, "not a string"),
    ] {
        let o = protocol::decide(p, 1, Ok(line));
        assert_eq!(
            o.verdict,
            voxproof_conformance::verdict::Verdict::Error,
            "{line}"
        );
        assert!(o.detail.contains(why), "{line}: {}", o.detail);
    }
    let o = protocol::decide(p, 1, Ok(r#"{"id":1,"error":"unsupported"}"#));
    assert_eq!(
        o.verdict,
        voxproof_conformance::verdict::Verdict::Unimplemented
    );
}
