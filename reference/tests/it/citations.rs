//! Every quotation in `reference/src` is verbatim: a `//=` line names the
//! source, the `//#` lines after it quote it, and for every source the
//! repository ships (`docs/rfc/rfcNNNN.txt`, `docs/voice-protocol.md`) the
//! quoted text must occur in it. Comparison ignores line breaks, runs of
//! whitespace, the RFCs' page breaks, and a line break after a hyphen;
//! `[...]` in a quote stands for omitted text, and the parts must occur in
//! order. See docs/README.md. The comparison is shared with the check of
//! the conformance cases' rules (conformance/tests/it/rule_quotes.rs).

#[path = "../../../conformance/tests/it/common/quotes.rs"]
mod comparison;

use comparison::{normalise, occurs, rfc_body, root, shipped_doc, shipped_rfc};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("a readable directory")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A quotation: the source, where its `//#` lines start, and their text.
struct Quote {
    source: String,
    at: String,
    text: String,
}

/// The `//#` runs of a file, each under the last `//=` line before it.
fn quotes(path: &Path, root: &Path, failures: &mut Vec<String>) -> Vec<Quote> {
    let text = std::fs::read_to_string(path).expect("a readable source file");
    let name = path
        .strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string();
    let mut out: Vec<Quote> = Vec::new();
    let mut source: Option<String> = None;
    let mut open = false;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if let Some(target) = line.strip_prefix("//=") {
            source = Some(target.trim().to_string());
            open = false;
        } else if let Some(quoted) = line.strip_prefix("//#") {
            match (&source, open) {
                (Some(_), true) => {
                    let last = out.last_mut().expect("an open quote");
                    last.text.push('\n');
                    last.text.push_str(quoted);
                }
                (Some(s), false) => {
                    out.push(Quote {
                        source: s.clone(),
                        at: format!("{name}:{}", i + 1),
                        text: quoted.to_string(),
                    });
                    open = true;
                }
                (None, _) => {
                    failures.push(format!("{name}:{}: //# without a //= before it", i + 1))
                }
            }
        } else {
            open = false;
        }
    }
    out
}

/// The shipped text a `//=` source names, normalised, if the repository has it.
fn shipped(source: &str, root: &Path) -> Option<(String, String)> {
    let doc = source.split('#').next().unwrap_or(source);
    if let Some(rfc) = doc.strip_prefix("https://www.rfc-editor.org/rfc/rfc") {
        return shipped_rfc(root, rfc);
    }
    if doc.starts_with("docs/") && doc.ends_with(".md") {
        return shipped_doc(root, doc);
    }
    None
}

#[test]
fn every_quotation_of_a_shipped_source_is_verbatim() {
    let root = root();
    let mut files = Vec::new();
    rust_files(&root.join("reference/src"), &mut files);
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut cache: std::collections::HashMap<String, Option<(String, String)>> = Default::default();
    for file in &files {
        for quote in quotes(file, &root, &mut failures) {
            let doc = quote.source.split('#').next().unwrap_or("").to_string();
            let Some((name, body)) = cache
                .entry(doc)
                .or_insert_with(|| shipped(&quote.source, &root))
            else {
                continue;
            };
            checked += 1;
            if !occurs(&quote.text, body) {
                failures.push(format!(
                    "{}: not in {name}: {}",
                    quote.at,
                    normalise(&quote.text)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 20, "only {checked} quotations checked");
}

#[test]
fn page_breaks_do_not_split_a_quote() {
    let text = "   the connection\n\nFette             Standards Track                    [Page 4]\n\u{c}\nRFC 6455                 The WebSocket Protocol            December 2011\n\n   was established\n";
    assert!(occurs(
        "the connection was established",
        &rfc_body(text, "6455")
    ));
    assert!(occurs(
        "a case-\n insensitive [...] b",
        "a case-insensitive x b"
    ));
    assert!(!occurs("b [...] a", "a x b"));
}
