//! voxproof reference: a minimal, readable WebSocket endpoint
//! ([docs/README.md](../../docs/README.md#layout)).

pub mod auth;
pub mod bots;
pub mod client;
pub mod config;
pub mod fuzzing;
pub mod g711;
pub mod handshake;
pub mod response;
pub mod server;
pub mod tls;
pub mod upgrade;
pub mod voice;
