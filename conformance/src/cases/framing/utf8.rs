//! Autobahn category 6 (UTF-8), driven by the data in `utf8_data`.

use super::Def;

pub fn category_6(_d: &mut Vec<Def>) {}
