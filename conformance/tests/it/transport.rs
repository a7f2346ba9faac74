//! wss://, proxies, `--connect` and added header fields, end to end: the
//! verdicts over TLS are those over TCP, and a TLS failure is one line.

use crate::common::{self, proxy, voxproof};
use std::collections::BTreeMap;
use voxproof_conformance::run::{RunConfig, RunReport};
use voxproof_conformance::target::{Shape, Target};
use voxproof_conformance::transport::Network;
use voxproof_conformance::verdict::Verdict;
use voxproof_conformance::wire::Dir;
use voxproof_conformance::{embedded, registry};
use voxproof_reference::server::{spawn, Config, Handle};
use voxproof_reference::tls::{Issued, ThrowawayCa, Trust};

fn tls_server(issued: &Issued) -> Handle {
    spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: Some(issued.server_config()),
        ..Config::default()
    })
    .expect("server starts")
}

fn plain_server() -> Handle {
    spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    })
    .expect("server starts")
}

/// Exit 2 and one line naming `cause`, before any case ran.
fn refused_in_one_line(args: &[&str], cause: &str) {
    let out = common::one_line_error(args, cause);
    assert!(out.is_empty(), "{args:?}: cases ran: {out}");
}

fn verdicts(report: &RunReport) -> BTreeMap<String, String> {
    report
        .results
        .iter()
        .map(|r| {
            // As the snapshot run normalises it: what closed an
            // INFORMATIONAL case is reported, not judged, and varies.
            let close = r
                .close
                .as_ref()
                .filter(|_| r.verdict != Verdict::Informational)
                .map(|c| c.verdict.to_string());
            (r.id.clone(), format!("{} / close {close:?}", r.verdict))
        })
        .collect()
}

/// Every case differing between two runs, as `id: a != b`.
fn differences(a: &RunReport, b: &RunReport) -> Vec<String> {
    let (a, b) = (verdicts(a), verdicts(b));
    a.iter()
        .filter(|(id, v)| b.get(*id) != Some(v))
        .map(|(id, v)| format!("{id}: {v} != {:?}", b.get(id)))
        .collect()
}

#[test]
fn the_whole_suite_over_wss_gives_the_verdicts_it_gives_over_ws() {
    let plain = crate::snapshots::reference_run();
    let tls = embedded::start_with(true).expect("reference starts over TLS");
    assert!(tls.target.url.starts_with("wss://"));
    let cases = registry::all();
    let config = RunConfig {
        auth: Some(tls.auth.clone()),
        ..RunConfig::default()
    };
    let report = common::run_patiently(&tls.target, &cases, config);
    assert_eq!(report.results.len(), plain.results.len());
    let diff = differences(plain, &report);
    assert!(diff.is_empty(), "ws and wss disagree:\n{}", diff.join("\n"));
    // The wire log holds the plaintext, and each connection says it was TLS.
    let first = &report.results[0].wire;
    assert!(first
        .iter()
        .any(|e| e.data.contains("TLS 1.3 session established")));
    assert!(first
        .iter()
        .any(|e| e.dir == Dir::Send && e.data.starts_with("GET ")));
}

