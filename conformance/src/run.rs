//! The scheduler: runs cases concurrently, each on its own connections and
//! with its own deadline, and collects their results.

use crate::case::Case;
use crate::ctx::Ctx;
use crate::rule::Cited;
use crate::target::{Accepted, AuthSettings, Budget, Conn, Target};
use crate::verdict::{CloseOutcome, Outcome, Verdict};
use crate::wire::WireEvent;
use serde::Serialize;
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Settings read once from the command line and handed down.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Cases running at once (at most, with `adaptive`).
    pub jobs: usize,
    /// `--jobs auto`: start few cases, more while the target answers
    /// handshakes as fast as it did alone, fewer when it slows down.
    pub adaptive: bool,
    /// Deadline of each case (of each phase of it), from its start; a
    /// [transfer](Case::transfer) case's counts from its last progress.
    pub timeout: Duration,
    /// Key material and target for the auth cases; None leaves them UNIMPLEMENTED.
    pub auth: Option<AuthSettings>,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            jobs: default_jobs(),
            adaptive: true,
            timeout: Duration::from_millis(2000),
            auth: None,
        }
    }
}

/// Cases mostly wait on the network, so many more jobs than cores pay off
/// (the few that keep a processor busy are bounded separately). With
/// `--jobs auto` this is the most that run at once.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map_or(16, |n| n.get() * 16)
        .clamp(16, 64)
}

/// A case FAILED because its time ran out, while others ran, is run again
/// alone with this many times its deadline before the FAILED stands.
pub const RERUN_SCALE: u32 = 3;
/// A transfer's idle limit, in deadlines: the time it may go without a
/// byte moving.
pub const IDLE_SCALE: u32 = 5;
/// A transfer's overall cap, in its `min_timeout` (or deadline, if longer).
pub const CAP_SCALE: u32 = 4;
/// Cases in a row that heard nothing from the target (a refused or timed
/// out connect, or silence until the deadline) before the runner checks
/// whether the target still answers.
pub const SILENT_STREAK: usize = 6;
/// The detail of a case not run because the target stopped answering starts so.
pub const NOT_RUN: &str = "not run: the target stopped answering";

/// One case's result, as every report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub id: String,
    pub title: String,
    pub section: String,
    pub requirement: String,
    pub sends: String,
    pub expects: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autobahn: Option<String>,
    pub verdict: Verdict,
    pub detail: String,
    /// The requirement the verdict rests on, when it is not the case's own
    /// (`section`, `requirement`): RFC 9110 §15.5.22 for a 426 without
    /// `Upgrade` in a case about RFC 6455 §4.2.1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rests_on: Option<Cited>,
    /// The separate close verdict, for cases that close a WebSocket connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close: Option<CloseOutcome>,
    pub duration_ms: u64,
    pub wire: Vec<WireEvent>,
}

#[derive(Debug, Clone)]
pub struct RunReport {
    pub target: String,
    /// Where the auth cases went, when not to `target`.
    pub auth_target: Option<String>,
    /// What weakens the verdicts of this run (e.g. `--insecure`), said at
    /// the top of every report.
    pub warnings: Vec<String>,
    pub duration: Duration,
    pub results: Vec<CaseResult>,
}

impl RunReport {
    /// Count per verdict, every verdict present (zero when unused); iterate
    /// [`Verdict::ALL`] to list them in report order.
    pub fn summary(&self) -> BTreeMap<Verdict, usize> {
        let mut counts: BTreeMap<Verdict, usize> = Verdict::ALL.iter().map(|v| (*v, 0)).collect();
        for r in &self.results {
            *counts.entry(r.verdict).or_default() += 1;
        }
        counts
    }

    pub fn failed(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.verdict == Verdict::Failed)
            .count()
    }
}

/// Run one case to its outcome. A panic inside the case is a defect of the
/// suite, reported as such; the run goes on.
pub fn run_case(case: &Case, target: &Target, timeout: Duration) -> CaseResult {
    run_case_with(case, target, timeout, None)
}

