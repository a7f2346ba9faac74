//! The module graph of `conformance/src` and `reference/src` has no import
//! circles between files, so a newcomer can draw it as a tree and read it top
//! down. A file's edges are the modules it names through `crate::`, `super::`
//! or a child module's name; edges between a module and its own ancestors or
//! descendants are the tree itself (a `mod.rs` declares, re-exports and
//! assembles its children) and are not counted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`cases::auth::mint`) → file.
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<String, PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if name == "bin" {
                    continue;
                }
                let mut p = prefix.to_vec();
                p.push(name);
                walk(&path, &p, out);
            } else if let Some(stem) = name.strip_suffix(".rs") {
                let mut p = prefix.to_vec();
                if stem != "mod" && !(prefix.is_empty() && (stem == "lib" || stem == "main")) {
                    p.push(stem.to_string());
                }
                if prefix.is_empty() && stem == "main" {
                    continue;
                }
                out.insert(p.join("::"), path);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(src, &[], &mut out);
    out
}

/// Paths named in `text`, made absolute (`crate::a::b`, `super::c` from `module`).
fn named_paths(text: &str, module: &str, children: &[String]) -> Vec<String> {
    // Line comments out (doc links name modules too); strings are rare enough.
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let parent = |m: &str| -> String {
        m.rsplit_once("::")
            .map_or(String::new(), |(p, _)| p.to_string())
    };
    // `super` of a file module is its parent; of a mod.rs module, its parent too.
    // `super` is the parent module, for `a/b.rs` and `a/b/mod.rs` alike.
    let sup = parent(module);
    let mut out = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    let word_at = |i: usize, w: &str| -> bool {
        let s: String = bytes[i..(i + w.len()).min(bytes.len())].iter().collect();
        s == w
            && (i == 0
                || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_' || bytes[i - 1] == ':'))
    };
    while i < bytes.len() {
        let (base, skip) = if word_at(i, "crate::") {
            (String::new(), 7)
        } else if word_at(i, "super::") {
            (sup.clone(), 7)
        } else if children.iter().any(|c| word_at(i, &format!("{c}::"))) {
            (module.to_string(), 0)
        } else {
            i += 1;
            continue;
        };
        i += skip;
        // Expand `{a::b, c}` one level at a time.
        let mut depth = 0;
        let start = i;
        while i < bytes.len() {
            let c = bytes[i];
            if c == '{' {
                depth += 1;
            } else if c == '}' {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            } else if depth == 0 && !(c.is_alphanumeric() || c == '_' || c == ':') {
                break;
            }
            i += 1;
        }
        let tail: String = bytes[start..i].iter().collect();
        for p in expand(&tail) {
            let joined = if base.is_empty() {
                p
            } else {
                format!("{base}::{p}")
            };
            out.push(joined);
        }
    }
    out
}

/// `a::{b, c::{d}}` → `a::b`, `a::c::d`.
fn expand(path: &str) -> Vec<String> {
    let path = path.trim().trim_end_matches("::");
    let Some(open) = path.find('{') else {
        return vec![path.to_string()];
    };
    let head = path[..open].trim_end_matches("::");
    let inner = &path[open + 1..path.rfind('}').unwrap_or(path.len())];
    let mut parts = Vec::new();
    let (mut depth, mut last) = (0, 0);
    for (k, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[last..k]);
                last = k + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[last..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty() && *p != "self")
        .flat_map(|p| {
            expand(p)
                .into_iter()
                .map(|e| {
                    if head.is_empty() {
                        e
                    } else {
                        format!("{head}::{e}")
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// File-level edges: module → modules it uses (the longest module prefix of each path).
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules(src);
    let mut g = BTreeMap::new();
    for (m, file) in &mods {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let children: Vec<String> = mods
            .keys()
            .filter_map(|k| {
                let rest = if m.is_empty() {
                    Some(k.as_str())
                } else {
                    k.strip_prefix(&format!("{m}::"))
                };
                rest.filter(|r| !r.is_empty() && !r.contains("::"))
                    .map(str::to_string)
            })
            .collect();
        let mut edges = BTreeSet::new();
        for p in named_paths(&text, m, &children) {
            let segs: Vec<&str> = p.split("::").collect();
            let target = (1..=segs.len())
                .rev()
                .map(|n| segs[..n].join("::"))
                .find(|cand| mods.contains_key(cand))
                .unwrap_or_default();
            let related = |a: &str, b: &str| a.is_empty() || b.starts_with(&format!("{a}::"));
            if target != *m && !target.is_empty() && !related(m, &target) && !related(&target, m) {
                edges.insert(target);
            }
        }
        g.insert(m.clone(), edges);
    }
    g
}

/// Every cycle's members, as `a -> b -> a` lines.
fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut found = Vec::new();
    for start in g.keys() {
        // Shortest path from each neighbour back to `start`.
        let mut prev: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue: std::collections::VecDeque<&str> =
            g[start].iter().map(|s| s.as_str()).collect();
        for n in &queue {
            prev.insert(n, start);
        }
        while let Some(n) = queue.pop_front() {
            if n == start {
                let mut path = vec![start.as_str()];
                let mut at = prev[start.as_str()];
                while at != start {
                    path.push(at);
                    at = prev[at];
                }
                path.push(start);
                path.reverse();
                found.push(path.join(" -> "));
                break;
            }
            for m in g.get(n).into_iter().flatten() {
                if !prev.contains_key(m.as_str()) {
                    prev.insert(m, n);
                    queue.push_back(m);
                }
            }
        }
    }
    found
}

fn check(crate_dir: &str) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(crate_dir)
        .join("src");
    let found = cycles(&graph(&src));
    assert!(
        found.is_empty(),
        "import circles in {crate_dir}/src:\n{}",
        found.join("\n")
    );
}

#[test]
fn conformance_modules_form_a_tree() {
    check("conformance");
}

#[test]
fn reference_modules_form_a_tree() {
    check("reference");
}
