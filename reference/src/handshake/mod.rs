//! The RFC 6455 opening handshake, both sides, with no I/O
//! ([docs/README.md](../../../docs/README.md#layout)).

pub mod accept;
pub mod client;
pub mod request;
pub mod server;

mod fields;

pub use accept::{accept_for, decode_key, KeyError};
pub use request::{parse_request, Limits, Parsed, Request};
pub use server::{respond, Accepted, ServerConfig};
// Where the handshake's answers have always been found.
pub use crate::response::{Rejection, Response};
