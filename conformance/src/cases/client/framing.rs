//! Autobahn's framing cases (categories 1–7, 9, 10) played against a client: the suite is the
//! server ([docs/clients.md](../../../../docs/clients.md#framing)).

use crate::case::{case, Case};
use crate::cases::framing::engine::{Step, MASK};
use crate::cases::framing::{must_fail, script};
use crate::rule::Rule;
use crate::wire::frame::{opcode, Frame};

/// The framing cases that have an Autobahn id, in Autobahn's order, as
/// `client.framing.…`: the same scripts and expectations, with the suite as
/// the server (it answers the client's handshake, sends unmasked frames and
/// requires masked ones; the framing engine switches on the accepted
/// connection). Then what Autobahn does not send a client: the extra
/// framing cases that mean the same from a server, and a masked frame.
pub fn cases() -> Vec<Case> {
    let mut all: Vec<Case> = crate::cases::framing::cases()
        .into_iter()
        .filter(|c| c.autobahn.is_some())
        .map(|c| Case {
            id: format!("client.{}", c.id).into(),
            ..c
        })
        .collect();
    all.sort_by_key(|c| autobahn_order(c.autobahn.unwrap_or("")));
    // Frames whose meaning does not depend on who sends them.
    let both_ways = [
        "framing.extra.close-1-byte-payload",
        "framing.extra.fragmented-close",
        "framing.extra.close-code-1015",
        "framing.extra.rsv1-on-continuation",
        "framing.extra.reserved-opcode-inside-message",
    ];
    all.extend(
        crate::cases::framing::cases()
            .into_iter()
            .filter(|c| both_ways.contains(&c.id.as_ref()))
            .map(|c| Case {
                id: format!("client.{}", c.id).into(),
                ..c
            }),
    );
    all.push(case(Case {
        id: "client.framing.extra.masked-from-server".into(),
        title: "a masked text frame from the server".into(),
        rule: Rule::new(
            "RFC 6455",
            "5.1",
            "A server MUST NOT mask any frames that it sends to the client.  A client MUST close a \
connection if it detects a masked frame.",
        ),
        sends: "a text frame masked with the key 37 fa 21 3d".into(),
        expects: "the connection failed (1002), nothing echoed".into(),
        run: script(
            vec![Step::Frames(vec![
                Frame::new(opcode::TEXT, &b"Hello, world!"[..]).masked(MASK)
            ])],
            must_fail(),
        ),
        ..Case::BASE
    }));
    all
}

/// "9.1.10" as [9, 1, 10], so 9.1.10 sorts after 9.1.9.
fn autobahn_order(id: &str) -> Vec<u32> {
    id.split('.')
        .map(|n| n.parse().unwrap_or(u32::MAX))
        .collect()
}
