//! Bytes ↔ values, without sockets: the wire log, the HTTP response reader and
//! the frame coder.

pub mod frame;
pub mod http;
pub mod log;

pub use log::{Dir, WireEvent, WireLog};
