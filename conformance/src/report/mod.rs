//! Reports of a run: console text, JSON, JUnit XML and HTML
//! ([docs/report-format.md](../../../docs/report-format.md)).

pub mod autobahn;
pub mod console;
pub mod html;
pub mod json;
pub mod junit;

use crate::run::CaseResult;
use crate::verdict::Verdict;
use crate::wire::{Dir, WireEvent};
use std::collections::BTreeMap;

/// One group of results: its id prefix, its label and its cases.
pub type Group<'a> = (&'a str, String, Vec<&'a CaseResult>);

/// Results grouped by section (`handshake.4_2_1`), for every report: domains
/// in catalogue order, numbered sections within a domain in RFC order
/// (`1_3` before `4_2_1`, RFC 6750 before RFC 7515), named ones (`http`,
/// `close`) after them in catalogue order.
pub fn grouped(results: &[CaseResult]) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for r in results {
        let (key, label) = crate::registry::group(&r.id);
        match groups.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, _, cases)) => cases.push(r),
            None => groups.push((key, label, vec![r])),
        }
    }
    let mut domains: Vec<&str> = Vec::new();
    for (key, _, _) in &groups {
        let domain = key.split('.').next().unwrap_or("");
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    let order: BTreeMap<&str, usize> = groups.iter().enumerate().map(|(i, g)| (g.0, i)).collect();
    groups.sort_by_key(|(key, _, _)| {
        let (domain, section) = key.split_once('.').unwrap_or((key, ""));
        let numbers: Option<Vec<u32>> = section.split('_').map(|n| n.parse().ok()).collect();
        (
            domains.iter().position(|d| *d == domain),
            numbers.is_none(),
            numbers.unwrap_or_default(),
            order[key],
        )
    });
    groups
}

/// "1 case", "3 cases".
pub fn cases_count(n: usize) -> String {
    if n == 1 {
        "1 case".to_string()
    } else {
        format!("{n} cases")
    }
}

/// How much of each case's wire log the file reports keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WireDetail {
    /// Everything for cases that are not OK; for OK cases the first and last
    /// events and a count of the rest, so a full run's reports stay a few MB.
    #[default]
    Summary,
    /// Every event of every case (`--wire full`).
    Full,
}

/// Events an OK case keeps at its start (the opening handshake and the first
/// frames) and at its end (the close).
pub const OK_FIRST: usize = 4;
pub const OK_LAST: usize = 2;

/// Apply `detail` to the results before they are written.
pub fn shorten_wire(results: &mut [CaseResult], detail: WireDetail) {
    if detail == WireDetail::Full {
        return;
    }
    for r in results.iter_mut().filter(|r| r.verdict == Verdict::Ok) {
        r.wire = summarise(std::mem::take(&mut r.wire), OK_FIRST, OK_LAST);
    }
}

/// The first `first` and last `last` events, with one event saying how many
/// were left out between them.
pub fn summarise(mut wire: Vec<WireEvent>, first: usize, last: usize) -> Vec<WireEvent> {
    if wire.len() <= first + last + 1 {
        return wire;
    }
    let tail = wire.split_off(wire.len() - last);
    let left_out = wire.len() - first;
    let at_ms = wire[first].at_ms;
    let conn = wire[first].conn;
    wire.truncate(first);
    wire.push(WireEvent {
        at_ms,
        conn,
        dir: Dir::Event,
        len: 0,
        data: format!("{left_out} events left out of this OK case (--wire full keeps them)"),
    });
    wire.extend(tail);
    wire
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(i: usize) -> WireEvent {
        WireEvent {
            at_ms: i as u64,
            conn: 1,
            dir: Dir::Send,
            len: 1,
            data: i.to_string(),
        }
    }

    #[test]
    fn keeps_both_ends_and_counts_the_middle() {
        let short: Vec<_> = (0..7).map(ev).collect();
        assert_eq!(summarise(short.clone(), 4, 2), short);
        let long: Vec<_> = (0..100).map(ev).collect();
        let s = summarise(long, 4, 2);
        let data: Vec<&str> = s.iter().map(|e| e.data.as_str()).collect();
        assert_eq!(&data[..4], ["0", "1", "2", "3"]);
        assert!(data[4].starts_with("94 events left out"));
        assert_eq!(&data[5..], ["98", "99"]);
    }
}
