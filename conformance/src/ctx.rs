//! What a running case can use: the target, its time, its wire log.

use crate::target::{Accepted, AuthSettings, Budget, Conn, Target};
use crate::transport::OpenError;
use crate::verdict::Outcome;
use crate::wire::WireLog;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Ctx<'a> {
    pub target: &'a Target,
    /// The case's time, shared by its connections.
    pub budget: Arc<Budget>,
    pub log: WireLog,
    /// What the auth cases mint tokens with; None when not given.
    pub auth: Option<&'a AuthSettings>,
    /// Serving clients: the connection the client opened, its handshake
    /// read (a client case takes it; the suite plays the server on it).
    pub accepted: Option<Accepted>,
    /// Time given to each phase after the first ([`Ctx::next_phase`]).
    phase: Duration,
    next_conn: u32,
}

impl<'a> Ctx<'a> {
    /// A context whose deadline is `deadline` (and each later phase gets as
    /// long as the first).
    pub fn new(target: &'a Target, deadline: Instant) -> Self {
        let phase = deadline.saturating_duration_since(Instant::now());
        Self::with_budget(target, Budget::until(deadline), phase)
    }

    /// A context on a budget the scheduler made; `phase` is the time each
    /// later phase gets.
    pub fn with_budget(target: &'a Target, budget: Arc<Budget>, phase: Duration) -> Self {
        Ctx {
            target,
            budget,
            log: WireLog::default(),
            auth: None,
            accepted: None,
            phase,
            next_conn: 0,
        }
    }

    pub fn with_auth(mut self, auth: Option<&'a AuthSettings>) -> Self {
        self.auth = auth;
        self
    }

    /// The case's deadline now.
    pub fn deadline(&self) -> Instant {
        self.budget.deadline()
    }

    /// Start a new phase of the case (a second connection in sequence after
    /// a first one that may have waited out its time, as a patient server
    /// makes it): it gets its own time, as long as the first phase had, and
    /// only its own timeouts say a deadline decided the case.
    pub fn next_phase(&mut self) {
        self.budget.restart(Instant::now() + self.phase);
    }

    /// Open a new connection to the target.
    pub fn connect(&mut self) -> Result<Conn, Outcome> {
        self.connect_to(self.target)
    }

    /// Open a new connection to another target (the auth target).
    pub fn connect_to(&mut self, target: &Target) -> Result<Conn, Outcome> {
        self.open(target)
            .map_err(|e| Outcome::failed(e.to_string()))
    }

    /// [`Ctx::connect_to`], saying why a connection failed.
    pub fn open(&mut self, target: &Target) -> Result<Conn, OpenError> {
        self.next_conn += 1;
        Conn::open(
            target,
            self.next_conn,
            self.log.clone(),
            self.budget.clone(),
        )
    }

    /// The request text of a vector with the target's Host and path filled
    /// in and, when it is aimed at the target's own host, the user's added
    /// fields ([`Shape::apply`](crate::target::Shape::apply)).
    pub fn fill(&self, template: &str) -> Vec<u8> {
        let request = voxproof_vectors::octets(
            &template
                .replace("{{host}}", &self.target.authority)
                .replace("{{path}}", &self.target.resource),
        );
        if template.contains("{{host}}") {
            self.target.shape.apply(request)
        } else {
            request
        }
    }
}
