//! `voxproof fuzz`: generated conversations played to a live echo server, judged by an oracle
//! ([docs/fuzzing-servers.md](../../../docs/fuzzing-servers.md)).

pub mod cli;
pub mod conversation;
pub mod live;
pub mod oracle;
pub mod report;
pub mod search;
