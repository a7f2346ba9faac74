//! `voxproof serve`: client cases run on the connections a client harness opens, driven
//! as Autobahn's fuzzingserver is ([docs/clients.md](../../../docs/clients.md#serve)).

pub mod protocol;
mod server;
pub mod spec;

pub use server::{Reports, ServeConfig, Served, Server};

/// Where `voxproof serve` listens unless told otherwise (Autobahn's port).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9001";
