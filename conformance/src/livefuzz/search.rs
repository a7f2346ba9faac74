//! The search: conversations from a seed, played by worker threads, counterexamples shrunk
//! ([docs/fuzzing-servers.md](../../../docs/fuzzing-servers.md#shrinking)).

use super::conversation::{conversation, Conversation};
use super::live::{self, Played, Seen};
use super::oracle::{self, Prediction, Stop};
use crate::target::Target;
use crate::verdict::Verdict;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most shrink steps tried on one counterexample (each is one conversation).
pub const MAX_SHRINK_STEPS: usize = 400;
/// Longest time spent shrinking (a failing step can wait out a grace period).
pub const MAX_SHRINK_TIME: Duration = Duration::from_secs(180);

/// The value tree of conversation `index` of the run seeded `seed`: a pure
/// function of the two, whichever worker asks and whenever.
pub fn tree(seed: u64, index: u64) -> impl ValueTree<Value = Conversation> {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&index.to_le_bytes());
    bytes[16..].copy_from_slice(b"voxproof-fuzz-v1");
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    conversation()
        .new_tree(&mut runner)
        .expect("the conversation strategy never rejects")
}

/// Conversation `index` of the run seeded `seed`.
pub fn generate(seed: u64, index: u64) -> Conversation {
    tree(seed, index).current()
}

/// The prediction for a conversation (time only stamps the observer).
pub fn predict(c: &Conversation) -> Prediction {
    let bytes = super::conversation::stream(&c.writes());
    oracle::predict(&c.handshake, &bytes, Instant::now())
}

/// How long a run goes.
#[derive(Debug, Clone, Copy)]
pub enum Limit {
    Cases(u64),
    Duration(Duration),
    /// Only this conversation (to look at one a run counted).
    Only(u64),
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub seed: u64,
    pub limit: Limit,
    pub jobs: usize,
    /// Per conversation: generous, only a silent target reaches it.
    pub timeout: Duration,
    /// A second target for differential mode.
    pub against: Option<Target>,
    /// Go on after a counterexample (counting FAILED by kind); the first is
    /// still shrunk. Differential mode always goes on.
    pub keep_going: bool,
}

/// One conversation that failed, shrunk.
#[derive(Debug, Clone)]
pub struct Counterexample {
    pub index: u64,
    pub original: Conversation,
    pub minimal: Conversation,
    pub played: Played,
    pub shrink_steps: usize,
    /// The minimal conversation failed again when re-run.
    pub confirmed: bool,
}

/// A target that stopped answering after a conversation.
#[derive(Debug, Clone)]
pub struct Crash {
    pub index: u64,
    pub conversation: Conversation,
    pub played: Played,
}

/// Conversations that had the same observable difference between two targets.
#[derive(Debug, Clone)]
pub struct Difference {
    pub count: u64,
    /// The first conversation that showed it.
    pub example: u64,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub conversations: u64,
    pub elapsed: Duration,
    pub verdicts: BTreeMap<Verdict, u64>,
    /// NON-STRICT outcomes by what was weaker.
    pub non_strict: BTreeMap<String, Difference>,
    /// FAILED outcomes by the rule and the breach (with `keep_going`).
    pub failed: BTreeMap<String, Difference>,
    /// The time the conversations took, without shrinking.
    pub searching: Duration,
    /// Conversations that failed once and passed when played again.
    pub flaky: u64,
    pub first_flaky: Option<u64>,
    pub counterexample: Option<Counterexample>,
    pub crash: Option<Crash>,
    /// Differential mode: by kind (`close code after …: 1002 vs 1007`).
    pub differences: BTreeMap<String, Difference>,
    /// Differential mode: the other target's verdicts.
    pub against_verdicts: BTreeMap<Verdict, u64>,
}

/// A short name for why a NON-STRICT verdict was not OK.
fn weaker(j: &oracle::Judged) -> String {
    if let Some(c) = j.close.as_ref().filter(|c| c.verdict == Verdict::NonStrict) {
        // "close code 1002; 1007 (or none) expected" without payload details.
        return c.detail.clone();
    }
    if let Some((_, why)) = j.detail.rsplit_once("(as a target that ") {
        return format!("a target that {}", why.strip_suffix(')').unwrap_or(why));
    }
    if j.detail.contains("(acceptable, not strict)") {
        return "fewer echoes or pongs before the close".into();
    }
    j.detail.clone()
}

