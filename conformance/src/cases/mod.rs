//! Every case, by domain. One module per RFC section (or per vector file)
//! so a case's code is found from its id.

pub mod auth;
pub mod client;
pub mod framing;
pub mod handshake;
pub mod telephony;
pub mod voice;

use crate::rule::Rule;
use crate::wire::observer::Kind;

/// Every rule an outcome can rest on besides its case's own
/// (`Outcome::failed_by`, `resting_on`), named where it is defined; the
/// rule-quote test checks each against the documents it cites.
pub fn resting_rules() -> Vec<(&'static str, Rule)> {
    let mut rules = vec![
        (
            "handshake::expect::ANSWER_WITH_ERROR",
            handshake::expect::ANSWER_WITH_ERROR,
        ),
        (
            "handshake::expect::UPGRADE_IN_426",
            handshake::expect::UPGRADE_IN_426,
        ),
        ("auth::exchange::CHALLENGE", auth::exchange::CHALLENGE),
        (
            "handshake::open::CLIENT_REQUEST",
            handshake::open::CLIENT_REQUEST,
        ),
        (
            "wire::observer::Kind::reserved_code_rule",
            Kind::reserved_code_rule(),
        ),
    ];
    {
        use crate::livefuzz::oracle as fz;
        rules.extend([
            ("livefuzz::oracle::PONG", fz::PONG),
            ("livefuzz::oracle::CLOSE_REPLY", fz::CLOSE_REPLY),
            ("livefuzz::oracle::CONTROL_BETWEEN", fz::CONTROL_BETWEEN),
            ("livefuzz::oracle::DATA", fz::DATA),
            ("livefuzz::oracle::UTF8_FAIL", fz::UTF8_FAIL),
            ("livefuzz::oracle::VERSION", fz::VERSION),
            ("livefuzz::oracle::SWITCH", fz::SWITCH),
        ]);
    }
    rules.extend([
        ("telephony::MAX_RESPONSE", telephony::MAX_RESPONSE),
        ("telephony::MAX_BARGE_IN", telephony::MAX_BARGE_IN),
    ]);
    {
        use crate::platform::{telnyx as tx, twilio as tw, vonage as vo};
        rules.extend([
            ("platform::twilio::BINARY", tw::BINARY),
            ("platform::twilio::NOT_JSON", tw::NOT_JSON),
            ("platform::twilio::UNKNOWN_TYPE", tw::UNKNOWN_TYPE),
            ("platform::twilio::FIELDS", tw::FIELDS),
            ("platform::twilio::STREAM_SID", tw::STREAM_SID),
            ("platform::twilio::PAYLOAD", tw::PAYLOAD),
            ("platform::twilio::HEADER_BYTES", tw::HEADER_BYTES),
            ("platform::telnyx::BOT_FRAMES", tx::BOT_FRAMES),
            ("platform::telnyx::PAYLOAD", tx::PAYLOAD),
            ("platform::telnyx::CHUNK_LENGTH", tx::CHUNK_LENGTH),
            ("platform::vonage::FRAME_SIZE", vo::FRAME_SIZE),
            ("platform::vonage::TEXT_MESSAGES", vo::TEXT_MESSAGES),
        ]);
    }
    rules.extend(
        Kind::ALL
            .iter()
            .map(|k| ("wire::observer::Kind::rule", k.rule())),
    );
    rules
}
