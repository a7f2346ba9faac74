//! Checking quotations against the texts the repository ships
//! (`docs/rfc/rfcNNNN.txt`, `docs/voice-protocol.md`), shared by
//! `conformance/tests/it/rule_quotes.rs` and `reference/tests/it/citations.rs`
//! (which includes this file by path).
//!
//! Comparison ignores line breaks, runs of whitespace, the RFCs' page
//! breaks, and a line break after a hyphen; `[...]` in a quote stands for
//! omitted text.

#![allow(dead_code)] // each includer uses only some of it

use std::path::{Path, PathBuf};

/// The workspace root: the parent of the including package's directory.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

/// Collapses whitespace and joins words a line break split at a hyphen.
pub fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("- ", "-")
}

/// An RFC's text without its page breaks: the form feed, the footer line
/// ending in `[Page N]` and the running header `RFC NNNN ... Month Year`.
/// RFCs in the v3 format have no page breaks but start with a byte-order
/// mark, which is dropped.
pub fn rfc_body(text: &str, number: &str) -> String {
    let header = format!("RFC {number} ");
    let kept: Vec<&str> = text
        .trim_start_matches('\u{feff}')
        .lines()
        .filter(|line| {
            let line = line.trim_end();
            let footer = line.ends_with(']') && line.contains("[Page ");
            !(footer || line.starts_with(&header))
        })
        .map(|line| line.trim_start_matches('\u{c}'))
        .collect();
    normalise(&kept.join("\n"))
}

/// RFC `number`'s text from `docs/rfc/`, without page breaks and
/// normalised, with its path; `None` if the repository does not ship it.
pub fn shipped_rfc(root: &Path, number: &str) -> Option<(String, String)> {
    let path = root.join(format!("docs/rfc/rfc{number}.txt"));
    let text = std::fs::read_to_string(&path).ok()?;
    Some((path.display().to_string(), rfc_body(&text, number)))
}

/// A document under `docs/` (`docs/voice-protocol.md`), normalised.
pub fn shipped_doc(root: &Path, doc: &str) -> Option<(String, String)> {
    let text = std::fs::read_to_string(root.join(doc)).ok()?;
    Some((doc.to_string(), normalise(&text)))
}

/// Whether every part of a quote (split at `[...]`) occurs in `body`, in order.
pub fn occurs(quote: &str, body: &str) -> bool {
    let mut from = 0;
    for part in quote.split("[...]").map(normalise) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match body[from..].find(part) {
            Some(i) => from += i + part.len(),
            None => return false,
        }
    }
    true
}

/// The excerpts of a quote: its parts between `[...]`, normalised, without
/// empty ones.
pub fn excerpts(quote: &str) -> Vec<String> {
    quote
        .split("[...]")
        .map(|part| normalise(part).trim().to_string())
        .filter(|part| !part.is_empty())
        .collect()
}

/// Whether `excerpt` (one part of a quote, no `[...]`) occurs in `body`,
/// also when it starts mid-sentence and so capitalises a word the source
/// writes in lower case ("The server MUST" for "..., the server MUST").
pub fn occurs_from_mid_sentence(excerpt: &str, body: &str) -> bool {
    let excerpt = normalise(excerpt);
    if body.contains(&excerpt) {
        return true;
    }
    let mut chars = excerpt.chars();
    match chars.next() {
        Some(first) if first.is_uppercase() => {
            body.contains(&first.to_lowercase().chain(chars).collect::<String>())
        }
        _ => false,
    }
}
