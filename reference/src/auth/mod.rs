//! Token authentication for the WebSocket upgrade: where the token travels
//! ([`carrier`]), and whether it is good ([`verify()`]).
//!
//! Everything here is a pure function: the clock is an argument, keys come
//! from the [`Policy`], and nothing is fetched. Signatures are checked by
//! jsonwebtoken, ES512's (which it lacks) by p521; what it leaves open (the algorithm pinned by configuration,
//! `crit`, `nbf`, leeway, strict base64url, claim types, duplicate names) is
//! decided here, each rule beside the RFC sentence it implements.
//! [`vectors::run_jwt_vectors`] runs `vectors/jwt/*.json` through it.

pub mod bearer;
pub mod carrier;
mod json;
mod policy;
pub mod vectors;
pub mod verify;

pub use bearer::{authorize, grants, Auth, Authorized, Denied, Scope};
pub use policy::{Policy, PolicyError};
pub use verify::{verify, verify_jws, AuthError, Claims, Jws};
