//! Bytes ↔ values, without sockets: the wire log, the HTTP response reader,
//! the frame coder and the observer of what a target sends.

pub mod close_code;
pub mod frame;
pub mod http;
pub mod log;
pub mod observer;

pub use log::{Dir, WireEvent, WireLog};
