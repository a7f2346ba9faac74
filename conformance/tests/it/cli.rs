//! The command line: exit codes and one-line errors.

use crate::common::{one_line_error, voxproof};

#[test]
fn usage_errors_are_one_line_and_exit_2() {
    one_line_error(&["--jobs", "0"], "--jobs");
    one_line_error(&["--no-such-flag"], "--no-such-flag");
    one_line_error(&["run", "--timeout-ms", "soon"], "--timeout-ms");
    one_line_error(&["--target", "http://127.0.0.1:9/echo"], "ws://");
    one_line_error(
        &[
            "--target",
            "wss://127.0.0.1:9/echo",
            "--ca-file",
            "/no/such.pem",
        ],
        "--ca-file: cannot read /no/such.pem",
    );
    one_line_error(&["--header", "no colon"], "expected 'NAME: VALUE'");
    one_line_error(&["--header", "Bad Name: x"], "is not a field name");
    let t = "ws://127.0.0.1:9/echo";
    one_line_error(
        &["--target", t, "--connect", "nowhere"],
        "expected HOST:PORT",
    );
    one_line_error(
        &["--target", t, "--proxy", "socks5://127.0.0.1:1"],
        "only http:// proxies",
    );
    one_line_error(&["--proxy", "http://127.0.0.1:1"], "--proxy needs --target");
    one_line_error(&["--tls", "--target", "ws://127.0.0.1:9/"], "--tls");
    one_line_error(&["--target", "not a url"], "not a URL");
    one_line_error(&["--cases", "no.such.case"], "no case");
}

#[test]
fn unreachable_target_is_a_usage_error() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    one_line_error(
        &["--target", &format!("ws://127.0.0.1:{port}/echo")],
        "unreachable",
    );
}

#[test]
fn list_shows_every_case() {
    let (code, out, _) = voxproof(&["list"]);
    assert_eq!(code, 0);
    let n = voxproof_conformance::registry::all().len();
    assert_eq!(out.lines().count(), n + 1);
    assert!(out.ends_with(&format!("{n} cases\n")));
}

#[test]
fn list_origin_points_at_a_file_and_line_for_every_case() {
    let (code, out, _) = voxproof(&["list", "--origin", "--cases", "framing.close"]);
    assert_eq!(code, 0);
    assert!(out.lines().count() > 30, "{out}");
    for line in out.lines() {
        let (id, origin) = line.split_once(char::is_whitespace).unwrap();
        let (file, num) = origin.trim().rsplit_once(':').unwrap();
        assert!(file.ends_with(".rs"), "{id}: {origin}");
        assert!(num.parse::<u32>().is_ok_and(|n| n > 0), "{id}: {origin}");
    }
}

