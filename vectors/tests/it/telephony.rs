//! The telephony vectors against their own claims: messages against the
//! platform's message schema, audio payloads against the audio rules,
//! signatures recomputed with HMAC-SHA1, and every requirement quoted
//! verbatim in docs/platforms/<platform>.md under its source URL.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha1::Sha1;
use voxproof_vectors::telephony::{
    signed_string, Direction, FrameKind, MessageTest, Platform, Reason, SignatureTest,
};
use voxproof_vectors::Expected;

/// A validator for `$defs/<name>` of a platform's message schema.
fn validator(platform: Platform, name: &str) -> Option<jsonschema::Validator> {
    let schema = platform.message_schema_json();
    schema["$defs"].get(name)?;
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/$defs/{name}"),
        "$defs": schema["$defs"],
    });
    Some(jsonschema::draft202012::new(&root).unwrap_or_else(|e| panic!("{name}: {e}")))
}

fn label(platform: Platform, t: &MessageTest) -> String {
    format!("{} tcId {} ({})", platform.name(), t.tc_id, t.comment)
}

#[test]
fn message_schemas_are_valid_json_schema() {
    for platform in Platform::ALL {
        let schema = platform.message_schema_json();
        jsonschema::draft202012::meta::validate(&schema)
            .unwrap_or_else(|e| panic!("{}: {e}", platform.message_schema()));
        for name in schema["$defs"].as_object().unwrap().keys() {
            validator(platform, name);
        }
    }
}

/// Valid JSON messages match their direction's union and their event's
/// definition; invalid ones fail exactly the check their `reason` names.
#[test]
fn messages_match_their_schema_or_fail_it_as_stated() {
    for (platform, file) in voxproof_vectors::telephony() {
        for t in file.messages() {
            let at = label(platform, t);
            if t.frame == FrameKind::Binary {
                assert!(t.event.is_none(), "{at}: a binary frame has no event");
                continue;
            }
            let parsed: Result<Value, _> = serde_json::from_str(&t.message);
            let Ok(doc) = parsed else {
                assert_eq!(t.reason, Some(Reason::NotJson), "{at}: not JSON");
                continue;
            };
            assert_ne!(t.reason, Some(Reason::NotJson), "{at}: parses as JSON");
            let key = if platform == Platform::Vonage && t.direction == Direction::FromBot {
                "action"
            } else {
                "event"
            };
            assert_eq!(
                doc.get(key).and_then(Value::as_str),
                t.event.as_deref(),
                "{at}: 'event' names the message's {key}"
            );
            let dir = t.direction.name();
            let union = validator(platform, dir).unwrap().is_valid(&doc);
            let own = t
                .event
                .as_ref()
                .and_then(|e| validator(platform, &format!("{dir}.{e}")))
                .map(|v| v.is_valid(&doc));
            match (t.result, t.reason) {
                (Expected::Valid, _) => {
                    assert!(union, "{at}: valid, but fails $defs/{dir}");
                    assert_eq!(own, Some(true), "{at}: valid, but fails its event's schema");
                }
                (Expected::Invalid, Some(Reason::Schema)) => {
                    assert!(!union, "{at}: invalid by shape, but matches $defs/{dir}");
                    assert_ne!(
                        own,
                        Some(true),
                        "{at}: invalid by shape, but matches its event"
                    );
                }
                (Expected::Invalid, Some(Reason::Session | Reason::Audio)) => {
                    assert!(
                        union && own == Some(true),
                        "{at}: should fail only its {:?} rule",
                        t.reason
                    );
                }
                (r, reason) => panic!("{at}: unexpected {r:?} with {reason:?}"),
            }
        }
    }
}

