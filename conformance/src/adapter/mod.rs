//! `voxproof vectors`: the vector corpora and generated inputs put to an implementation through
//! the adapter protocol ([docs/adapters.md](../../../docs/adapters.md)).

pub mod corpus;
pub mod exec;
pub mod generated;
pub mod protocol;
pub mod reference;
pub mod session;

pub use corpus::Corpus;
