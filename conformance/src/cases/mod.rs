//! Every case, by domain. One module per RFC section (or per vector file)
//! so a case's code is found from its id.

pub mod auth;
pub mod framing;
pub mod handshake;
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
            "wire::observer::Kind::reserved_code_rule",
            Kind::reserved_code_rule(),
        ),
    ];
    rules.extend(
        Kind::ALL
            .iter()
            .map(|k| ("wire::observer::Kind::rule", k.rule())),
    );
    rules
}
