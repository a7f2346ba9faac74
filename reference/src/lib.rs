//! voxproof reference: a minimal, readable WebSocket endpoint.
//!
//! * [`handshake`] — the RFC 6455 opening handshake as pure functions over bytes.
//! * [`auth`] — bearer-token carriers and JWT verification, pure functions.
//! * [`server`] — the tokio shell: accept loop, limits, timeouts, shutdown, `/echo`.
//! * [`client`] — a small blocking client built on the same handshake code.
//! * [`g711`] — µ-law and A-law codecs, G.711 transcoding, 8 kHz WAV files (pure).
//! * [`voice`] — voice rooms: N−1 mixing on a 20 ms clock, codec negotiation.
//! * [`fuzzing`] — the fuzz targets' `run` functions and the properties they assert.
//!
//! Framing after the handshake is tungstenite's, on the same socket.

pub mod auth;
pub mod client;
pub mod fuzzing;
pub mod g711;
pub mod handshake;
pub mod server;
pub mod voice;
