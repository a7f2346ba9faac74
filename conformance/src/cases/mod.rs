//! Every case, by domain. One module per RFC section (or per vector file)
//! so a case's code is found from its id.

pub mod auth;
pub mod framing;
pub mod handshake;
pub mod voice;