/// [`run_case`] with the auth cases' settings. A [bulk](Case::bulk) case
/// first waits for a place among the bulk cases (two per core); its deadline
/// starts once it has one.
pub fn run_case_with(
    case: &Case,
    target: &Target,
    timeout: Duration,
    auth: Option<&AuthSettings>,
) -> CaseResult {
    run_one(case, target, timeout, auth, 1).0
}

/// What the scheduler learns from a case besides its result.
#[derive(Debug, Clone, Copy, Default)]
struct Signals {
    /// The case's own time ran out somewhere (not a wait it chose).
    timed_out: bool,
    /// The target sent nothing at all, and a connect, read or write failed
    /// or time ran out.
    silent: bool,
    /// Connect to complete response head, of the case's first handshake.
    latency: Option<Duration>,
}

/// Run one case with `scale` times the usual time.
fn run_one(
    case: &Case,
    target: &Target,
    timeout: Duration,
    auth: Option<&AuthSettings>,
    scale: u32,
) -> (CaseResult, Signals) {
    // Time spent waiting for a place does not count against the case.
    let _slot = case.bulk.then(BulkSlot::take);
    let start = Instant::now();
    let (budget, phase) = budget_for(case, timeout, scale, start);
    let mut ctx = Ctx::with_budget(target, budget.clone(), phase).with_auth(auth);
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| case.run.call(&mut ctx)))
        .unwrap_or_else(|p| {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Outcome::failed(format!(
                "internal error in the suite (please report): {msg}"
            ))
        });
    let signals = Signals {
        timed_out: budget.timed_out(),
        silent: budget.unanswered(),
        latency: budget.first_response(),
    };
    let result = result_of(
        case,
        outcome,
        start.elapsed().as_millis() as u64,
        ctx.log.events(),
    );
    (result, signals)
}

/// A case's time from `start`: its deadline (`scale` times the usual), or
/// for a transfer an idle limit under a cap; and the time each later phase
/// gets.
fn budget_for(
    case: &Case,
    timeout: Duration,
    scale: u32,
    start: Instant,
) -> (Arc<Budget>, Duration) {
    let longest = case.min_timeout.map_or(timeout, |m| m.max(timeout));
    if case.transfer {
        let idle = timeout * IDLE_SCALE * scale;
        let cap = longest * CAP_SCALE * if scale > 1 { 2 } else { 1 };
        (Budget::idle(idle, start + cap), idle)
    } else {
        (Budget::until(start + longest * scale), longest * scale)
    }
}

/// Run a client case on a connection a client opened to the suite (serving
/// clients): `head` is the opening handshake it sent, parsed as `request`,
/// and `read_past` what was read after it.
pub fn run_accepted(
    case: &Case,
    client: &Target,
    stream: std::net::TcpStream,
    request: crate::wire::http::HttpRequest,
    head: &[u8],
    read_past: &[u8],
    timeout: Duration,
) -> CaseResult {
    let _slot = case.bulk.then(BulkSlot::take);
    let start = Instant::now();
    let (budget, phase) = budget_for(case, timeout, 1, start);
    let mut ctx = Ctx::with_budget(client, budget.clone(), phase);
    let conn = Conn::accepted(stream, 1, ctx.log.clone(), budget, head, read_past);
    ctx.accepted = Some(Accepted { conn, request });
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| case.run.call(&mut ctx)))
        .unwrap_or_else(|_| Outcome::failed("internal error in the suite (please report)"));
    result_of(
        case,
        outcome,
        start.elapsed().as_millis() as u64,
        ctx.log.events(),
    )
}

fn result_of(case: &Case, outcome: Outcome, duration_ms: u64, wire: Vec<WireEvent>) -> CaseResult {
    CaseResult {
        id: case.id.to_string(),
        title: case.title.to_string(),
        section: case.section(),
        requirement: case.rule.text.to_string(),
        sends: case.sends.to_string(),
        expects: case.expects.to_string(),
        autobahn: case.autobahn.map(str::to_string),
        verdict: outcome.verdict,
        rests_on: outcome
            .rule
            .as_deref()
            .filter(|r| **r != case.rule)
            .map(Cited::from),
        detail: outcome.detail,
        close: outcome.close,
        duration_ms,
        wire,
    }
}

