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
        // Voice cases cite the voice protocol (and RFC 6455 / G.711 where relevant).
        let cited = if c.id.starts_with("voice.") {
            c.section.starts_with("voice-protocol §")
        } else {
            c.section.starts_with("RFC ")
        };
        assert!(cited, "{}: section {:?}", c.id, c.section);
        for (what, v) in [
            ("title", &c.title),
            ("requirement", &c.requirement),
            ("sends", &c.sends),
            ("expects", &c.expects),
            ("origin", &c.origin),
        ] {
            assert!(!v.trim().is_empty(), "{}: empty {what}", c.id);
        }
        // A quoted sentence or grammar rule, not a placeholder.
        assert!(
            c.requirement.len() >= 20,
            "{}: requirement too short: {}",
            c.id,
            c.requirement
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
        "docs/cases.md is stale: run `cargo run -p voxproof-conformance -- list --markdown > docs/cases.md` \
         (or VOXPROOF_UPDATE_DOCS=1 cargo test -p voxproof-conformance --test catalogue)"
    );
}
