//! Reports of a run: console text, JSON, JUnit XML and HTML.

pub mod console;
pub mod html;
pub mod json;
pub mod junit;
