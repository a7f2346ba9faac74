//! One faulty target for every family: the reference's upgrade decision on a
//! blocking loopback server, with hooks that each break one thing.
//!
//! A connection goes through five steps, each with its hook:
//! 1. read the request (whole, or one short read taken as the whole);
//! 2. rewrite the request text before it is parsed (a rule switched off);
//! 3. decide: [`upgrade::decide`] under the domain's [`Config`], unless a
//!    hook answers first (a stricter, wrong rule) or replaces the decision;
//! 4. mangle the answer: the 101, or the refusal (or silence instead of it,
//!    or no more connections after it, or a close right after the 101);
//! 5. hand the socket, and any bytes read past the request, to the domain's
//!    after-upgrade handler (an echo, a voice room, frames tampered with).
//!
//! Each `faulty_<family>.rs` is then a table of [`Fault`] rows, and
//! [`assert_each_fails`] runs every claimed case on its row's server.

use super::assert_every_case_claimed;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use voxproof_conformance::case::Case;
use voxproof_conformance::registry;
use voxproof_conformance::run::CaseResult;
use voxproof_conformance::target::Target;
use voxproof_conformance::verdict::Verdict;
use voxproof_reference::config::Config;
use voxproof_reference::handshake::{parse_request, Limits, Parsed, Request};
use voxproof_reference::response::{Rejection, Response};
use voxproof_reference::upgrade::{self, Upgrade};

pub type Decision = Result<Upgrade, Rejection>;
type Rewrite = dyn Fn(String) -> String + Send + Sync;
type RefuseFirst = dyn Fn(&Request) -> Option<Rejection> + Send + Sync;
type Decide = dyn Fn(&Request, &Config, SystemTime) -> Decision + Send + Sync;
type Mangle101 = dyn Fn(&Request, &mut Response) + Send + Sync;
type MangleRefusal = dyn Fn(&mut Rejection) + Send + Sync;
type SilentOn = dyn Fn(&Rejection) -> bool + Send + Sync;
type AfterUpgrade = dyn Fn(TcpStream, Vec<u8>, &Request, &Upgrade) + Send + Sync;

#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub enum ReadMode {
    /// Read until the request is whole.
    #[default]
    Whole,
    /// One read into a 64-byte buffer taken as the whole request: a server
    /// that assumes a request arrives in one piece (deterministic, as every
    /// request is longer than the buffer).
    Once,
}

/// How a faulty target differs from the reference; `Hooks::new(config)` is
/// the reference itself (with `after_upgrade` holding the connection open).
#[derive(Clone)]
pub struct Hooks {
    pub read: ReadMode,
    pub config: Config,
    rewrite: Option<Arc<Rewrite>>,
    refuse_first: Option<Arc<RefuseFirst>>,
    decide: Arc<Decide>,
    mangle_101: Option<Arc<Mangle101>>,
    mangle_refusal: Option<Arc<MangleRefusal>>,
    silent_on: Option<Arc<SilentOn>>,
    die_after_refusal: bool,
    close_after_101: bool,
    after_upgrade: Arc<AfterUpgrade>,
}

impl Default for Hooks {
    fn default() -> Self {
        Hooks::new(Config::default())
    }
}

impl Hooks {
    pub fn new(config: Config) -> Self {
        Hooks {
            read: ReadMode::Whole,
            config,
            rewrite: None,
            refuse_first: None,
            decide: Arc::new(upgrade::decide),
            mangle_101: None,
            mangle_refusal: None,
            silent_on: None,
            die_after_refusal: false,
            close_after_101: false,
            after_upgrade: Arc::new(no_service),
        }
    }

    pub fn read_once(mut self) -> Self {
        self.read = ReadMode::Once;
        self
    }

    /// Rewrite the request text before it is parsed.
    pub fn rewrite(mut self, f: impl Fn(String) -> String + Send + Sync + 'static) -> Self {
        self.rewrite = Some(Arc::new(f));
        self
    }

