//! `voxproof serve` driven as harnesses drive Autobahn's fuzzingserver (tungstenite's
//! examples/autobahn-client.rs), with cases of the test's own; Autobahn-format reports.

use crate::common::{one_line_error, voxproof};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tungstenite::{Error, Message};
use voxproof_conformance::case::{case, Case, Run};
use voxproof_conformance::cases::client::accepted;
use voxproof_conformance::rule::Rule;
use voxproof_conformance::serve::spec::{self, Spec};
use voxproof_conformance::serve::{Reports, ServeConfig, Served, Server};
use voxproof_conformance::verdict::{CloseOutcome, Closer, Outcome, Verdict};
use voxproof_conformance::wire::frame::{opcode, Frame};
use voxproof_conformance::wire::http::accept_key;

const RULE: Rule = Rule::new("RFC 6455", "5.6", "test rule");

/// Answers the handshake, sends "Hello", reads the echo and closes; the
/// verdict is `on_echo` when the echo comes back (FAILED otherwise).
fn echo_case(id: &'static str, autobahn: Option<&'static str>, on_echo: Verdict) -> Case {
    case(Case {
        id: id.into(),
        autobahn,
        title: "a text message  echoed".into(),
        rule: RULE,
        sends: "Hello".into(),
        expects: "Hello echoed, then a clean close".into(),
        run: Run::with(move |ctx| {
            let mut a = match accepted(ctx) {
                Ok(a) => a,
                Err(o) => return o,
            };
            let key = a.request.values("Sec-WebSocket-Key")[0].to_vec();
            let response = format!(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
                accept_key(&key)
            );
            let sent = a.conn.send(response.as_bytes()).and_then(|()| {
                a.conn
                    .send_frame(&Frame::new(opcode::TEXT, b"Hello".to_vec()))
            });
            if let Err(e) = sent {
                return Outcome::failed(e);
            }
            let echoed = matches!(a.conn.read_frame(1 << 20),
                Ok(f) if f.opcode == opcode::TEXT && f.payload == b"Hello");
            let _ = a.conn.send_frame(&Frame::close(Some(1000), b""));
            let code = match a.conn.read_frame(1 << 20) {
                Ok(f) if f.opcode == opcode::CLOSE => f.close_code(),
                _ => None,
            };
            let verdict = if echoed { on_echo } else { Verdict::Failed };
            Outcome {
                close: Some(CloseOutcome {
                    verdict: if code.is_some() {
                        Verdict::Ok
                    } else {
                        Verdict::Failed
                    },
                    detail: format!("closed with {code:?}"),
                    closed_by: Closer::Suite,
                    code,
                    clean: code.is_some(),
                }),
                ..Outcome::new(verdict, if echoed { "echoed" } else { "no echo" })
            }
        }),
        ..Case::BASE
    })
}

