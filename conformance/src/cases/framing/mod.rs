//! Framing cases: Autobahn categories 1–7, 9 and 10 (ids `framing.<topic>.<autobahn id>`)
//! and what Autobahn does not test (`framing.extra.*`). Each is a [`engine::Script`].

pub mod autobahn;
pub mod engine;
pub mod extra;
pub mod utf8;
pub mod utf8_data;

use crate::case::{Case, Run};
use crate::ctx::Ctx;
use crate::rule::Rule;
use engine::Script;
use std::sync::Arc;
use std::time::Duration;

/// What a framing case is, before it becomes a [`Case`].
pub struct Def {
    pub id: String,
    pub autobahn: Option<String>,
    pub title: String,
    pub section: &'static str,
    pub requirement: &'static str,
    pub sends: String,
    pub expects: String,
    pub min_timeout: Option<Duration>,
    pub origin: &'static str,
    pub script: Source,
}

/// A script, or how to build it when the case runs (large payloads are not
/// kept in memory for the whole catalogue).
#[derive(Clone)]
pub enum Source {
    Ready(Script),
    Lazy(Arc<dyn Fn() -> Script + Send + Sync>),
}

impl Def {
    #[track_caller]
    pub fn into_case(self) -> Case {
        let source = self.script;
        // Until each case says so itself: a script streaming a megabyte or
        // more (a lazy one is built once to tell; its large payloads are
        // shared patterns, built once per process anyway when it runs).
        let bulk = match &source {
            Source::Ready(script) => script.is_bulk(),
            Source::Lazy(build) => build().is_bulk(),
        };
        let (rfc, section) = self.section.split_once(" §").unwrap_or((self.section, ""));
        crate::case::case(Case {
            id: self.id.into(),
            title: self.title.into(),
            rule: Rule::new(rfc, section, self.requirement),
            sends: self.sends.into(),
            expects: self.expects.into(),
            autobahn: self.autobahn.map(|a| &*Box::leak(a.into_boxed_str())),
            min_timeout: self.min_timeout,
            bulk,
            run: Run::with(move |ctx: &mut Ctx| match &source {
                Source::Ready(script) => engine::run(ctx, script),
                Source::Lazy(build) => engine::run(ctx, &build()),
            }),
            ..Case::BASE
        })
    }
}

pub fn cases() -> Vec<Case> {
    autobahn::defs()
        .into_iter()
        .chain(extra::defs())
        .map(Def::into_case)
        .collect()
}
