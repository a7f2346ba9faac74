//! Probes through an adapter, one exchange each, into the results every report shows
//! ([docs/adapters.md](../../../docs/adapters.md#verdicts)).

use super::exec::{Adapter, Failure};
use super::protocol::{clip, decide, request_line, Hello, Probe};
use crate::run::{CaseResult, RunReport};
use crate::verdict::Outcome;
use crate::wire::{Dir, WireEvent};
use std::time::Instant;

/// Longest request or answer kept in a case's log.
const LOGGED: usize = 4096;

/// Ask `adapter` every probe, in order. A timeout or an exit is that case's
/// ERROR; the adapter is started again and the run goes on. When it cannot
/// be started again, the cases left are ERROR with the reason.
pub fn run(
    adapter: &mut dyn Adapter,
    hello: Hello,
    target: &str,
    probes: &[Probe],
    on_case: &dyn Fn(&CaseResult),
) -> RunReport {
    let started = Instant::now();
    let mut hello = hello;
    let mut dead: Option<String> = None;
    let mut results = Vec::with_capacity(probes.len());
    for (n, probe) in probes.iter().enumerate() {
        let id = n as u64 + 1;
        let t0 = Instant::now();
        let mut wire = Vec::new();
        let outcome = if let Some(why) = &dead {
            Outcome::error(format!("not asked: {why}"))
        } else if !hello.supports(probe.op) {
            Outcome::unimplemented(format!(
                "the adapter does not list {} in hello",
                probe.op.name()
            ))
        } else {
            let line = request_line(id, probe);
            wire.push(event(&t0, Dir::Send, &line));
            match adapter.exchange(&line) {
                Ok(answer) => {
                    wire.push(event(&t0, Dir::Recv, answer.trim_end()));
                    decide(probe, id, Ok(&answer))
                }
                Err(failure) => {
                    let why = failure.to_string();
                    let restarted = match adapter.restart() {
                        Ok(h) => {
                            hello = h;
                            "started again".to_string()
                        }
                        Err(e) => {
                            dead = Some(format!("the adapter could not be started again: {e}"));
                            format!("not started again: {e}")
                        }
                    };
                    let what = match failure {
                        Failure::Timeout(_) => {
                            format!("{why}; the adapter was killed and {restarted}")
                        }
                        Failure::Exited(_) => format!("{why}; {restarted}"),
                    };
                    wire.push(event(&t0, Dir::Event, &what));
                    decide(probe, id, Err(what))
                }
            }
        };
        let r = CaseResult {
            id: probe.id.clone(),
            title: probe.title.clone(),
            section: probe.section.clone(),
            requirement: probe.requirement.clone(),
            sends: probe.sends.clone(),
            expects: probe.expects.clone(),
            autobahn: None,
            verdict: outcome.verdict,
            detail: outcome.detail,
            rests_on: outcome.rule.as_deref().map(Into::into),
            close: None,
            duration_ms: t0.elapsed().as_millis() as u64,
            wire,
        };
        on_case(&r);
        results.push(r);
    }
    RunReport {
        target: target.to_string(),
        auth_target: None,
        warnings: Vec::new(),
        duration: started.elapsed(),
        results,
    }
}

fn event(t0: &Instant, dir: Dir, text: &str) -> WireEvent {
    let data = if text.len() > LOGGED {
        let mut end = LOGGED;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}… ({} bytes)", &text[..end], text.len())
    } else {
        text.to_string()
    };
    WireEvent {
        at_ms: t0.elapsed().as_millis() as u64,
        conn: 1,
        dir,
        len: if dir == Dir::Event { 0 } else { text.len() },
        data: if dir == Dir::Event { clip(&data) } else { data },
    }
}
