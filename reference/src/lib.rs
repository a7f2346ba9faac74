//! voxproof reference: a minimal, readable WebSocket endpoint.
//!
//! * [`handshake`] — the RFC 6455 opening handshake as pure functions over bytes.
//! * [`auth`] — bearer-token carriers and JWT verification, pure functions.
//! * [`server`] — the tokio shell: accept loop, limits, timeouts, shutdown, `/echo`.
//! * [`client`] — a small blocking client built on the same handshake code.
//!
//! Framing after the handshake is tungstenite's, on the same socket.

pub mod auth;
pub mod client;
pub mod handshake;
pub mod server;