/// Twilio's rule that a message names its own Stream.
#[test]
fn stream_sids_agree_with_the_session_unless_the_test_says_otherwise() {
    let file = voxproof_vectors::telephony::load(Platform::Twilio);
    for t in file
        .messages()
        .filter(|t| t.direction == Direction::FromBot)
    {
        let Some(expected) = t.context.get("streamSid") else {
            panic!(
                "twilio tcId {}: fromBot tests carry the Stream's streamSid",
                t.tc_id
            )
        };
        let Ok(doc) = serde_json::from_str::<Value>(&t.message) else {
            continue;
        };
        let same = doc["streamSid"].as_str() == Some(expected);
        let flagged = t.flags.iter().any(|f| f == "WrongStreamSid");
        assert_eq!(
            same,
            !flagged && doc.get("streamSid").is_some(),
            "twilio tcId {}",
            t.tc_id
        );
        if t.reason == Some(Reason::Session) {
            assert!(!same, "twilio tcId {}", t.tc_id);
        }
    }
}

/// The audio a message carries: base64-decoded `media.payload`, or the binary frame.
fn audio_octets(t: &MessageTest) -> Option<Vec<u8>> {
    match t.frame {
        FrameKind::Binary => Some(t.octets()),
        FrameKind::Text => {
            let doc: Value = serde_json::from_str(&t.message).ok()?;
            let payload = doc["media"]["payload"].as_str()?;
            base64::engine::general_purpose::STANDARD
                .decode(payload)
                .ok()
        }
    }
}

/// Octets per sample and per millisecond of a codec at a rate.
fn octets_per_ms(codec: &str, rate: u32) -> f64 {
    let width = match codec {
        "PCMU" => 1.0,
        "L16" => 2.0,
        other => panic!("codec {other}"),
    };
    width * f64::from(rate) / 1000.0
}

#[test]
fn audio_descriptions_match_the_payloads() {
    for (platform, file) in voxproof_vectors::telephony() {
        for t in file.messages() {
            let at = label(platform, t);
            let Some(audio) = &t.audio else {
                // Invalid messages may leave it out; valid audio must be described.
                let carries = audio_octets(t).is_some_and(|o| !o.is_empty());
                assert!(
                    t.result != Expected::Valid || !carries,
                    "{at}: describe the audio"
                );
                continue;
            };
            let octets = audio_octets(t).unwrap_or_else(|| panic!("{at}: payload decodes"));
            assert_eq!(octets.len(), audio.bytes, "{at}: bytes");
            let ms = audio.bytes as f64 / octets_per_ms(&audio.codec, audio.sample_rate);
            assert!(
                (ms - audio.duration_ms).abs() < 1e-9,
                "{at}: durationMs {ms}"
            );
            if platform == Platform::Twilio {
                assert_eq!(
                    (audio.codec.as_str(), audio.sample_rate),
                    ("PCMU", 8000),
                    "{at}"
                );
            }
        }
    }
}

/// The audio rules the pages state, checked on each payload: a valid
/// message keeps them all, an invalid one with reason `audio` breaks one.
#[test]
fn audio_rules_hold_exactly_where_the_tests_say() {
    for (platform, file) in voxproof_vectors::telephony() {
        for t in file.messages().filter(|t| t.audio.is_some()) {
            let at = label(platform, t);
            let audio = t.audio.as_ref().unwrap();
            let octets = audio_octets(t).unwrap();
            let header = t.flags.iter().any(|f| f == "HeaderBytes");
            let keeps = match platform {
                // Any size; no audio file header (a RIFF/WAVE file starts "RIFF").
                Platform::Twilio => !octets.starts_with(b"RIFF"),
                // 20 ms to 30 s of audio, whole samples, no RTP header (version 2).
                Platform::Telnyx => {
                    let whole = audio.codec != "L16" || audio.bytes % 2 == 0;
                    let rtp = header && octets.len() > 12 && octets[0] >> 6 == 2;
                    (20.0..=30_000.0).contains(&audio.duration_ms) && whole && !rtp
                }
                // One 20 ms frame at the connection's rate: 320 or 640 octets.
                Platform::Vonage => {
                    let rate = match t.context["contentType"].as_str() {
                        "audio/l16;rate=8000" => 8000,
                        "audio/l16;rate=16000" => 16000,
                        other => panic!("{at}: contentType {other}"),
                    };
                    assert_eq!(audio.sample_rate, rate, "{at}: rate from contentType");
                    audio.bytes == rate as usize / 50 * 2
                }
            };
            match (t.result, t.reason) {
                (Expected::Valid, _) => assert!(keeps, "{at}: valid, but breaks an audio rule"),
                (_, Some(Reason::Audio)) => assert!(!keeps, "{at}: keeps every audio rule"),
                _ => {}
            }
        }
    }
}