/// Bulk cases running at once, per core. Such a case is bound by processor
/// time, not by waiting, so running more of them together only slows the
/// cases that are waiting for round trips, and it spreads receive buffers
/// over more memory instead of reusing a few.
const BULK_SLOTS_PER_CORE: usize = 2;

/// A place among the [bulk](Case::bulk) cases; waits until one is free.
struct BulkSlot;

static BULK_BUSY: Mutex<usize> = Mutex::new(0);
static BULK_FREED: std::sync::Condvar = std::sync::Condvar::new();

impl BulkSlot {
    fn take() -> BulkSlot {
        let slots =
            std::thread::available_parallelism().map_or(2, |n| n.get()) * BULK_SLOTS_PER_CORE;
        if let Ok(mut busy) = BULK_BUSY.lock() {
            while *busy >= slots {
                match BULK_FREED.wait(busy) {
                    Ok(b) => busy = b,
                    Err(_) => return BulkSlot,
                }
            }
            *busy += 1;
        }
        BulkSlot
    }
}

impl Drop for BulkSlot {
    fn drop(&mut self) {
        if let Ok(mut busy) = BULK_BUSY.lock() {
            *busy = busy.saturating_sub(1);
        }
        BULK_FREED.notify_one();
    }
}

/// How many cases may start: all `jobs`, or (adaptive) a number that grows
/// while the target answers handshakes about as fast as it did at its
/// fastest and halves when its answers slow down, so a slow target is not
/// buried under connections it cannot serve in time.
struct Limiter {
    state: Mutex<LimitState>,
    freed: Condvar,
    max: usize,
    adaptive: bool,
}

struct LimitState {
    limit: usize,
    running: usize,
    /// Fastest handshake seen.
    fastest: Option<Duration>,
    last_cut: Option<Instant>,
}

/// Cases started at first with `--jobs auto`.
const AUTO_START: usize = 8;

impl Limiter {
    fn new(max: usize, adaptive: bool) -> Limiter {
        let limit = if adaptive { max.min(AUTO_START) } else { max };
        Limiter {
            state: Mutex::new(LimitState {
                limit: limit.max(1),
                running: 0,
                fastest: None,
                last_cut: None,
            }),
            freed: Condvar::new(),
            max,
            adaptive,
        }
    }

    fn acquire(&self) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while st.running >= st.limit {
            st = self.freed.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        st.running += 1;
    }

    /// A case ended; `latency` is its first handshake's, if it made one.
    fn release(&self, latency: Option<Duration>) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.running = st.running.saturating_sub(1);
        if let (true, Some(lat)) = (self.adaptive, latency) {
            let fastest = *st.fastest.get_or_insert(lat);
            let fastest = fastest.min(lat).max(Duration::from_micros(200));
            st.fastest = Some(fastest);
            if lat > fastest * 4 + Duration::from_millis(25) {
                // Slower answers: fewer cases at once (at most one cut per
                // 200 ms, so one burst of slow answers counts once).
                if st
                    .last_cut
                    .is_none_or(|t| t.elapsed() > Duration::from_millis(200))
                {
                    st.limit = (st.limit / 2).max(1);
                    st.last_cut = Some(Instant::now());
                }
            } else if lat < fastest * 2 + Duration::from_millis(5) {
                st.limit = (st.limit + 1).min(self.max);
            }
        }
        drop(st);
        self.freed.notify_all();
    }
}

/// Whether the target still answers: cases that heard nothing at all, in a
/// row, lead to a check; a failed check stops the run.
#[derive(Default)]
struct Health {
    /// The cases (indices) of the current silent streak.
    streak: Vec<usize>,
    checking: bool,
    /// Why the run stopped.
    gone: Option<String>,
}

