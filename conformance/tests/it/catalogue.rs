//! The registry: ids, citations, and the generated catalogue in docs/.

use voxproof_conformance::{cli, registry};

#[test]
fn ids_are_unique_and_every_case_cites_its_source() {
    let cases = registry::all();
    assert!(
        registry::duplicate_ids(&cases).is_empty(),
        "{:?}",
        registry::duplicate_ids(&cases)
    );
    for c in &cases {
        assert!(
            c.id.split('.').count() >= 3,
            "{}: id must be domain.section.name",
            c.id
        );
        // Voice cases cite the voice protocol (and RFC 6455 / G.711 where
        // relevant); telephony cases their platform's page (or RFC 6455).
        let platform = ["twilio.", "telnyx.", "vonage."]
            .iter()
            .find(|p| c.id.starts_with(*p));
        let cited = if c.id.starts_with("voice.") {
            c.section().starts_with("voice-protocol §")
        } else if let Some(p) = platform {
            let name = p.trim_end_matches('.');
            c.section().to_lowercase().starts_with(name) || c.section().starts_with("RFC 6455 §")
        } else {
            c.section().starts_with("RFC ")
        };
        assert!(cited, "{}: section {:?}", c.id, c.section());
        let origin = c.origin.to_string();
        for (what, v) in [
            ("title", c.title.as_ref()),
            ("requirement", c.rule.text.as_ref()),
            ("sends", c.sends.as_ref()),
            ("expects", c.expects.as_ref()),
            ("origin", origin.as_str()),
        ] {
            assert!(!v.trim().is_empty(), "{}: empty {what}", c.id);
        }
        assert!(
            !matches!(c.run, voxproof_conformance::case::Run::Missing),
            "{}: no run (the literal ends in ..Case::BASE without a run)",
            c.id
        );
        // A quoted sentence or grammar rule, not a placeholder.
        assert!(
            c.rule.text.len() >= 20,
            "{}: requirement too short: {}",
            c.id,
            c.rule.text
        );
    }
}

#[test]
fn at_least_forty_handshake_cases() {
    let n = registry::all()
        .iter()
        .filter(|c| c.id.starts_with("handshake."))
        .count();
    assert!(n >= 40, "{n} handshake cases");
}

#[test]
fn docs_cases_md_is_generated_from_the_registry() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/cases.md");
    let want = cli::catalogue_markdown(&registry::all());
    let have = std::fs::read_to_string(path).unwrap_or_default();
    if std::env::var_os("VOXPROOF_UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).expect("write docs/cases.md");
        return;
    }
    assert!(
        have == want,
        "docs/cases.md is stale: run `cargo run -p voxproof-conformance -- list --catalogue > docs/cases.md` \
         (or VOXPROOF_UPDATE_DOCS=1 cargo test -p voxproof-conformance --test it catalogue)"
    );
}

#[test]
fn docs_coverage_md_is_generated_from_the_registry() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/coverage.md");
    let want = cli::coverage_markdown(&registry::all());
    if std::env::var_os("VOXPROOF_UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).expect("write docs/coverage.md");
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/coverage.md is stale: run `cargo run -p voxproof-conformance -- list --markdown > docs/coverage.md` \
         (or VOXPROOF_UPDATE_DOCS=1 cargo test -p voxproof-conformance --test it catalogue)"
    );
}

#[test]
fn docs_autobahn_mapping_md_is_generated_from_the_registry() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/autobahn-mapping.md");
    let want = cli::autobahn_markdown(&registry::all());
    if std::env::var_os("VOXPROOF_UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).expect("write docs/autobahn-mapping.md");
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/autobahn-mapping.md is stale: run `cargo run -p voxproof-conformance -- list --autobahn > docs/autobahn-mapping.md`"
    );
}

#[test]
fn every_autobahn_case_of_categories_1_to_7_9_10_has_an_equivalent() {
    let all = registry::all();
    let ids: Vec<&str> = all.iter().filter_map(|c| c.autobahn).collect();
    let unique: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "an Autobahn id mapped twice");
    // Autobahn's case counts per category (its case index).
    for (category, count) in [
        ("1", 16),
        ("2", 11),
        ("3", 7),
        ("4", 10),
        ("5", 20),
        ("6", 145),
        ("7", 37),
        ("9", 54),
        ("10", 1),
    ] {
        let n = ids
            .iter()
            .filter(|id| id.split('.').next() == Some(category))
            .count();
        assert_eq!(n, count, "category {category}");
    }
    assert_eq!(ids.len(), 301);
}

#[test]
fn at_least_340_handshake_and_framing_cases() {
    let n = registry::all()
        .iter()
        .filter(|c| c.id.starts_with("handshake.") || c.id.starts_with("framing."))
        .count();
    assert!(n >= 340, "{n}");
}

/// `git grep -F ID` finds every case in one step: the id is written out in
/// full in the file its origin names (a case literal, a table row or a
/// vector), at the line the origin names.
#[test]
fn every_id_is_written_out_where_its_origin_points() {
    use voxproof_conformance::case::Origin;
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut files: std::collections::HashMap<String, String> = Default::default();
    for c in registry::all() {
        let (file, line) = match &c.origin {
            Origin::Source { file, line } => (file.to_string(), *line as usize),
            Origin::Vector { file, line, .. } => (file.clone(), *line),
        };
        let text = files.entry(file.clone()).or_insert_with(|| {
            std::fs::read_to_string(format!("{root}/{file}")).unwrap_or_default()
        });
        assert!(
            text.contains(&format!("\"{}\"", c.id)),
            "{}: the id is not written out in {file}",
            c.id
        );
        // The origin is the line that writes the id, or the `case(Case {`
        // just above it.
        let near: Vec<&str> = text.lines().skip(line.saturating_sub(1)).take(3).collect();
        assert!(
            line >= 1 && near.iter().any(|l| l.contains(&format!("\"{}\"", c.id))),
            "{}: {file}:{line} does not write the id",
            c.id
        );
    }
}
