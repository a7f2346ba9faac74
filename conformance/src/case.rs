//! A conformance case: one literal ([`Case`]), one constructor ([`case`])
//! ([docs/README.md](../../docs/README.md#adding-a-case)).

use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::verdict::Outcome;
use std::borrow::Cow;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

/// How a case runs: a plain function, or a closure over its data (a vector
/// test, a framing script).
#[derive(Clone)]
pub enum Run {
    Fn(fn(&mut Ctx) -> Outcome),
    With(Arc<dyn Fn(&mut Ctx) -> Outcome + Send + Sync>),
    /// Only in [`Case::BASE`]: a case must say how it runs (a test checks).
    Missing,
}

impl Run {
    pub fn with(f: impl Fn(&mut Ctx) -> Outcome + Send + Sync + 'static) -> Run {
        Run::With(Arc::new(f))
    }

    pub fn call(&self, ctx: &mut Ctx) -> Outcome {
        match self {
            Run::Fn(f) => f(ctx),
            Run::With(f) => f(ctx),
            Run::Missing => Outcome::failed("internal error in the suite: this case has no run"),
        }
    }
}

/// Where a case is defined: a line of source, or a line of a vector file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Source {
        file: &'static str,
        line: u32,
    },
    Vector {
        file: String,
        line: usize,
        tc_id: u32,
    },
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Source { file, line } => write!(f, "{file}:{line}"),
            Origin::Vector { file, line, tc_id } => write!(f, "{file}:{line} (tcId {tc_id})"),
        }
    }
}

/// A case as written in its file: the id in full, what it checks, how it
/// runs. Written as a literal ending in `..Case::BASE` and passed to [`case`],
/// which fills in `origin`.
#[derive(Clone)]
pub struct Case {
    /// Dotted id, written out in full so `git grep -F ID` finds it.
    pub id: Cow<'static, str>,
    pub title: Cow<'static, str>,
    /// The requirement it checks.
    pub rule: Rule,
    /// What the case sends.
    pub sends: Cow<'static, str>,
    /// What it expects back.
    pub expects: Cow<'static, str>,
    /// The equivalent Autobahn case, where one exists.
    pub autobahn: Option<&'static str>,
    /// A deadline this case needs at least (large messages, paced audio);
    /// the run's `--timeout-ms` applies when it is longer.
    pub min_timeout: Option<Duration>,
    /// Moves a megabyte or more and keeps a processor busy doing so: the
    /// scheduler runs only a few such cases at once.
    pub bulk: bool,
    /// A long transfer: its deadline counts from the last progress (bytes
    /// moving either way), under an overall cap, not from its start, so a
    /// slow target that keeps working is not cut off (docs/target.md).
    pub transfer: bool,
    /// Its verdict can rest on a time it measures (a bound the user set):
    /// a FAILED among other cases is measured again alone before it stands,
    /// so the suite's own load never decides it.
    pub measures: bool,
    /// Set by [`case`] or [`from_vector`].
    pub origin: Origin,
    pub run: Run,
}

impl Case {
    /// The optional fields' defaults, for `..Case::BASE`.
    pub const BASE: Case = Case {
        id: Cow::Borrowed(""),
        title: Cow::Borrowed(""),
        rule: Rule::new("", "", ""),
        sends: Cow::Borrowed(""),
        expects: Cow::Borrowed(""),
        autobahn: None,
        min_timeout: None,
        bulk: false,
        transfer: false,
        measures: false,
        origin: Origin::Source { file: "", line: 0 },
        run: Run::Missing,
    };

    /// `RFC 6455 §5.5.2`.
    pub fn section(&self) -> String {
        self.rule.citation()
    }
}

/// The one case constructor: records the caller's `file:line` as the origin.
#[track_caller]
pub fn case(def: Case) -> Case {
    let at = Location::caller();
    Case {
        origin: Origin::Source {
            file: at.file(),
            line: at.line(),
        },
        ..def
    }
}

/// A case built from a row of a table in the source: `source` is the
/// table's file (`include_str!`), `file` its path (`file!()`); the origin is
/// the line that writes the id.
pub fn from_row(def: Case, file: &'static str, source: &'static str) -> Case {
    let line = line_of(source, &def.id);
    Case {
        origin: Origin::Source {
            file,
            line: line as u32,
        },
        ..def
    }
}

/// The 1-based line of `text` that holds `"id"`, 0 when none does.
pub fn line_of(text: &str, id: &str) -> usize {
    text.find(&format!("\"{id}\""))
        .map_or(0, |at| text[..at].matches('\n').count() + 1)
}

/// A case whose definition is a row of a vector file.
pub fn from_vector(def: Case, file: &str, line: usize, tc_id: u32) -> Case {
    Case {
        origin: Origin::Vector {
            file: file.to_string(),
            line,
            tc_id,
        },
        ..def
    }
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case")
            .field("id", &self.id)
            .field("origin", &self.origin)
            .finish()
    }
}