/// What the strict prediction turns on, for grouping differences.
pub fn situation(c: &Conversation, p: &Prediction) -> String {
    match p {
        Prediction::Refusal { .. } => c.handshake.describe(),
        Prediction::Session { alternatives, .. } => match &alternatives[0].stop {
            Stop::End => "a valid conversation".into(),
            Stop::ClientClose(Some(code)) => format!("the client's close {code}"),
            Stop::ClientClose(None) => "the client's close without a code".into(),
            Stop::Fail { kind, detail, .. } => match kind {
                Some(k) => format!("{} ({})", detail_class(detail), k.rule().citation()),
                None => detail_class(detail),
            },
        },
    }
}

/// The breach without its numbers (`reserved opcode 0x3` → `reserved opcode`).
fn detail_class(d: &str) -> String {
    d.split_whitespace()
        .filter(|w| !w.starts_with("0x") && !w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The ways two outcomes differ, each as `field after situation: a vs b`.
pub fn differences(situation: &str, a: &Played, b: &Played) -> Vec<String> {
    let mut out = Vec::new();
    let (x, y): (&Seen, &Seen) = (&a.seen, &b.seen);
    let opt = |v: Option<u16>| v.map_or("none".to_string(), |v| v.to_string());
    if x.status != y.status {
        out.push(format!(
            "handshake status after {situation}: {} vs {}",
            opt(x.status),
            opt(y.status)
        ));
    }
    if x.close_code != y.close_code {
        out.push(format!(
            "close code after {situation}: {} vs {}",
            opt(x.close_code),
            opt(y.close_code)
        ));
    }
    if x.closed_by != y.closed_by {
        let who = |c: Option<crate::verdict::Closer>| match c {
            Some(crate::verdict::Closer::Suite) => "the suite",
            Some(crate::verdict::Closer::Target) => "the target",
            Some(crate::verdict::Closer::Nobody) | None => "nobody",
        };
        out.push(format!(
            "who closed first after {situation}: {} vs {}",
            who(x.closed_by),
            who(y.closed_by)
        ));
    }
    if x.events != y.events {
        let how = match x.events.len().cmp(&y.events.len()) {
            std::cmp::Ordering::Less => "fewer from the first",
            std::cmp::Ordering::Greater => "fewer from the second",
            std::cmp::Ordering::Equal => "the same number, different",
        };
        out.push(format!("echoes and pongs after {situation}: {how}"));
    }
    if a.judged.verdict != b.judged.verdict {
        out.push(format!(
            "verdict after {situation}: {} vs {}",
            a.judged.verdict, b.judged.verdict
        ));
    }
    out
}

/// Play a conversation to `target`.
pub fn play(target: &Target, c: &Conversation, timeout: Duration) -> Played {
    let prediction = predict(c);
    live::play(target, &c.handshake, &c.writes(), &prediction, timeout)
}

/// Run the search. `progress` hears each finished conversation's verdict.
pub fn run(target: &Target, s: &Settings, progress: &(dyn Fn(Verdict) + Sync)) -> Outcome {
    let started = Instant::now();
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let out = Mutex::new(Outcome::default());
    let failures: Mutex<Vec<(u64, Played)>> = Mutex::new(Vec::new());
    let go_on = s.against.is_some() || s.keep_going;
    std::thread::scope(|scope| {
        for _ in 0..s.jobs.max(1) {
            scope.spawn(|| loop {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let k = next.fetch_add(1, Ordering::SeqCst);
                let (i, more) = match s.limit {
                    Limit::Cases(n) => (k, k < n),
                    Limit::Duration(d) => (k, started.elapsed() < d),
                    Limit::Only(i) => (i, k == 0),
                };
                if !more {
                    break;
                }
                let c = generate(s.seed, i);
                let mut played = play(target, &c, s.timeout);
                // A failure counts only if it happens again: one that does
                // not is counted apart as flaky (a loaded machine, a race).
                let mut flaky = false;
                if played.judged.verdict == Verdict::Failed {
                    let again = play(target, &c, s.timeout);
                    if again.judged.verdict != Verdict::Failed {
                        flaky = true;
                        played = again;
                    }
                }
                let verdict = played.judged.verdict;
                let other = s.against.as_ref().map(|t| play(t, &c, s.timeout));
                {
                    let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
                    o.conversations += 1;
                    if flaky {
                        o.flaky += 1;
                        o.first_flaky = Some(o.first_flaky.map_or(i, |f: u64| f.min(i)));
                    }
                    *o.verdicts.entry(verdict).or_default() += 1;
                    if verdict == Verdict::NonStrict {
                        let d = o
                            .non_strict
                            .entry(weaker(&played.judged))
                            .or_insert(Difference {
                                count: 0,
                                example: i,
                            });
                        d.count += 1;
                        d.example = d.example.min(i);
                    }
                    if verdict == Verdict::Failed {
                        let j = &played.judged;
                        let what = match &j.close {
                            Some(c) if c.verdict == Verdict::Failed => detail_class(&c.detail),
                            _ if j.detail.starts_with("received") => {
                                "other echoes or pongs than expected".into()
                            }
                            _ => detail_class(&j.detail),
                        };
                        let kind = match &j.rule {
                            Some(r) => format!("{what} ({})", r.citation()),
                            None => what,
                        };
                        let d = o.failed.entry(kind).or_insert(Difference {
                            count: 0,
                            example: i,
                        });
                        d.count += 1;
                        d.example = d.example.min(i);
                    }
                    if let Some(b) = &other {
                        *o.against_verdicts.entry(b.judged.verdict).or_default() += 1;
                        let situation = situation(&c, &predict(&c));
                        for kind in differences(&situation, &played, b) {
                            let d = o.differences.entry(kind).or_insert(Difference {
                                count: 0,
                                example: i,
                            });
                            d.count += 1;
                            d.example = d.example.min(i);
                        }
                    }
                }
                progress(verdict);
                if verdict == Verdict::Failed {
                    failures
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((i, played));
                    if !go_on {
                        stop.store(true, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    let mut out = out.into_inner().unwrap_or_else(|e| e.into_inner());
    out.searching = started.elapsed();
    let mut failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    // The first failure in generation order, whichever worker met it first.
    failures.sort_by_key(|(i, _)| *i);
    failures.truncate(1);
    if let Some((index, played)) = failures.into_iter().next() {
        let conversation = generate(s.seed, index);
        if !live::alive(target, s.timeout) {
            out.crash = Some(Crash {
                index,
                conversation,
                played,
            });
        } else {
            let (cx, crash) = shrink(target, s.seed, index, played, s.timeout);
            out.counterexample = Some(cx);
            out.crash = crash;
        }
    }
    out.elapsed = started.elapsed();
    out
}

/// Does `c` fail on `target`? A failure that only a deadline decided
/// counts when the target is still alive (else it is a crash).
fn fails(target: &Target, c: &Conversation, timeout: Duration) -> (bool, Played, bool) {
    let p = play(target, c, timeout);
    if p.judged.verdict != Verdict::Failed {
        return (false, p, false);
    }
    let alive = live::alive(target, timeout);
    (alive, p, !alive)
}

/// Shrink conversation `index` (which failed as `played`) by proptest's
/// value tree, re-running each candidate; then re-run the minimal one.
pub fn shrink(
    target: &Target,
    seed: u64,
    index: u64,
    played: Played,
    timeout: Duration,
) -> (Counterexample, Option<Crash>) {
    let mut t = tree(seed, index);
    let original = t.current();
    let mut best = (original.clone(), played);
    let mut steps = 0;
    let mut crash = None;
    let started = Instant::now();
    if t.simplify() {
        loop {
            steps += 1;
            let candidate = t.current();
            let (failed, p, dead) = fails(target, &candidate, timeout);
            if dead {
                crash = Some(Crash {
                    index,
                    conversation: candidate,
                    played: p,
                });
                break;
            }
            let more = if failed {
                best = (candidate, p);
                t.simplify()
            } else {
                t.complicate()
            };
            if !more || steps >= MAX_SHRINK_STEPS || started.elapsed() > MAX_SHRINK_TIME {
                break;
            }
        }
    }
    let (minimal, played) = best;
    let confirm = play(target, &minimal, timeout);
    let confirmed = confirm.judged.verdict == Verdict::Failed;
    let played = if confirmed { confirm } else { played };
    (
        Counterexample {
            index,
            original,
            minimal,
            played,
            shrink_steps: steps,
            confirmed,
        },
        crash,
    )
}
