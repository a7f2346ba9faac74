//! Requirements as data: the document, the section and the quoted sentence a
//! case rests on ([docs/README.md](../../docs/README.md#adding-a-case)).

use serde::Serialize;
use std::borrow::Cow;

/// One requirement: `RFC 6455` §`5.5.2`, "Upon receipt of a Ping frame, …".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rule {
    /// The document: `RFC 6455`, `RFC 9112`, `voice-protocol`.
    pub rfc: Cow<'static, str>,
    /// The section within it, without the `§`; several are joined as the
    /// vector files write them (`4.2.1, §4.2.2; RFC 9110 §7.8`).
    pub section: Cow<'static, str>,
    /// The sentence (or grammar rule) quoted from it.
    pub text: Cow<'static, str>,
}

impl Rule {
    /// A rule written out in the source.
    pub const fn new(rfc: &'static str, section: &'static str, text: &'static str) -> Rule {
        Rule {
            rfc: Cow::Borrowed(rfc),
            section: Cow::Borrowed(section),
            text: Cow::Borrowed(text),
        }
    }

    /// A rule read from a vector file: `citation` is its `section` field
    /// (`RFC 6455 §4.2.1; RFC 9110 §7.8`), split at the first `§`.
    pub fn from_citation(citation: &str, text: &str) -> Rule {
        let (rfc, section) = citation.split_once(" §").unwrap_or((citation, ""));
        Rule {
            rfc: Cow::Owned(rfc.to_string()),
            section: Cow::Owned(section.to_string()),
            text: Cow::Owned(text.to_string()),
        }
    }

    /// `RFC 6455 §5.5.2`, as reports print it.
    pub fn citation(&self) -> String {
        if self.section.is_empty() {
            self.rfc.to_string()
        } else {
            format!("{} §{}", self.rfc, self.section)
        }
    }

    /// The same document and sentence under another section label (a case
    /// whose citation names more sections than the sentence's own).
    pub fn cited_as(&self, section: &'static str) -> Rule {
        Rule {
            section: Cow::Borrowed(section),
            ..self.clone()
        }
    }
}

/// A rule as the reports write it: the citation (`RFC 9110 §15.5.22`) and
/// the quoted sentence, the pair a case result's `section` and
/// `requirement` fields hold for the case's own rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cited {
    pub section: String,
    pub requirement: String,
}

impl From<&Rule> for Cited {
    fn from(rule: &Rule) -> Cited {
        Cited {
            section: rule.citation(),
            requirement: rule.text.to_string(),
        }
    }
}