/// Refuses the handshake with a 400: OK once answered (a handshake case
/// without an Autobahn id).
fn refusing_case(id: &'static str) -> Case {
    case(Case {
        id: id.into(),
        title: "a 400 to the handshake".into(),
        rule: RULE,
        expects: "the client gives up".into(),
        run: Run::Fn(|ctx| {
            let mut a = match accepted(ctx) {
                Ok(a) => a,
                Err(o) => return o,
            };
            match a
                .conn
                .send(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            {
                Ok(()) => Outcome::ok("answered 400"),
                Err(e) => Outcome::failed(e),
            }
        }),
        ..Case::BASE
    })
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("voxproof-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Running {
    base: String,
    thread: std::thread::JoinHandle<Result<Served, String>>,
}

fn start(
    cases: Vec<Case>,
    exclude_agent_cases: Vec<(String, Vec<String>)>,
    reports: Reports,
) -> Running {
    let config = ServeConfig {
        cases,
        exclude_agent_cases,
        // Room for a loaded machine; no verdict here waits it out.
        timeout: Duration::from_secs(10),
        reports,
        print: false,
    };
    let server = Server::bind("127.0.0.1:0", config).unwrap();
    let base = server.url();
    Running {
        base,
        thread: std::thread::spawn(move || server.run()),
    }
}

impl Running {
    fn stop(self) -> Served {
        let (mut s, _) = tungstenite::connect(format!("{}/stopServer", self.base)).unwrap();
        // Read to the server's close (answered by tungstenite), then the end.
        while s.read().is_ok() {}
        self.thread.join().unwrap().unwrap()
    }
}

// As tungstenite's examples/autobahn-client.rs.
fn get_case_count(base: &str) -> u32 {
    let (mut socket, _) = tungstenite::connect(format!("{base}/getCaseCount")).unwrap();
    let msg = socket.read().unwrap();
    let _ = socket.close(None);
    msg.into_text().unwrap().as_str().parse::<u32>().unwrap()
}

fn update_reports(base: &str, agent: &str) {
    let (mut socket, _) =
        tungstenite::connect(format!("{base}/updateReports?agent={agent}")).unwrap();
    socket.close(None).unwrap();
}

fn run_test(base: &str, case: u32, agent: &str) -> tungstenite::Result<()> {
    let case_url = format!("{base}/runCase?case={case}&agent={agent}");
    let (mut socket, _) = tungstenite::connect(case_url)?;
    loop {
        match socket.read()? {
            msg @ Message::Text(_) | msg @ Message::Binary(_) => {
                socket.send(msg)?;
            }
            Message::Ping(_) | Message::Pong(_) | Message::Close(_) | Message::Frame(_) => {}
        }
    }
}

fn run_all(base: &str, agent: &str) {
    let total = get_case_count(base);
    for case in 1..=total {
        match run_test(base, case, agent) {
            Err(
                Error::ConnectionClosed
                | Error::Protocol(_)
                | Error::Utf8(_)
                | Error::Http(_)
                | Error::Io(_),
            ) => {}
            other => panic!("case {case}: {other:?}"),
        }
    }
}

/// The messages a control endpoint sends, and its close code.
fn ask(url: &str) -> (Vec<String>, Option<u16>) {
    let (mut s, _) = tungstenite::connect(url).unwrap();
    let mut texts = Vec::new();
    loop {
        match s.read() {
            Ok(Message::Text(t)) => texts.push(t.as_str().to_string()),
            Ok(Message::Close(frame)) => {
                let code = frame.map(|f| u16::from(f.code));
                while s.read().is_ok() {}
                return (texts, code);
            }
            Ok(_) => {}
            Err(e) => panic!("{url}: {e}"),
        }
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_harness_runs_every_case_as_against_autobahn() {
    let dir = temp_dir("harness");
    let json = dir.join("report.json");
    let server = start(
        vec![
            echo_case("client.test.echo", Some("1.1.1"), Verdict::Ok),
            echo_case("client.test.echo-fails", Some("1.1.2"), Verdict::Failed),
            refusing_case("client.test.refused"),
        ],
        Vec::new(),
        Reports {
            autobahn: Some(dir.join("ab")),
            json: Some(json.clone()),
            ..Reports::default()
        },
    );
    let base = server.base.clone();
    run_all(&base, "Tungstenite");
    update_reports(&base, "Tungstenite");

    // Written before the handshake was answered: there already.
    let raw = std::fs::read_to_string(dir.join("ab/index.json")).unwrap();
    assert!(
        raw.starts_with("{\n   \"Tungstenite\": {\n      \"1.1.1\": {\n         \"behavior\": \"OK\",\n         \"behaviorClose\": \"OK\",\n         \"duration\": "),
        "{raw}"
    );
    assert!(!raw.ends_with('\n'));
    let index: Value = serde_json::from_str(&raw).unwrap();
    let agent = index["Tungstenite"].as_object().unwrap();
    assert_eq!(
        agent.keys().collect::<Vec<_>>(),
        ["1.1.1", "1.1.2", "client.test.refused"]
    );
    for (id, behavior, close, code, file) in [
        (
            "1.1.1",
            "OK",
            "OK",
            Value::from(1000),
            "tungstenite_case_1_1_1.json",
        ),
        (
            "1.1.2",
            "FAILED",
            "OK",
            Value::from(1000),
            "tungstenite_case_1_1_2.json",
        ),
        (
            "client.test.refused",
            "OK",
            "OK",
            Value::Null,
            "tungstenite_case_client_test_refused.json",
        ),
    ] {
        let c = &agent[id];
        assert_eq!(c["behavior"], behavior, "{id}");
        assert_eq!(c["behaviorClose"], close, "{id}");
        assert_eq!(c["remoteCloseCode"], code, "{id}");
        assert_eq!(c["reportfile"], file, "{id}");
        assert!(c["duration"].is_u64(), "{id}");
        assert_eq!(c.as_object().unwrap().len(), 5, "{id}");
    }
    let one = read_json(&dir.join("ab/tungstenite_case_1_1_1.json"));
    assert_eq!(one["agent"], "Tungstenite");
    assert_eq!(one["id"], "1.1.1");
    assert_eq!(one["case"], 1);
    assert_eq!(one["description"], "a text message  echoed");
    assert_eq!(one["expectation"], "Hello echoed, then a clean close");
    assert_eq!(one["result"], "echoed");
    assert_eq!(one["resultClose"], "closed with Some(1000)");
    assert_eq!(one["isServer"], true);
    assert_eq!(one["closedByMe"], true);
    assert_eq!(one["wasClean"], true);
    assert_eq!(one["voxproof"]["id"], "client.test.echo");
    assert!(one["started"].as_str().unwrap().ends_with('Z'));
    let request = one["httpRequest"].as_str().unwrap();
    assert!(
        request.starts_with("GET /runCase?case=1&agent=Tungstenite HTTP/1.1\r\n"),
        "{request}"
    );
    assert!(request.ends_with("\r\n\r\n"));
    assert!(one["httpResponse"]
        .as_str()
        .unwrap()
        .starts_with("HTTP/1.1 101 "));
    let wirelog = one["wirelog"].as_array().unwrap();
    assert_eq!(wirelog[0][0], "RO");
    assert_eq!(wirelog[0][1][0], request.len());
    assert!(wirelog[0][1][1]
        .as_str()
        .unwrap()
        .starts_with("474554202f72756e43617365")); // "GET /runCase"
    assert!(wirelog[0][1][1].as_str().unwrap().ends_with(" ..."));
    assert_eq!(wirelog[1][0], "TO");
    assert_eq!(wirelog[1][2], false);
    // The text frame: 0x81, length 5, "Hello".
    assert!(wirelog.contains(&serde_json::json!(["TO", [7, "810548656c6c6f"], false])));
    let refused = read_json(&dir.join("ab/tungstenite_case_client_test_refused.json"));
    assert_eq!(refused["case"], 3);
    assert_eq!(refused["closedByMe"], Value::Null);
    assert!(refused["httpResponse"]
        .as_str()
        .unwrap()
        .starts_with("HTTP/1.1 400"));

    // Info and status, as Autobahn's fuzzingserver answers them.
    let (info, code) = ask(&format!("{base}/getCaseInfo?case=1"));
    assert_eq!(
        info,
        [r#"{"id": "1.1.1", "description": "a text message echoed"}"#]
    );
    assert_eq!(code, Some(1000));
    let (info, _) = ask(&format!("{base}/getCaseInfo?casetuple=client.test.refused"));
    assert_eq!(
        info,
        [r#"{"id": "client.test.refused", "description": "a 400 to the handshake"}"#]
    );
    let (status, code) = ask(&format!("{base}/getCaseStatus?case=2&agent=Tungstenite"));
    assert_eq!(status, [r#"{"behavior": "FAILED"}"#]);
    assert_eq!(code, Some(1000));
    let (status, code) = ask(&format!("{base}/getCaseStatus?case=2&agent=Nobody"));
    assert!(status.is_empty());
    assert_eq!(code, Some(1008));

    // Another agent, then the server stops: both in the reports.
    run_test(&base, 1, "Other%20agent").unwrap_err();
    let served = server.stop();
    assert_eq!(
        served.agents.keys().collect::<Vec<_>>(),
        ["Other agent", "Tungstenite"]
    );
    let mine = &served.agents["Tungstenite"];
    let verdicts: Vec<_> = mine
        .results
        .iter()
        .map(|r| (r.id.as_str(), r.verdict))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("client.test.echo", Verdict::Ok),
            ("client.test.echo-fails", Verdict::Failed),
            ("client.test.refused", Verdict::Ok),
        ]
    );
    assert_eq!(served.failed(), 1);
    let index = read_json(&dir.join("ab/index.json"));
    assert_eq!(
        index["Other agent"]["1.1.1"]["reportfile"],
        "other_agent_case_1_1_1.json"
    );
    assert!(dir.join("ab/other_agent_case_1_1_1.json").exists());
    let report = read_json(&json);
    let ids: Vec<&str> = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "Other agent/client.test.echo",
            "Tungstenite/client.test.echo",
            "Tungstenite/client.test.echo-fails",
            "Tungstenite/client.test.refused",
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_spec_file_selects_and_excludes_as_autobahn() {
    let spec = Spec::parse(
        r#"{"url": "ws://127.0.0.1:9001", "outdir": "./reports/clients", "cases": ["1.*", "client.*"],
            "exclude-cases": ["1.1.2"], "exclude-agent-cases": {"Skip*": ["1.1.*", "client.test.refused"]}}"#,
    )
    .unwrap();
    let all = vec![
        echo_case("client.test.a", Some("1.1.1"), Verdict::Ok),
        echo_case("client.test.b", Some("1.1.2"), Verdict::Ok),
        echo_case("client.test.c", Some("2.1"), Verdict::Ok),
        echo_case("client.test.d", Some("10.1.1"), Verdict::Ok),
        refusing_case("client.test.refused"),
    ];
    let chosen = spec::select(all.clone(), &spec.cases, &spec.exclude_cases);
    let ids: Vec<&str> = chosen.iter().map(spec::serve_id).collect();
    assert_eq!(ids, ["1.1.1", "client.test.refused"]);
    // Dotted prefixes, as `voxproof run --cases` takes them; a case with an
    // Autobahn id is known by it only.
    let by_prefix = spec::select(all.clone(), &["1.1".into(), "10".into()], &["1.1.1".into()]);
    let ids: Vec<&str> = by_prefix.iter().map(spec::serve_id).collect();
    assert_eq!(ids, ["1.1.2", "10.1.1"]);
    let by_our_id = spec::select(all.clone(), &["client.test".into()], &[]);
    let ids: Vec<&str> = by_our_id.iter().map(spec::serve_id).collect();
    assert_eq!(ids, ["client.test.refused"]);
    assert!(spec::select(all, &[], &["*".into()]).is_empty());

    let dir = temp_dir("spec");
    let server = start(
        chosen,
        spec.exclude_agent_cases.clone(),
        Reports {
            autobahn: Some(dir.clone()),
            ..Reports::default()
        },
    );
    let base = server.base.clone();
    assert_eq!(get_case_count(&base), 2);
    // Skipped for this agent: opened and closed at once, nothing sent.
    let (texts, code) = ask(&format!("{base}/runCase?casetuple=1.1.1&agent=Skipper"));
    assert!(texts.is_empty());
    assert_eq!(code, Some(1000));
    let (_, code) = ask(&format!("{base}/runCase?case=2&agent=Skipper"));
    assert_eq!(code, Some(1000));
    assert_eq!(
        ask(&format!("{base}/getCaseStatus?case=1&agent=Skipper")).1,
        Some(1008)
    );
    run_all(&base, "Runner");
    let (status, _) = ask(&format!(
        "{base}/getCaseStatus?casetuple=1.1.1&agent=Runner"
    ));
    assert_eq!(status, [r#"{"behavior": "OK"}"#]);
    // Case numbers beyond the selection are refused over HTTP.
    assert!(matches!(
        tungstenite::connect(format!("{base}/runCase?case=3&agent=Runner")),
        Err(Error::Http(r)) if r.status() == 404
    ));
    // Reports and stop in one request.
    let (_, code) = ask(&format!(
        "{base}/updateReports?agent=Runner&shutdownOnComplete=true"
    ));
    assert_eq!(code, Some(1000));
    let served = server.thread.join().unwrap().unwrap();
    assert_eq!(served.agents.keys().collect::<Vec<_>>(), ["Runner"]);
    let index = read_json(&dir.join("index.json"));
    let runner = index["Runner"].as_object().unwrap();
    assert_eq!(
        runner.keys().collect::<Vec<_>>(),
        ["1.1.1", "client.test.refused"]
    );
    assert!(index.get("Skipper").is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn command_line_errors_are_one_line() {
    one_line_error(
        &["serve", "--spec", "/no/such/fuzzingserver.json"],
        "--spec /no/such/fuzzingserver.json: cannot read",
    );
    let dir = temp_dir("cli");
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"cases\": [\"*\"],").unwrap();
    one_line_error(
        &["serve", "--spec", bad.to_str().unwrap()],
        "not a JSON spec file",
    );
    let wss = dir.join("wss.json");
    std::fs::write(
        &wss,
        r#"{"url": "wss://127.0.0.1:9001", "key": "k.pem", "cert": "c.pem"}"#,
    )
    .unwrap();
    one_line_error(&["serve", "--spec", wss.to_str().unwrap()], "wss://");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    one_line_error(&["serve", "--listen", &addr], "in use");
    one_line_error(
        &["serve", "--listen", "nowhere"],
        "cannot listen on nowhere",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_writes_autobahn_reports_too() {
    let dir = temp_dir("run");
    let (code, _, err) = voxproof(&[
        "run",
        "--cases",
        "framing.basic.1_1_1",
        "--cases",
        "handshake.4_2_1.method-post",
        "--autobahn-report",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let index = read_json(&dir.join("index.json"));
    let agent = index["voxproof-reference"].as_object().unwrap();
    assert_eq!(
        agent.keys().collect::<Vec<_>>(),
        ["1.1.1", "handshake.4_2_1.method-post"]
    );
    assert_eq!(agent["1.1.1"]["behavior"], "OK");
    assert_eq!(agent["1.1.1"]["remoteCloseCode"], 1000);
    let file = agent["1.1.1"]["reportfile"].as_str().unwrap();
    assert_eq!(file, "voxproof_reference_case_1_1_1.json");
    let one = read_json(&dir.join(file));
    assert_eq!(one["isServer"], false);
    assert!(one["httpRequest"].as_str().unwrap().starts_with("GET "));
    assert!(one["httpResponse"]
        .as_str()
        .unwrap()
        .starts_with("HTTP/1.1 101"));
    assert!(one["started"].is_null());
    let _ = std::fs::remove_dir_all(&dir);
}
