//! The whole suite against the in-process reference server.

use crate::common;

use voxproof_conformance::run::{run, RunConfig};
use voxproof_conformance::verdict::Verdict;
use voxproof_conformance::{embedded, registry, report};

/// Cases the embedded reference cannot exercise: it verifies HS256 with a
/// shared secret, so HMAC keyed with a public key cannot be tried.
const KNOWN_UNIMPLEMENTED: &[&str] = &["auth.8725.hs-rs-confusion"];

#[test]
fn whole_suite_passes_on_the_reference() {
    let embedded = embedded::start_with_auth().expect("reference starts");
    let cases = registry::all();
    let config = RunConfig {
        auth: Some(embedded.auth.clone()),
        ..RunConfig::default()
    };
    let report = common::run_patiently(&embedded.target, &cases, config);
    assert_eq!(report.results.len(), cases.len());
    let bad = common::not_ok(&report, common::PER_FRAME_UTF8, KNOWN_UNIMPLEMENTED);
    assert!(
        bad.is_empty(),
        "not OK on the reference:\n{}",
        bad.join("\n")
    );
}

#[test]
fn json_report_has_the_documented_shape() {
    let (_server, target) = embedded::start().expect("reference starts");
    let cases = registry::select(registry::all(), &["handshake.4_2_2".into()], &[]);
    let report = common::run_patiently(&target, &cases, RunConfig::default());
    let json: serde_json::Value =
        serde_json::from_str(&report::json::render(&report)).expect("valid JSON");
    assert_eq!(json["tool"], "voxproof");
    assert_eq!(json["target"], target.url.as_str());
    assert!(json["version"].is_string());
    assert!(json["duration_ms"].is_u64());
    for v in [
        "OK",
        "NON-STRICT",
        "INFORMATIONAL",
        "UNIMPLEMENTED",
        "FAILED",
    ] {
        assert!(json["summary"][v].is_u64(), "summary lacks {v}");
    }
    let listed = json["cases"].as_array().expect("cases array");
    assert_eq!(listed.len(), cases.len());
    for c in listed {
        for field in ["id", "title", "section", "requirement", "verdict", "detail"] {
            assert!(c[field].is_string(), "{field} missing in {c}");
        }
        assert!(c["duration_ms"].is_u64());
        let wire = c["wire"].as_array().expect("wire array");
        assert!(!wire.is_empty(), "{} has an empty wire log", c["id"]);
        for e in wire {
            assert!(["send", "recv", "event"].contains(&e["dir"].as_str().unwrap_or("")));
            assert!(
                e["at_ms"].is_u64()
                    && e["conn"].is_u64()
                    && e["len"].is_u64()
                    && e["data"].is_string()
            );
        }
    }
}

#[test]
fn voice_scope_passes_on_the_reference_with_a_grant_hook() {
    use std::sync::Arc;
    use voxproof_conformance::target::{GrantedRoom, Target, VoiceService};
    use voxproof_reference::handshake::Rejection;
    use voxproof_reference::server::{spawn, Config};
    use voxproof_reference::voice::{self, VoiceConfig};

    // Stands in for a JWT layer: one token whose rooms claim is ["granted"].
    let hook: voice::GrantHook = Arc::new(|req| {
        let claim = match req.values("Authorization").first() {
            Some(v) if *v == b"Bearer t0ken" => serde_json::json!(["granted"]),
            Some(_) => return Err(Rejection::new(401, "unknown token")),
            None => serde_json::json!("*"),
        };
        voice::RoomGrant::from_claim(&claim).map_err(|e| Rejection::new(401, e))
    });
    let server = spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        voice: VoiceConfig {
            grant: Some(hook),
            ..VoiceConfig::default()
        },
        ..Config::default()
    })
    .unwrap();
    let mut target = Target::parse(&format!("ws://{}/echo", server.addr())).unwrap();
    target.voice = Some(VoiceService {
        grant: Some(GrantedRoom {
            room: "granted".into(),
            token: "t0ken".into(),
        }),
        scope_prefix: String::new(),
    });
    let cases = registry::select(registry::all(), &["voice.scope".into()], &[]);
    assert!(!cases.is_empty());
    let report = run(&target, &cases, &RunConfig::default(), &|_| {});
    for r in &report.results {
        assert_eq!(r.verdict, Verdict::Ok, "{}: {}", r.id, r.detail);
    }
}

/// The telephony profiles pass against both behaviours of the reference
/// bot: the default run plays its turn-taking bot; here its echo.
#[test]
fn telephony_profiles_pass_on_the_echo_bot() {
    let embedded = embedded::start_with_auth().expect("reference starts");
    let mut target = embedded.target.clone();
    if let Some(t) = target.telephony.as_mut() {
        for (platform, resource) in &mut t.bots {
            *resource = format!("/{platform}/echo");
        }
    }
    let cases = registry::select(
        registry::all(),
        &["twilio".into(), "telnyx".into(), "vonage".into()],
        &[],
    );
    let report = common::run_patiently(&target, &cases, RunConfig::default());
    let bad: Vec<String> = report
        .results
        .iter()
        .filter(|r| !matches!(r.verdict, Verdict::Ok | Verdict::Informational))
        .map(|r| format!("{} {:?} {}", r.id, r.verdict, r.detail))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // The echo's delay is measured, not guessed.
    let figures = report
        .results
        .iter()
        .find(|r| r.id == "twilio.figures.first-audio")
        .expect("the figures case ran");
    assert!(
        figures.detail.contains("mouth-to-ear p50"),
        "{}",
        figures.detail
    );
}