#[test]
fn tls_failures_are_one_line_before_any_case() {
    let ca = ThrowawayCa::new();
    let other_ca = ThrowawayCa::new();
    let dir = std::env::temp_dir().join(format!("voxproof-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    let other_file = dir.join("other-ca.pem");
    std::fs::write(&ca_file, ca.cert_pem()).unwrap();
    std::fs::write(&other_file, other_ca.cert_pem()).unwrap();
    let ca_path = ca_file.to_str().unwrap();

    let good = tls_server(&ca.issue(&["127.0.0.1"]));
    let url = format!("wss://{}/echo", good.addr());
    let (code, out, err) = voxproof(&[
        "--target",
        &url,
        "--ca-file",
        ca_path,
        "--cases",
        "handshake.4_2_2",
    ]);
    assert_eq!(code, 0, "{out}{err}");

    let wrong_ca = other_file.to_str().unwrap();
    refused_in_one_line(
        &["--target", &url, "--ca-file", wrong_ca],
        "TLS handshake with 127.0.0.1 failed: the certificate is not signed by a trusted authority",
    );
    // The platform's store does not know the throw-away CA either.
    refused_in_one_line(&["--target", &url], "TLS handshake with 127.0.0.1 failed");

    let named = tls_server(&ca.issue(&["example.test"]));
    refused_in_one_line(
        &[
            "--target",
            &format!("wss://{}/echo", named.addr()),
            "--ca-file",
            ca_path,
        ],
        "the certificate is not valid for the name 127.0.0.1 (it names example.test)",
    );

    let expired = tls_server(&ca.issue_expired(&["127.0.0.1"]));
    refused_in_one_line(
        &[
            "--target",
            &format!("wss://{}/echo", expired.addr()),
            "--ca-file",
            ca_path,
        ],
        "the certificate has expired",
    );

    let plain = plain_server();
    refused_in_one_line(
        &[
            "--target",
            &format!("wss://{}/echo", plain.addr()),
            "--ca-file",
            ca_path,
        ],
        "the peer's answer is not TLS but \"HTTP/1.1 400",
    );

    // Accepts TCP, never answers the ClientHello.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("wss://{}/echo", silent.local_addr().unwrap());
    refused_in_one_line(
        &[
            "--target",
            &silent_url,
            "--ca-file",
            ca_path,
            "--timeout-ms",
            "500",
        ],
        "failed: no answer in time",
    );

    // --insecure passes any certificate, and the report says so.
    let (code, out, err) =
        voxproof(&["--target", &url, "--insecure", "--cases", "handshake.4_2_2"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("warning: the TLS certificate of 127.0.0.1 was not checked"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn connect_reaches_a_server_by_another_name() {
    let ca = ThrowawayCa::new();
    let server = tls_server(&ca.issue(&["voxproof.test"]));
    let network = Network {
        connect_to: Some(server.addr().to_string()),
        trust: ca.trust(),
        ..Network::default()
    };
    // voxproof.test resolves nowhere: only --connect makes it reachable.
    let url = format!("wss://voxproof.test:{}/echo", server.addr().port());
    let target = Target::parse_via(&url, &network).expect("routed");
    let cases = registry::select(
        registry::all(),
        &["handshake.4_2_2".into(), "framing.basic.1_1".into()],
        &[],
    );
    let report = common::run_patiently(&target, &cases, RunConfig::default());
    let bad = common::not_ok(&report, &[], &[]);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // Host names the URL's host, not the address connected to.
    let sent = &report.results[0].wire;
    let host = format!("Host: voxproof.test:{}", server.addr().port());
    assert!(sent
        .iter()
        .any(|e| e.dir == Dir::Send && e.data.contains(&host)));
}

#[test]
fn a_proxy_tunnels_ws_and_wss_and_its_refusal_is_one_line() {
    let ca = ThrowawayCa::new();
    let tls = tls_server(&ca.issue(&["127.0.0.1"]));
    let plain = plain_server();
    let proxy = proxy::start(Some("user:p@ss"));
    let cases = registry::select(
        registry::all(),
        &[
            "handshake.4_2_2".into(),
            "framing.basic".into(),
            "framing.fragmentation".into(),
        ],
        &[],
    );
    assert!(cases.len() > 20);
    for (scheme, server, trust) in [("ws", &plain, Trust::Platform), ("wss", &tls, ca.trust())] {
        let network = Network {
            proxy: Some(format!("http://user:p%40ss@{}", proxy.addr)),
            trust,
            ..Network::default()
        };
        let url = format!("{scheme}://{}/echo", server.addr());
        let target = Target::parse_via(&url, &network).expect("routed");
        let report = common::run_patiently(&target, &cases, RunConfig::default());
        let bad = common::not_ok(&report, &[], &[]);
        assert!(bad.is_empty(), "{scheme}: {}", bad.join("\n"));
        let tunnel = format!("CONNECT {} HTTP/1.1", server.addr());
        let asked = proxy.asked();
        assert!(asked.contains(&tunnel), "{asked:?}");
    }
    let url = format!("wss://{}/echo", tls.addr());
    refused_in_one_line(
        &["--target", &url, "--proxy", &proxy.url()],
        &format!(
            "proxy {}: refused CONNECT {} with 407 Proxy Authentication Required",
            proxy.url(),
            tls.addr()
        ),
    );
}

#[test]
fn added_fields_reach_every_handshake_but_the_byte_exact_ones() {
    let e = embedded::start_with_auth().expect("reference starts");
    let mut target = e.target.clone();
    target.shape = Shape {
        headers: vec![
            ("X-Api-Key".into(), "k-123".into()),
            ("Origin".into(), "https://app.example".into()),
        ],
        subprotocol: Some("audio.v1".into()),
    };
    let mut auth = e.auth.clone();
    if let Some(t) = &mut auth.target {
        t.shape = target.shape.clone();
    }
    let cases = registry::all();
    let config = RunConfig {
        auth: Some(auth),
        ..RunConfig::default()
    };
    let report = common::run_patiently(&target, &cases, config);
    // The reference ignores these fields, so every verdict stands.
    let diff = differences(crate::snapshots::reference_run(), &report);
    assert!(diff.is_empty(), "verdicts changed:\n{}", diff.join("\n"));
    let sent_as_written = [
        "handshake.http.bare-lf",
        "handshake.1_3.rfc-example",
        "handshake.http.host-missing",
        "handshake.http.host-invalid",
        "handshake.4_2_1.host-foreign",
    ];
    let mut without = std::collections::BTreeSet::new();
    for r in &report.results {
        for event in r
            .wire
            .iter()
            .filter(|e| e.dir == Dir::Send && e.data.starts_with("GET "))
        {
            // A whole head in one write (escaped in the log); a case
            // writing its head in pieces is judged by its other requests.
            let complete = event.data.contains("\\r\\n\\r\\n") || event.data.ends_with("\\n\\n");
            if complete && !event.data.contains("X-Api-Key: k-123") {
                without.insert(r.id.as_str());
            }
        }
    }
    let expected = sent_as_written.into_iter().collect();
    assert_eq!(without, expected, "requests without the added field");
}
