//! voxproof reference: a minimal, readable WebSocket endpoint (see
//! docs/README.md#layout).
//!
//! * [`handshake`] — the RFC 6455 opening handshake as pure functions over bytes.
//! * [`auth`] — bearer-token carriers and JWT verification, pure functions.
//! * [`voice`] — voice rooms' pure core: routes, codecs, grants, mixing, room state.
//! * [`upgrade`] — the whole decision before the 101, one pure function.
//! * [`response`] — the HTTP responses written before the framing layer.
//! * [`config`] — everything the server can be told.
//! * [`server`] — the tokio shell: accept loop, limits, timeouts, shutdown,
//!   the echo and voice services after the 101, closing.
//! * [`client`] — a small blocking client built on the same handshake code.
//! * [`g711`] — µ-law and A-law codecs, G.711 transcoding, 8 kHz WAV files (pure).
//! * [`fuzzing`] — the fuzz targets' `run` functions and the properties they assert.
//!
//! Framing after the handshake is tungstenite's, on the same socket.

pub mod auth;
pub mod client;
pub mod config;
pub mod fuzzing;
pub mod g711;
pub mod handshake;
pub mod response;
pub mod server;
pub mod upgrade;
pub mod voice;
