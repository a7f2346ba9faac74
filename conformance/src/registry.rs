//! Every case, and selection by id globs.

use crate::case::Case;
use std::collections::HashSet;

/// All cases in catalogue order. Ids are unique (checked by a test).
pub fn all() -> Vec<Case> {
    let mut all = crate::cases::handshake::cases();
    all.extend(crate::cases::framing::cases());
    all.extend(crate::cases::auth::cases());
    all.extend(crate::cases::voice::cases());
    all.extend(crate::cases::telephony::cases());
    all
}

/// The group a case is reported under: its id without the last component
/// (`handshake.4_2_1.method-post` → `handshake.4_2_1`), with a readable label.
pub fn group(id: &str) -> (&str, String) {
    let key = id.rsplit_once('.').map_or(id, |(g, _)| g);
    let mut parts = key.splitn(2, '.');
    let (domain, section) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let label = if domain == "auth" {
        format!("{domain}: RFC {section}")
    } else if section.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        format!("{domain}: RFC 6455 §{}", section.replace('_', "."))
    } else if section == "http" {
        format!("{domain}: HTTP/1.1 rules (RFC 9110, RFC 9112)")
    } else {
        format!("{domain}: {section}")
    };
    (key, label)
}

/// Whether `id` matches a selection pattern: a glob (`*`, `?`, `[..]`), or a
/// plain prefix of whole dotted components (`handshake.4_2_1` selects
/// `handshake.4_2_1.method-post`).
pub fn matches(pattern: &str, id: &str) -> bool {
    if pattern.contains(['*', '?', '[', '{']) {
        glob_match::glob_match(pattern, id)
    } else {
        let pattern = pattern.trim_end_matches('.');
        id == pattern
            || id
                .strip_prefix(pattern)
                .is_some_and(|rest| rest.starts_with('.'))
    }
}

/// Cases matching any include pattern (all when none) and no exclude pattern.
pub fn select(cases: Vec<Case>, include: &[String], exclude: &[String]) -> Vec<Case> {
    cases
        .into_iter()
        .filter(|c| include.is_empty() || include.iter().any(|p| matches(p, &c.id)))
        .filter(|c| !exclude.iter().any(|p| matches(p, &c.id)))
        .collect()
}

/// Ids that appear more than once (must be empty).
pub fn duplicate_ids(cases: &[Case]) -> Vec<String> {
    let mut seen = HashSet::new();
    cases
        .iter()
        .filter(|c| !seen.insert(c.id.as_ref()))
        .map(|c| c.id.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn globs_and_prefixes() {
        assert!(matches("handshake.*", "handshake.4_2_1.method-post"));
        assert!(matches("handshake.4_2_1", "handshake.4_2_1.method-post"));
        assert!(matches("handshake.4_2_1.", "handshake.4_2_1.method-post"));
        assert!(!matches("handshake.4_2", "handshake.4_2_1.method-post"));
        assert!(matches("*.method-*", "handshake.4_2_1.method-post"));
        assert!(matches(
            "handshake.4_2_1.method-post",
            "handshake.4_2_1.method-post"
        ));
        assert!(!matches("handshake.http", "handshake.https.x"));
    }
}