/// What a run adds to its report: the cases run again alone, and those not
/// run because the target stopped answering.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunNotes {
    /// Ids of cases run again alone after their time ran out among others.
    pub reruns: Vec<String>,
    /// Cases reported as not run (UNIMPLEMENTED, detail starting [`NOT_RUN`]).
    pub not_run: usize,
    /// Why the run stopped early, when it did.
    pub stopped: Option<String>,
}

/// Run `cases` against `target`; `progress` is called as each one finishes.
/// Results come back in the order of `cases`.
pub fn run(
    target: &Target,
    cases: &[Case],
    config: &RunConfig,
    progress: &(dyn Fn(&CaseResult) + Sync),
) -> RunReport {
    run_noted(target, cases, config, progress).0
}

/// [`run`], with what the run did besides running each case once.
///
/// 1. The cases run in parallel (long ones first), as many at once as the
///    [limiter](RunConfig::adaptive) allows.
/// 2. Should several cases in a row hear nothing from the target, one
///    handshake checks it still answers; if not, the run stops and every
///    case not run (or run while it was gone) is UNIMPLEMENTED, detail
///    [`NOT_RUN`].
/// 3. Every case that FAILED because its own time ran out runs again,
///    alone, with [`RERUN_SCALE`] times the time; so does one that FAILED on
///    a time it [measures](Case::measures). Its second verdict stands, and
///    its detail says so.
pub fn run_noted(
    target: &Target,
    cases: &[Case],
    config: &RunConfig,
    progress: &(dyn Fn(&CaseResult) + Sync),
) -> (RunReport, RunNotes) {
    let start = Instant::now();
    // Long cases (those that need more than the default deadline: large
    // messages, long exchanges, waits, paced audio) start first, so the many
    // short ones fill the time they spend waiting instead of trailing them.
    let mut order: Vec<usize> = (0..cases.len()).collect();
    order.sort_by_key(|&i| cases[i].min_timeout.is_none());
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<(CaseResult, Signals)>>> = Mutex::new(vec![None; cases.len()]);
    let workers = config.jobs.clamp(1, cases.len().max(1));
    let limiter = Limiter::new(workers, config.adaptive);
    let health = Mutex::new(Health::default());
    let auth = config.auth.as_ref();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                limiter.acquire();
                let gone = health.lock().map_or(true, |h| h.gone.is_some());
                let Some(&i) = order
                    .get(next.fetch_add(1, Ordering::Relaxed))
                    .filter(|_| !gone)
                else {
                    limiter.release(None);
                    break;
                };
                let (result, signals) = run_one(&cases[i], target, config.timeout, auth, 1);
                limiter.release(signals.latency);
                progress(&result);
                if let Ok(mut r) = results.lock() {
                    r[i] = Some((result, signals));
                }
                watch(&health, i, signals, target, config.timeout);
            });
        }
    });
    let mut slots = results.into_inner().unwrap_or_default();
    let mut notes = RunNotes::default();
    let health = health.into_inner().unwrap_or_default();
    if let Some(why) = health.gone {
        // Cases not started, and those that heard nothing since the target
        // went quiet, were not really run.
        let heard_nothing: Vec<usize> = health.streak;
        for (i, slot) in slots.iter_mut().enumerate() {
            let detail = match slot {
                None => format!("{NOT_RUN} ({why})"),
                Some((r, sig)) if sig.silent || heard_nothing.contains(&i) => {
                    format!("{NOT_RUN} ({why}); this case: {}", r.detail)
                }
                Some(_) => continue,
            };
            let wire = slot.take().map(|(r, _)| r.wire).unwrap_or_default();
            let r = result_of(&cases[i], Outcome::unimplemented(detail), 0, wire);
            *slot = Some((r, Signals::default()));
            notes.not_run += 1;
        }
        notes.stopped = Some(why);
    } else {
        // Verdicts decided by a deadline among other cases: again, alone.
        let mut quiet = 0;
        for (i, slot) in slots.iter_mut().enumerate() {
            let Some((first, sig)) = slot else { continue };
            let measured = cases[i].measures;
            if first.verdict != Verdict::Failed || !(sig.timed_out || measured) {
                continue;
            }
            let (mut again, sig2) = run_one(&cases[i], target, config.timeout, auth, RERUN_SCALE);
            quiet = if sig2.silent { quiet + 1 } else { 0 };
            again.detail = if measured {
                format!(
                    "{} [measured again alone: among others it gave: {}]",
                    again.detail, first.detail
                )
            } else {
                format!(
                    "{} [run again alone with {RERUN_SCALE}× the time: the first run, among others, ran out of time: {}]",
                    again.detail, first.detail
                )
            };
            notes.reruns.push(again.id.clone());
            *slot = Some((again, sig2));
            if quiet >= SILENT_STREAK && probe(target, config.timeout).is_err() {
                break;
            }
        }
    }
    let results = slots.into_iter().flatten().map(|(r, _)| r).collect();
    let report = RunReport {
        target: target.url.clone(),
        auth_target: config
            .auth
            .as_ref()
            .and_then(|a| a.target.as_ref())
            .map(|t| t.url.clone())
            .filter(|url| *url != target.url),
        warnings: target.warnings(),
        duration: start.elapsed(),
        results,
    };
    (report, notes)
}

