//! The platform emulators against the telephony vectors
//! (`vectors/telephony/*.json`, written from the platforms' documentation):
//! the judge refuses exactly the bot messages the vectors call invalid, the
//! signer reproduces every Twilio signature, and what the suite sends a bot
//! validates against the vectors' message schemas.

use serde_json::json;
use voxproof_conformance::platform::{signature, Session, ToBot, Wire};
use voxproof_vectors::telephony::{self as tv, Direction, FrameKind};
use voxproof_vectors::Expected;

#[test]
fn the_judge_agrees_with_every_bot_message_vector() {
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (p, file) in tv::telephony() {
        for t in file
            .messages()
            .filter(|t| t.direction == Direction::FromBot)
        {
            let mut s = Session::new(p, 1, false);
            if let Some(sid) = t.context.get("streamSid") {
                s.ids.stream = sid.clone();
            }
            if let Some(rate) = t
                .context
                .get("contentType")
                .and_then(|c| c.split("rate=").nth(1))
            {
                s.rate = rate.parse().unwrap();
            }
            // The suite offers Telnyx PCMU at 8 kHz only, in which every octet
            // is a sample: L16 payloads, and an RTP header told apart from
            // PCMU octets, are outside what its judge can be asked.
            let l16 = t
                .context
                .get("bidirectionalCodec")
                .is_some_and(|c| c == "L16");
            if p == tv::Platform::Telnyx && (l16 || t.flags.iter().any(|f| f == "HeaderBytes")) {
                continue;
            }
            let wire = match t.frame {
                FrameKind::Text => Wire::Text(t.message.clone()),
                FrameKind::Binary => Wire::Binary(t.octets()),
            };
            let verdict = s.judge(&wire);
            checked += 1;
            let agrees = match t.result {
                Expected::Valid => verdict.is_ok(),
                // Advisory rules (a file header in the payload) are NON-STRICT.
                Expected::Invalid => verdict.is_err(),
                Expected::Acceptable => true,
            };
            if !agrees {
                wrong.push(format!(
                    "{} tcId {} ({}): {verdict:?}",
                    p.name(),
                    t.tc_id,
                    t.comment
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(checked >= 40, "only {checked} checked");
}

#[test]
fn the_signer_reproduces_every_twilio_signature() {
    let (_, file) = tv::telephony()
        .into_iter()
        .find(|(p, _)| *p == tv::Platform::Twilio)
        .unwrap();
    let mut n = 0;
    for g in &file.test_groups {
        let tv::TelephonyGroup::TwilioSignature { tests, .. } = g else {
            continue;
        };
        for t in tests {
            let params: Vec<(&str, &str)> = t
                .params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let ours = signature::twilio(&t.auth_token, &t.url, &params);
            let matches = ours == t.signature;
            assert_eq!(
                matches,
                t.result == Expected::Valid,
                "tcId {} ({}): {ours}",
                t.tc_id,
                t.comment
            );
            n += 1;
        }
    }
    assert!(n >= 20);
}

#[test]
fn what_the_suite_sends_validates_against_the_schemas() {
    for p in tv::Platform::ALL {
        let schema = p.message_schema_json();
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": "#/$defs/toBot",
            "$defs": schema["$defs"],
        });
        let validator = jsonschema::draft202012::new(&root).unwrap();
        let mut s = Session::new(p, 0x1234, false);
        let pcm = vec![1000i16; s.rate as usize / 50];
        let mut sent = s.to_bot(ToBot::Opening);
        for msg in [
            ToBot::Media {
                index: 0,
                pcm: &pcm,
            },
            ToBot::Media {
                index: 1,
                pcm: &pcm,
            },
            ToBot::Dtmf('7'),
            ToBot::MarkDone(if p == tv::Platform::Vonage {
                "{\"n\":1}".into()
            } else {
                "m1".into()
            }),
            ToBot::Cleared,
            ToBot::Stop,
        ] {
            sent.extend(s.to_bot(msg));
        }
        for w in sent {
            let Wire::Text(t) = w else { continue };
            let v: serde_json::Value = serde_json::from_str(&t).unwrap();
            let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {t}: {errors:?}", p.name());
        }
    }
}
