//! A conformance case: what it checks, where the requirement comes from, and
//! the function that runs it.

use crate::cases::auth::AuthSettings;
use crate::target::{Conn, Target};
use crate::verdict::Outcome;
use crate::wire::WireLog;
use std::sync::Arc;
use std::time::Instant;

pub type RunFn = Arc<dyn Fn(&mut Ctx) -> Outcome + Send + Sync>;

/// One case, readable in one glance.
#[derive(Clone)]
pub struct Case {
    /// Dotted id; its prefix names the module (or vector file) that defines it.
    pub id: String,
    pub title: String,
    /// e.g. "RFC 6455 §4.2.1".
    pub section: String,
    /// The sentence of the standard the case checks, quoted.
    pub requirement: String,
    /// What the case sends.
    pub sends: String,
    /// What it expects back.
    pub expects: String,
    /// The equivalent Autobahn case, where one exists.
    pub autobahn: Option<String>,
    /// Where it is defined: a source file, or a vector file and tcId.
    pub origin: String,
    /// A deadline this case needs at least (large messages); the run's
    /// `--timeout-ms` applies when it is longer.
    pub min_timeout: Option<std::time::Duration>,
    pub run: RunFn,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case")
            .field("id", &self.id)
            .field("section", &self.section)
            .finish()
    }
}

/// What a running case can use: the target, its deadline, its wire log.
pub struct Ctx<'a> {
    pub target: &'a Target,
    pub deadline: Instant,
    pub log: WireLog,
    /// What the auth cases mint tokens with; None when not given.
    pub auth: Option<&'a AuthSettings>,
    next_conn: u32,
}

impl<'a> Ctx<'a> {
    pub fn new(target: &'a Target, deadline: Instant) -> Self {
        Ctx {
            target,
            deadline,
            log: WireLog::default(),
            auth: None,
            next_conn: 0,
        }
    }

    pub fn with_auth(mut self, auth: Option<&'a AuthSettings>) -> Self {
        self.auth = auth;
        self
    }

    /// Open a new connection to the target.
    pub fn connect(&mut self) -> Result<Conn, Outcome> {
        self.connect_to(self.target)
    }

    /// Open a new connection to another target (the auth target).
    pub fn connect_to(&mut self, target: &Target) -> Result<Conn, Outcome> {
        self.next_conn += 1;
        Conn::open(target, self.next_conn, self.log.clone(), self.deadline).map_err(Outcome::failed)
    }

    /// The request text of a vector with the target's Host and path filled in.
    pub fn fill(&self, template: &str) -> Vec<u8> {
        voxproof_vectors::octets(
            &template
                .replace("{{host}}", &self.target.authority)
                .replace("{{path}}", &self.target.resource),
        )
    }
}