    /// Refuse before the decision when `f` says so.
    pub fn refuse_first(
        mut self,
        f: impl Fn(&Request) -> Option<Rejection> + Send + Sync + 'static,
    ) -> Self {
        self.refuse_first = Some(Arc::new(f));
        self
    }

    /// Decide with `f` instead of [`upgrade::decide`] (which `f` may call).
    pub fn decide(
        mut self,
        f: impl Fn(&Request, &Config, SystemTime) -> Decision + Send + Sync + 'static,
    ) -> Self {
        self.decide = Arc::new(f);
        self
    }

    pub fn mangle_101(
        mut self,
        f: impl Fn(&Request, &mut Response) + Send + Sync + 'static,
    ) -> Self {
        self.mangle_101 = Some(Arc::new(f));
        self
    }

    pub fn mangle_refusal(mut self, f: impl Fn(&mut Rejection) + Send + Sync + 'static) -> Self {
        self.mangle_refusal = Some(Arc::new(f));
        self
    }

    /// Close without a response instead of sending a refusal `f` picks.
    pub fn silent_on(mut self, f: impl Fn(&Rejection) -> bool + Send + Sync + 'static) -> Self {
        self.silent_on = Some(Arc::new(f));
        self
    }

    /// Stop accepting connections after the first refusal.
    pub fn die_after_refusal(mut self) -> Self {
        self.die_after_refusal = true;
        self
    }

    /// Close the TCP connection right after the 101.
    pub fn close_after_101(mut self) -> Self {
        self.close_after_101 = true;
        self
    }

    /// What serves the connection after the 101: the stream, the bytes
    /// already read past the request, the request and the decision.
    pub fn after_upgrade(
        mut self,
        f: impl Fn(TcpStream, Vec<u8>, &Request, &Upgrade) + Send + Sync + 'static,
    ) -> Self {
        self.after_upgrade = Arc::new(f);
        self
    }
}

fn no_service(stream: TcpStream, _: Vec<u8>, _: &Request, _: &Upgrade) {
    hold(stream);
}

/// No service after the 101: keep the connection until the client leaves.
pub fn hold(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut sink = [0u8; 4096];
    while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
}

/// Limits for finding the end of a request while reading: generous, so an
/// oversized request is read whole and refused under the configured limits
/// rather than reset with bytes unread.
const READ_LIMITS: Limits = Limits {
    max_header_bytes: 1 << 20,
    max_headers: 4096,
};

/// The request's bytes and those read past its end; None if the client left.
fn read_request(stream: &mut TcpStream, mode: ReadMode) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    let limit = if mode == ReadMode::Once {
        64
    } else {
        chunk.len()
    };
    loop {
        match stream.read(&mut chunk[..limit]) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if mode == ReadMode::Once {
            return Some((buf, Vec::new()));
        }
        match parse_request(&buf, &READ_LIMITS) {
            Ok(Parsed::Partial) => continue,
            Ok(Parsed::Complete { consumed, .. }) => {
                let rest = buf.split_off(consumed);
                return Some((buf, rest));
            }
            Err(_) => return Some((buf, Vec::new())),
        }
    }
}

fn handle(mut stream: TcpStream, hooks: &Hooks, refused: &AtomicBool) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Some((mut head, rest)) = read_request(&mut stream, hooks.read) else {
        return;
    };
    if let Some(rewrite) = &hooks.rewrite {
        head = rewrite(String::from_utf8_lossy(&head).into_owned()).into_bytes();
    }
    let decision = match parse_request(&head, &hooks.config.handshake.limits) {
        Ok(Parsed::Complete { request, .. }) => {
            match hooks.refuse_first.as_ref().and_then(|f| f(&request)) {
                Some(rejection) => Err(rejection),
                None => (hooks.decide)(&request, &hooks.config, SystemTime::now())
                    .map(|up| (request, up)),
            }
        }
        Ok(Parsed::Partial) => Err(Rejection::new(400, "incomplete request")),
        Err(rejection) => Err(rejection),
    };
    match decision {
        Ok((request, mut up)) => {
            if let Some(mangle) = &hooks.mangle_101 {
                mangle(&request, &mut up.response);
            }
            let _ = stream.write_all(&up.response.to_bytes());
            if hooks.close_after_101 {
                return;
            }
            let _ = stream.set_read_timeout(None);
            (hooks.after_upgrade)(stream, rest, &request, &up);
        }
        Err(mut rejection) => {
            refused.store(true, Ordering::SeqCst);
            if let Some(mangle) = &hooks.mangle_refusal {
                mangle(&mut rejection);
            }
            if !hooks.silent_on.as_ref().is_some_and(|f| f(&rejection)) {
                let _ = stream.write_all(&rejection.response().to_bytes());
            }
            // Let the client read the answer before the socket closes.
            let _ = stream.shutdown(Shutdown::Write);
            let _ = stream.read(&mut [0u8; 1 << 16]);
        }
    }
}

