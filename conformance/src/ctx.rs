//! What a running case can use: the target, its deadline, its wire log.

use crate::target::{AuthSettings, Conn, Target};
use crate::verdict::Outcome;
use crate::wire::WireLog;
use std::time::Instant;

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
