//! Token authentication for the WebSocket upgrade, as pure functions
//! ([docs/jwt.md](../../../docs/jwt.md#the-reference-verifiers-policy)).

pub mod bearer;
pub mod carrier;
mod json;
mod policy;
pub mod vectors;
pub mod verify;

pub use bearer::{authorize, grants, Auth, Authorized, Denied, Scope};
pub use policy::{Policy, PolicyError};
pub use verify::{verify, verify_jws, AuthError, Claims, Jws};