#[test]
fn run_selected_cases_against_the_embedded_reference() {
    let dir = std::env::temp_dir().join(format!("voxproof-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("report.json");
    let (code, out, err) = voxproof(&[
        "run",
        "--cases",
        "handshake.4_2_2",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("RFC 6455 §4.2.2"), "{out}");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(report["summary"]["FAILED"], 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn vectors_jwt_runs_through_the_reference_in_process() {
    let (code, out, err) = voxproof(&["vectors", "jwt", "--generated", "4"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("voxproof "), "{out}");
    assert!(out.contains("target voxproof-reference"), "{out}");
    let n = voxproof_reference::auth::vectors::run_jwt_vectors().len() + 4;
    let last = out.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(&format!("{n} cases in "))
            && last.ends_with(&format!("{} OK, 1 UNIMPLEMENTED", n - 1)),
        "{last}"
    );
}

#[test]
fn auth_flags_reach_the_auth_cases() {
    // Against a server that needs no token, the suite's key makes the
    // missing-token case meaningful, and it fails there: exit 1.
    let server = voxproof_reference::server::spawn(voxproof_reference::server::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Default::default()
    })
    .unwrap();
    let target = format!("ws://{}/echo", server.addr());
    let (code, out, _) = voxproof(&[
        "run",
        "--target",
        &target,
        "--cases",
        "auth.6750.missing-token",
        "--jwt-secret",
        "a secret long enough for HS256, 32+",
        "--verbose",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("auth.6750.missing-token"), "{out}");
    one_line_error(
        &["run", "--token-in", "cookie", "--jwt-secret", "x"],
        "--token-in",
    );
}

#[test]
fn auth_flag_traps_are_usage_errors() {
    let long = "a secret long enough for HS256, 32+";
    let target = "ws://127.0.0.1:9/echo";
    // The embedded reference has its own key: a user key would send the auth
    // cases to its open /echo and blame it.
    one_line_error(&["run", "--jwt-secret", long], "--target");
    one_line_error(
        &[
            "run",
            "--target",
            target,
            "--jwt-secret",
            long,
            "--jwt-alg",
            "XX256",
        ],
        "--jwt-alg XX256",
    );
    one_line_error(
        &[
            "run",
            "--target",
            target,
            "--jwt-secret",
            long,
            "--jwt-alg",
            "RS256",
        ],
        "HS256, HS384, HS512",
    );
    one_line_error(
        &["run", "--target", target, "--jwt-secret", "abc"],
        "RFC 7518 §3.2",
    );
    one_line_error(
        &["run", "--target", target, "--jwt-alg", "HS256"],
        "needs key material",
    );
    one_line_error(&["vectors"], "accept, handshake, frames, jwt or g711");
}

#[test]
fn voice_cases_need_the_profile_against_a_user_target() {
    let server = voxproof_reference::server::spawn(voxproof_reference::server::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Default::default()
    })
    .unwrap();
    let target = format!("ws://{}/echo", server.addr());
    let args = ["run", "--target", &target, "--cases", "voice.codec", "-v"];
    let (code, out, err) = voxproof(&args);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("4 UNIMPLEMENTED") && out.contains("--profile voice"),
        "{out}"
    );
    let with = [&args[..], &["--profile", "voice"]].concat();
    let (code, out, err) = voxproof(&with);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("4 cases: 4 OK"), "{out}");
    one_line_error(
        &["--target", &target, "--voice-grant", "no-colon"],
        "ROOM:TOKEN",
    );
    one_line_error(
        &["--target", &target, "--voice-grant", "room:token"],
        "--profile voice",
    );
}

#[test]
fn telephony_flags_and_a_bot_that_refuses_are_one_line() {
    let (_server, target) = voxproof_conformance::embedded::start().expect("reference starts");
    let addr = target.authority.clone();
    one_line_error(
        &["run", "--twilio-auth-token", "t"],
        "--twilio-auth-token needs --target",
    );
    one_line_error(
        &["run", "--target", &target.url, "--max-bargein-ms", "100"],
        "--max-bargein-ms needs --profile",
    );
    one_line_error(
        &[
            "run",
            "--target",
            &format!("ws://{addr}/telnyx"),
            "--profile",
            "telnyx",
            "--twilio-auth-token",
            "t",
        ],
        "--twilio-auth-token needs --profile twilio",
    );
    // The path serves no bot: the preflight says so once.
    one_line_error(
        &["run", "--target", &format!("ws://{addr}/no-bot"), "--profile", "vonage"],
        "did not take the opening handshake of Vonage Voice WebSockets: refused a valid handshake with 404",
    );
    // The embedded bot checks Twilio signatures: unsigned, it refuses.
    one_line_error(
        &[
            "run",
            "--target",
            &format!("ws://{addr}/twilio"),
            "--profile",
            "twilio",
        ],
        "403",
    );
}

#[test]
fn list_clients_numbers_the_cases_as_serve_does() {
    let (code, out, _) = voxproof(&["list", "--clients"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        voxproof_conformance::cases::client::cases().len()
    );
    assert!(
        lines[0].trim_start().starts_with("1  1.1.1"),
        "{}",
        lines[0]
    );
    assert!(lines[300].contains("10.1.1"), "{}", lines[300]);
    let (_, some, _) = voxproof(&["list", "--clients", "--cases", "client.handshake.*"]);
    assert!(some.lines().all(|l| l.contains("client.handshake.")));
    assert!(some.lines().next().unwrap().trim_start().starts_with("308"));
}