/// Serve `hooks` on a loopback port, a thread per connection; the server
/// lives until the test process ends (or its first refusal, if so hooked).
pub fn serve(hooks: Hooks) -> Target {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let hooks = Arc::new(hooks);
    let refused = Arc::new(AtomicBool::new(false));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            if hooks.die_after_refusal && refused.load(Ordering::SeqCst) {
                return;
            }
            let Ok(stream) = stream else { continue };
            let (hooks, refused) = (hooks.clone(), refused.clone());
            let die = hooks.die_after_refusal;
            std::thread::spawn(move || handle(stream, &hooks, &refused));
            if die {
                // Give a refusal time to register before the next accept.
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    });
    Target::parse(&format!("ws://{addr}/echo")).unwrap()
}

/// A faulty target and the cases it must make FAILED: ids, or id prefixes
/// ending in `*`. `T` is whatever else the family needs to run a case
/// against it (auth: which key the client signs with).
#[derive(Clone)]
pub struct Fault<T = ()> {
    pub name: &'static str,
    pub cases: &'static [&'static str],
    pub hooks: Hooks,
    pub with: T,
}

pub fn fault(name: &'static str, cases: &'static [&'static str], hooks: Hooks) -> Fault {
    Fault {
        name,
        cases,
        hooks,
        with: (),
    }
}

fn claims(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => pattern == id,
    }
}

/// Every `prefix` case is claimed by a fault (see
/// [`assert_every_case_claimed`]); then each (fault, case) pair runs on a
/// fresh server, `workers` at a time, and every one must come out FAILED.
pub fn assert_each_fails<T: Sync>(
    prefix: &str,
    faults: &[Fault<T>],
    workers: usize,
    run: impl Fn(&Case, &Fault<T>, Target) -> CaseResult + Sync,
) {
    let all = registry::all();
    let mut jobs: Vec<(&Case, &Fault<T>)> = Vec::new();
    let mut claimed: Vec<&str> = Vec::new();
    for fault in faults {
        for pattern in fault.cases {
            let matched: Vec<&Case> = all.iter().filter(|c| claims(pattern, &c.id)).collect();
            if matched.is_empty() {
                // Reported as an unknown case below.
                claimed.push(pattern);
            }
            claimed.extend(matched.iter().map(|c| c.id.as_ref()));
            jobs.extend(matched.into_iter().map(|c| (c, fault)));
        }
    }
    assert_every_case_claimed(prefix, claimed);

    let problems = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..workers.clamp(1, jobs.len().max(1)) {
            s.spawn(|| {
                while let Some((case, fault)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let r = run(case, fault, serve(fault.hooks.clone()));
                    if r.verdict != Verdict::Failed {
                        let line =
                            format!("{} on `{}`: {} ({})", r.id, fault.name, r.verdict, r.detail);
                        problems.lock().unwrap().push(line);
                    }
                }
            });
        }
    });
    let mut problems = problems.into_inner().unwrap();
    problems.sort();
    assert!(
        problems.is_empty(),
        "cases that did not fail:\n{}",
        problems.join("\n")
    );
}
