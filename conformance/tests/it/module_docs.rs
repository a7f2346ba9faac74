//! Module docs are one line plus a link into `docs/`, not a copy of it: at most two `//!`
//! lines per file, and every relative link in a `//!` line reaches a file and heading.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const TREES: [&str; 4] = [
    "conformance/src",
    "reference/src",
    "vectors/src",
    "vectors/generator/src",
];

const MAX_LINES: usize = 2;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

fn all_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for tree in TREES {
        rust_files(&root().join(tree), &mut out);
    }
    out.sort();
    assert!(out.len() > 50, "found only {} files", out.len());
    out
}

/// The `//!` lines of `text`, prefix removed.
fn inner_doc(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn module_docs_are_short() {
    let mut long = Vec::new();
    for file in all_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        // The first run of `//!` lines: the module doc.
        let block = text
            .lines()
            .skip_while(|l| !l.starts_with("//!"))
            .take_while(|l| l.starts_with("//!"))
            .count();
        if block > MAX_LINES {
            long.push(format!("{} ({block} lines)", relative(&file)));
        }
    }
    assert!(
        long.is_empty(),
        "module docs longer than {MAX_LINES} lines (say what the module is in one line and \
         link to the docs page that explains it):\n{}",
        long.join("\n")
    );
}

/// The anchors GitHub gives the headings of a markdown file: lowercase, punctuation
/// dropped, spaces as `-`, a repeated anchor numbered `-1`, `-2`, ...
fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let hashes = line.chars().take_while(|&c| c == '#').count();
        let Some(title) = line[hashes..].strip_prefix(' ') else {
            continue;
        };
        if !(1..=6).contains(&hashes) {
            continue;
        }
        let slug: String = title
            .trim()
            .to_lowercase()
            .chars()
            .filter(|&c| c.is_alphanumeric() || c == ' ' || c == '-' || c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let mut anchor = slug.clone();
        let mut n = 0;
        while out.contains(&anchor) {
            n += 1;
            anchor = format!("{slug}-{n}");
        }
        out.insert(anchor);
    }
    out
}

/// Targets of markdown links (`[text](target)`) that name a file rather than an
/// item: a path with `/` or ending in `.md`, not a URL.
fn file_links(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let Some(end) = after.find(')') else { break };
        let target = &after[..end];
        let path = target.split('#').next().unwrap_or("");
        let is_url = target.contains("://") || target.starts_with("mailto:");
        if !is_url && !path.contains("::") && (path.contains('/') || path.ends_with(".md")) {
            out.push(target.to_string());
        }
        rest = &after[end..];
    }
    out
}

#[test]
fn module_doc_links_resolve() {
    let mut broken = Vec::new();
    let mut links = 0;
    for file in all_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let doc = inner_doc(&text).join("\n");
        for target in file_links(&doc) {
            links += 1;
            let (path, anchor) = match target.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (target.as_str(), None),
            };
            let dest = file.parent().unwrap().join(path);
            let Ok(content) = std::fs::read_to_string(&dest) else {
                broken.push(format!("{}: {target}: no such file", relative(&file)));
                continue;
            };
            if let Some(anchor) = anchor {
                if !anchors(&content).contains(anchor) {
                    broken.push(format!("{}: {target}: no such heading", relative(&file)));
                }
            }
        }
    }
    assert!(links > 40, "found only {links} links");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn anchors_follow_github() {
    let md = "# A title\n## §6 Timing\n```sh\n# not a heading\n```\n### `voxproof vectors jwt`\n\
              ## The reference verifier's policy\n## Extra cases\n## Extra cases\n\
              ### Conventions (the ITU-T G.191 STL, module g711)\n### `server_stream`\n";
    let got: Vec<String> = anchors(md).into_iter().collect();
    assert_eq!(
        got,
        [
            "6-timing",
            "a-title",
            "conventions-the-itu-t-g191-stl-module-g711",
            "extra-cases",
            "extra-cases-1",
            "server_stream",
            "the-reference-verifiers-policy",
            "voxproof-vectors-jwt",
        ]
    );
}
