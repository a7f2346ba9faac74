//! Opening-handshake cases: RFC 6455 §4.2, §4.4 and the HTTP/1.1 rules they rely on
//! ([docs/README.md](../../../../docs/README.md#adding-a-case)).

pub mod expect;
pub mod http11;
pub mod open;
pub mod rfc6455_4_2_2;
pub mod vectors;

use crate::case::Case;

pub fn cases() -> Vec<Case> {
    let mut all = vectors::cases();
    all.extend(rfc6455_4_2_2::cases());
    all.extend(http11::cases());
    all
}