/// Note a finished case in `health`; after [`SILENT_STREAK`] silent cases
/// in a row, check the target with one handshake (one worker checks, the
/// others go on).
fn watch(health: &Mutex<Health>, i: usize, signals: Signals, target: &Target, timeout: Duration) {
    let Ok(mut h) = health.lock() else { return };
    if !signals.silent {
        h.streak.clear();
        return;
    }
    h.streak.push(i);
    if h.streak.len() < SILENT_STREAK || h.checking || h.gone.is_some() {
        return;
    }
    h.checking = true;
    drop(h);
    let verdict = probe(target, timeout);
    let Ok(mut h) = health.lock() else { return };
    h.checking = false;
    match verdict {
        Ok(_) => h.streak.clear(),
        Err(why) => h.gone = Some(why),
    }
}

/// Time the [`preflight`] and mid-run checks give the target.
pub fn probe_time(timeout: Duration) -> Duration {
    timeout.clamp(Duration::from_secs(5), Duration::from_secs(10))
}

/// One valid handshake: does the target still answer?
fn probe(target: &Target, timeout: Duration) -> Result<Duration, String> {
    preflight(target, false, timeout).map_err(|e| format!("after several cases heard nothing, {e}"))
}

/// Before the cases: one valid opening handshake (and, with `echo`, one
/// text message echoed), within [`probe_time`]. The error says in one line
/// why the cases could not run: refused, not WebSocket, a token needed,
/// the wrong path, silent, too slow. Ok holds the handshake's round trip.
pub fn preflight(target: &Target, echo: bool, timeout: Duration) -> Result<Duration, String> {
    use crate::cases::handshake::open::valid_request;
    use crate::target::{FrameEnd, HttpAnswer, ReadEnd};
    let time = probe_time(timeout);
    let secs = time.as_secs_f64();
    let url = &target.url;
    let mut ctx = Ctx::new(target, Instant::now() + time);
    let request = valid_request(&ctx, crate::cases::handshake::open::RFC_KEY);
    let started = Instant::now();
    let mut conn = match ctx.open(target) {
        Ok(c) => c,
        Err(crate::transport::OpenError::Connect {
            timed_out: true, ..
        }) => {
            return Err(format!(
                "target {url} did not accept a TCP connection in {secs:.0} s"
            ))
        }
        Err(e) => return Err(target.unreachable(&e)),
    };
    if let Err(e) = conn.send(&request) {
        return Err(format!(
            "target {url} accepted TCP but did not take a handshake: {e}"
        ));
    }
    let resp = match conn.read_http_response() {
        HttpAnswer::Response(r) => r,
        HttpAnswer::NoResponse(ReadEnd::TimedOut, 0) => {
            return Err(format!(
                "target {url} is silent: it accepted TCP but sent nothing in {secs:.0} s"
            ))
        }
        HttpAnswer::NoResponse(ReadEnd::TimedOut, n) => {
            return Err(format!(
                "target {url} is too slow: {n} bytes in {secs:.0} s and no complete response to a handshake (dripping?)"
            ))
        }
        HttpAnswer::NoResponse(end, n) => {
            let how = match end {
                ReadEnd::Closed => "closed the connection".to_string(),
                ReadEnd::Error(e) => format!("dropped the connection ({e})"),
                ReadEnd::TimedOut => "timed out".to_string(),
            };
            return Err(format!(
                "target {url} is not WebSocket: it {how} after {n} bytes, without answering a valid handshake"
            ));
        }
        HttpAnswer::Malformed(e) => {
            return Err(format!("target {url} is not WebSocket: its answer to a handshake is not HTTP: {e}"))
        }
    };
    let rtt = started.elapsed();
    let status = resp.status_line();
    match resp.status {
        101 => {}
        401 | 403 => {
            return Err(format!(
                "target {url} answered {status}: the target needs a token: see the auth flags (--jwt-secret, --jwt-private-key, docs/auth.md); the other cases need a path that takes none"
            ))
        }
        404 => {
            return Err(format!(
                "target {url} answered {status}: wrong path? ({} is not a WebSocket resource there)",
                target.resource
            ))
        }
        _ => {
            return Err(format!(
                "target {url} is not WebSocket: it answered {status} to a valid handshake"
            ))
        }
    }
    if echo {
        use crate::wire::frame::{opcode, Frame};
        use crate::wire::observer::{Event, Observer};
        const PING: &[u8] = b"voxproof preflight";
        let key = [0x37, 0xfa, 0x21, 0x3d];
        if let Err(e) = conn.send_frame(&Frame::new(opcode::TEXT, PING.to_vec()).masked(key)) {
            return Err(format!(
                "target {url} took the handshake but not a message: {e}"
            ));
        }
        let mut observer = Observer::new().with_max_payload(1 << 20);
        let echoed = loop {
            let read = conn.observe(&mut observer);
            let mut got = None;
            while let Some(seen) = observer.poll_event() {
                match seen.event {
                    Event::Message { payload, .. } => got = got.or(Some(Ok(payload))),
                    Event::Close { code, .. } => {
                        got = got.or(Some(Err(format!("closed the connection (code {code:?})"))))
                    }
                    _ => {}
                }
            }
            let _ = conn.send_replies(&mut observer, key);
            match (got, read) {
                (Some(g), _) => break g,
                (None, Ok(())) => {}
                (None, Err(FrameEnd::Read(ReadEnd::TimedOut, _))) => {
                    break Err(format!("sent nothing back in {secs:.0} s"))
                }
                (None, Err(FrameEnd::Read(end, _))) => {
                    break Err(format!("ended the connection ({end:?})"))
                }
                (None, Err(FrameEnd::Invalid(e))) => {
                    break Err(format!("sent bytes that are not a frame ({e})"))
                }
            }
        };
        let _ = conn.send_frame(&Frame::close(Some(1000), b"").masked(key));
        conn.shutdown_write();
        match echoed {
            Ok(p) if p.as_slice() == PING => {}
            Ok(p) => {
                return Err(format!(
                    "target {url} does not echo: it answered the text message {:?} with {:?}; the framing cases need an endpoint that echoes every message",
                    String::from_utf8_lossy(PING),
                    String::from_utf8_lossy(&p[..p.len().min(60)])
                ))
            }
            Err(why) => {
                return Err(format!(
                    "target {url} does not echo: after the handshake it {why}; the framing cases need an endpoint that echoes every message"
                ))
            }
        }
    }
    Ok(rtt)
}
