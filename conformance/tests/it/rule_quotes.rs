//! Every case's `rule` quotes its sources verbatim. `rule.text` is one
//! excerpt or several joined by `[...]` (vectors/handshake/*.json: "' [...] '
//! in a requirement joins two verbatim excerpts of the cited sections"), and
//! each excerpt must occur in one of the documents the citation names that
//! the repository ships: `docs/rfc/rfcNNNN.txt` for every `RFC NNNN` in it
//! (`RFC 6455 §4.2.1; RFC 9110 §7.8` names two), `docs/voice-protocol.md`
//! for `voice-protocol`. Excerpts may come from different documents, and in
//! any order (a requirement quotes a list item before the sentence that says
//! what follows from it). Comparison as in `reference/tests/it/citations.rs`
//! (`common/quotes.rs`: whitespace, page breaks and a line break after a
//! hyphen do not count), and an excerpt may start mid-sentence with a
//! capital letter. Citations that name no shipped document are skipped.

use crate::common;

use common::quotes::{excerpts, occurs_from_mid_sentence, root, shipped_doc, shipped_rfc};
use std::collections::HashMap;
use voxproof_conformance::rule::Rule;
use voxproof_conformance::{cases, registry};

/// The documents a citation names: `voice-protocol` if it starts so, and
/// every `RFC NNNN` (also spelled `RFCNNNN`) in it, in order, each once.
fn documents(citation: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if citation.starts_with("voice-protocol") {
        out.push("docs/voice-protocol.md".to_string());
    }
    if citation.starts_with("telephony") {
        out.push("docs/telephony.md".to_string());
    }
    if let Some(doc) = platform_doc(citation) {
        out.push(doc.to_string());
    }
    for (i, _) in citation.match_indices("RFC") {
        let number: String = citation[i + 3..]
            .trim_start_matches(' ')
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if !number.is_empty() && !out.contains(&number) {
            out.push(number);
        }
    }
    out
}

/// The excerpts file of a platform a citation names (`Twilio §Error 31950`).
fn platform_doc(citation: &str) -> Option<&'static str> {
    [
        ("Twilio", "docs/platforms/twilio.md"),
        ("Telnyx", "docs/platforms/telnyx.md"),
        ("Vonage", "docs/platforms/vonage.md"),
    ]
    .into_iter()
    .find_map(|(name, doc)| citation.starts_with(name).then_some(doc))
}

/// A platform rule's quote and the URL it ends with: `"... (https://…)"`.
fn quote_and_url(text: &str) -> Option<(&str, &str)> {
    let (quote, rest) = text.trim_end().rsplit_once(" (https://")?;
    Some((quote, rest.strip_suffix(')')?))
}

/// The part of an excerpts file under the heading `## https://<url>`,
/// normalised (Markdown quote marks dropped).
fn section_of(file: &str, url: &str) -> Option<String> {
    let heading = format!("## https://{url}");
    let start = file.lines().position(|l| l.trim() == heading)?;
    let body: Vec<&str> = file
        .lines()
        .skip(start + 1)
        .take_while(|l| !l.starts_with("## "))
        .map(|l| {
            l.trim_start_matches('>')
                .trim_start_matches([' ', '-', '*'])
        })
        .collect();
    Some(common::quotes::normalise(&body.join("\n")))
}

/// Every platform rule quotes, verbatim, the excerpts file's section for
/// the URL it names.
#[test]
fn platform_rules_quote_their_page() {
    let root = root();
    let mut rules: Vec<(String, Rule)> = registry::all()
        .into_iter()
        .map(|c| (c.id.to_string(), c.rule))
        .collect();
    rules.extend(
        cases::resting_rules()
            .into_iter()
            .map(|(n, r)| (n.to_string(), r)),
    );
    let mut checked = 0;
    let mut failures = Vec::new();
    for (name, rule) in &rules {
        let Some(doc) = platform_doc(&rule.rfc) else {
            continue;
        };
        checked += 1;
        let file = std::fs::read_to_string(root.join(doc)).expect("excerpts file");
        let Some((quote, url)) = quote_and_url(&rule.text) else {
            failures.push(format!("{name}: no (https://…) at the end of the quote"));
            continue;
        };
        match section_of(&file, url) {
            None => failures.push(format!("{name}: {doc} has no section ## https://{url}")),
            Some(body) if !occurs_from_mid_sentence(quote, &body) => {
                failures.push(format!("{name}: not under https://{url} in {doc}: {quote}"))
            }
            Some(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 40, "only {checked} platform rules checked");
}

#[test]
fn documents_of_a_citation() {
    assert_eq!(
        documents("RFC 6455 §4.2.1, §4.2.2; RFC 9110 §7.8"),
        ["6455", "9110"]
    );
    assert_eq!(documents("RFC 6455 §1.3 (RFC2616)"), ["6455", "2616"]);
    assert_eq!(documents("voice-protocol §3"), ["docs/voice-protocol.md"]);
    assert_eq!(
        documents("voice-protocol §3, §5; RFC 6455 §7.4.1"),
        ["docs/voice-protocol.md", "6455"]
    );
}

#[test]
fn a_quote_may_start_mid_sentence() {
    let body = "If it does not, the server MUST close the connection.";
    assert!(occurs_from_mid_sentence(
        "The server MUST close the connection.",
        body
    ));
    assert!(occurs_from_mid_sentence("If it does\n not,", body));
    assert!(!occurs_from_mid_sentence("The server MUST close it.", body));
    assert!(!occurs_from_mid_sentence("THE server MUST", body));
    assert_eq!(
        excerpts("a [...] b\n c [...]"),
        ["a".to_string(), "b c".to_string()]
    );
}

#[test]
fn every_rule_quotes_a_shipped_source_verbatim() {
    let root = root();
    let mut texts: HashMap<String, Option<(String, String)>> = HashMap::new();
    let mut failures = Vec::new();
    let mut checked = 0;
    // The cases' own rules, then every rule an outcome can rest on instead.
    let rules: Vec<(String, Rule)> = registry::all()
        .into_iter()
        .map(|c| (c.id.to_string(), c.rule))
        .chain(
            cases::resting_rules()
                .into_iter()
                .map(|(name, rule)| (name.to_string(), rule)),
        )
        .collect();
    let resting = cases::resting_rules().len();
    let mut resting_checked = 0;
    for (name, rule) in &rules {
        let citation = rule.citation();
        let bodies: Vec<String> = documents(&citation)
            .into_iter()
            .filter_map(|doc| {
                let text = texts.entry(doc.clone()).or_insert_with(|| {
                    if doc.starts_with("docs/") {
                        shipped_doc(&root, &doc)
                    } else {
                        shipped_rfc(&root, &doc)
                    }
                });
                text.as_ref().map(|(_, body)| body.clone())
            })
            .collect();
        if bodies.is_empty() {
            continue;
        }
        checked += 1;
        if !name.contains('.') {
            resting_checked += 1;
        }
        // A platform's quote ends with its page's URL
        // (platform_rules_quote_their_page checks it under that page).
        let text = quote_and_url(&rule.text).map_or(rule.text.as_ref(), |(q, _)| q);
        let misquoted = excerpts(text).into_iter().any(|excerpt| {
            !bodies
                .iter()
                .any(|body| occurs_from_mid_sentence(&excerpt, body))
        });
        if misquoted {
            failures.push(format!("{name}: {citation}: {}", rule.text));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} rule quotes are not in the documents they cite:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 100, "only {checked} rule quotes checked");
    assert_eq!(
        resting_checked, resting,
        "every rule an outcome can rest on cites a shipped document"
    );
}
