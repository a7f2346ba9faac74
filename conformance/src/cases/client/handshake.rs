//! The client's side of the opening handshake (RFC 6455 §4.1): responses from
//! `vectors/handshake/client.json` ([docs/clients.md](../../../../docs/clients.md#handshake)).

use crate::case::Case;

pub fn cases() -> Vec<Case> {
    Vec::new()
}
