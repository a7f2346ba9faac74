//! The scheduler: runs cases concurrently, each on its own connections and
//! with its own deadline, and collects their results.

use crate::case::Case;
use crate::ctx::Ctx;
use crate::rule::Cited;
use crate::target::{AuthSettings, Target};
use crate::verdict::{CloseOutcome, Outcome, Verdict};
use crate::wire::WireEvent;
use serde::Serialize;
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Settings read once from the command line and handed down.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Cases running at once.
    pub jobs: usize,
    /// Deadline of each case, from its start.
    pub timeout: Duration,
    /// Key material and target for the auth cases; None leaves them UNIMPLEMENTED.
    pub auth: Option<AuthSettings>,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            jobs: default_jobs(),
            timeout: Duration::from_millis(2000),
            auth: None,
        }
    }
}

/// Cases mostly wait on the network, so many more jobs than cores pay off
/// (the few that keep a processor busy are bounded separately).
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map_or(16, |n| n.get() * 16)
        .clamp(16, 64)
}

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
    // Time spent waiting for a place does not count against the case.
    let _slot = case.bulk.then(BulkSlot::take);
    let start = Instant::now();
    let timeout = case.min_timeout.map_or(timeout, |m| m.max(timeout));
    let mut ctx = Ctx::new(target, start + timeout).with_auth(auth);
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
        duration_ms: start.elapsed().as_millis() as u64,
        wire: ctx.log.events(),
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

/// Run `cases` against `target`; `progress` is called as each one finishes.
/// Results come back in the order of `cases`.
pub fn run(
    target: &Target,
    cases: &[Case],
    config: &RunConfig,
    progress: &(dyn Fn(&CaseResult) + Sync),
) -> RunReport {
    let start = Instant::now();
    // Long cases (those that need more than the default deadline: large
    // messages, long exchanges, waits, paced audio) start first, so the many
    // short ones fill the time they spend waiting instead of trailing them.
    let mut order: Vec<usize> = (0..cases.len()).collect();
    order.sort_by_key(|&i| cases[i].min_timeout.is_none());
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<CaseResult>>> = Mutex::new(vec![None; cases.len()]);
    let workers = config.jobs.clamp(1, cases.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let case = &cases[i];
                    let result = run_case_with(case, target, config.timeout, config.auth.as_ref());
                    progress(&result);
                    if let Ok(mut r) = results.lock() {
                        r[i] = Some(result);
                    }
                }
            });
        }
    });
    let results = results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect();
    RunReport {
        target: target.url.clone(),
        auth_target: config
            .auth
            .as_ref()
            .and_then(|a| a.target.as_ref())
            .map(|t| t.url.clone())
            .filter(|url| *url != target.url),
        duration: start.elapsed(),
        results,
    }
}
