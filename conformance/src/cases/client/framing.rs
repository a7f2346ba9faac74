//! Autobahn's framing cases (categories 1–7, 9, 10) played against a client: the suite is the
//! server ([docs/clients.md](../../../../docs/clients.md#framing)).

use crate::case::Case;

pub fn cases() -> Vec<Case> {
    Vec::new()
}
