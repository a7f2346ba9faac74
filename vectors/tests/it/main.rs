//! The loader's integration tests, one module per former test file, linked
//! into one binary. Select a group by its module name, e.g.
//! `cargo test -p voxproof-vectors corpus`.

mod corpus;
mod loader;
mod telephony;