#[test]
fn only_twilio_and_telnyx_refuse_binary_frames_and_vonage_audio_is_binary() {
    for (platform, file) in voxproof_vectors::telephony() {
        for t in file.messages() {
            let at = label(platform, t);
            if t.reason == Some(Reason::BinaryFrame) {
                assert_eq!(t.frame, FrameKind::Binary, "{at}");
                assert_eq!(
                    platform,
                    Platform::Twilio,
                    "{at}: only Twilio documents this"
                );
            }
            if platform == Platform::Vonage && t.audio.is_some() {
                assert_eq!(t.frame, FrameKind::Binary, "{at}: Vonage audio is binary");
            }
        }
    }
}

fn twilio_signature(
    url: &str,
    token: &str,
    params: &std::collections::BTreeMap<String, String>,
) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(token.as_bytes()).expect("any key length");
    mac.update(signed_string(url, params).as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[test]
fn twilio_signatures_recompute() {
    let file = voxproof_vectors::telephony::load(Platform::Twilio);
    let tests: Vec<&SignatureTest> = file.signatures().collect();
    assert!(tests.len() >= 10);
    for t in tests {
        let computed = twilio_signature(&t.url, &t.auth_token, &t.params);
        match t.result {
            Expected::Valid => assert_eq!(computed, t.signature, "tcId {}", t.tc_id),
            _ => assert_ne!(computed, t.signature, "tcId {}", t.tc_id),
        }
        if let Some(r) = &t.signed_request {
            assert_eq!(
                twilio_signature(&r.url, &r.auth_token, &r.params),
                t.signature,
                "tcId {}: signedRequest produces the signature",
                t.tc_id
            );
        }
    }
}

/// Twilio's worked example, from its security page, is in the file verbatim.
#[test]
fn twilio_published_example_is_present() {
    let file = voxproof_vectors::telephony::load(Platform::Twilio);
    let t = file
        .signatures()
        .find(|t| t.signature == "L/OH5YylLD5NRKLltdqwSvS0BnU=" && t.result == Expected::Valid)
        .expect("the published example");
    assert_eq!(t.url, "https://example.com/myapp.php?foo=1&bar=2");
    assert_eq!(t.auth_token, "12345");
    assert_eq!(
        signed_string(&t.url, &t.params),
        "https://example.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+14158675310Digits1234From+14158675310To+18005551212"
    );
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The excerpt file's sections, keyed by the URL in their `## ` heading.
fn sections(platform: Platform) -> Vec<(String, String)> {
    let path = voxproof_vectors::dir().join("..").join(platform.excerpts());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.split("\n## ")
        .skip(1)
        .map(|s| {
            let (url, body) = s.split_once('\n').unwrap_or((s, ""));
            (url.trim().to_string(), normalise(body))
        })
        .collect()
}

#[test]
fn requirements_are_quoted_verbatim_under_their_source() {
    for (platform, file) in voxproof_vectors::telephony() {
        let sections = sections(platform);
        let quoted = file
            .messages()
            .map(|t| (t.tc_id, &t.requirement, &t.source))
            .chain(
                file.signatures()
                    .map(|t| (t.tc_id, &t.requirement, &t.source)),
            );
        for (id, requirement, source) in quoted {
            let body = sections
                .iter()
                .find(|(url, _)| url == source)
                .map(|(_, body)| body)
                .unwrap_or_else(|| {
                    panic!("{} tcId {id}: no section for {source}", platform.name())
                });
            assert!(
                body.contains(&normalise(requirement)),
                "{} tcId {id}: requirement not found under {source}: {requirement}",
                platform.name()
            );
        }
    }
}
