//! Reports of a run: console text and JSON.

pub mod console;
pub mod json;
