//! The progress bar of `voxproof run`, on stderr and only for a person at a terminal
//! ([docs/report-format.md](../../docs/report-format.md#reports)).

use crate::case::Case;
use crate::run::CaseResult;
use crate::verdict::Verdict;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A case's group: its id without the last part (`framing.limits`).
fn group_of(id: &str) -> String {
    id.rsplit_once('.').map_or(id, |(g, _)| g).to_string()
}

/// Whether to draw: stderr is a terminal and `CI` is not set. `CI` set to
/// an empty string, `0` or `false` counts as unset, as most CI-detecting tools
/// read it.
pub fn should_draw(stderr_is_terminal: bool, ci: Option<&OsStr>) -> bool {
    let in_ci = ci.is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
    stderr_is_terminal && !in_ci
}

pub struct Progress {
    bar: ProgressBar,
    /// Without a bar: cases left and failed per group, and when the run
    /// started, for one line on stderr as each group finishes.
    groups: Option<Mutex<Groups>>,
    /// Failures so far; the lock also orders concurrent updates, so a late
    /// "1 failed" cannot overwrite "2 failed".
    failed: Mutex<usize>,
}

/// Per group (`framing.limits`): cases left and failed.
struct Groups {
    left: BTreeMap<String, (usize, usize)>,
    start: Instant,
}

impl Progress {
    /// A bar for `total` cases, drawn only when [`should_draw`] says so.
    pub fn for_terminal(total: usize) -> Self {
        let draw = should_draw(
            std::io::stderr().is_terminal(),
            std::env::var_os("CI").as_deref(),
        );
        Self::new(total, draw)
    }

    /// A bar for `cases` on a terminal; elsewhere one line on stderr per
    /// finished group (`framing.limits: 54 cases done, 0 failed, 12.3 s`),
    /// so a long run without a terminal still shows it moves.
    pub fn for_cases(cases: &[Case]) -> Self {
        let draw = should_draw(
            std::io::stderr().is_terminal(),
            std::env::var_os("CI").as_deref(),
        );
        let mut p = Self::new(cases.len(), draw);
        if !draw {
            let mut left = BTreeMap::new();
            for c in cases {
                left.entry(group_of(&c.id)).or_insert((0, 0)).0 += 1;
            }
            p.groups = Some(Mutex::new(Groups {
                left,
                start: Instant::now(),
            }));
        }
        p
    }

    pub fn new(total: usize, draw: bool) -> Self {
        let target = if draw {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(total as u64), target);
        if draw {
            let style = ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40.cyan/blue}] {pos}/{len} cases  {msg}",
            )
            .expect("the template is valid")
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_message("0 failed");
            // Redraw while cases wait on a slow target, so the clock moves.
            bar.enable_steady_tick(Duration::from_millis(200));
        }
        Progress {
            bar,
            groups: None,
            failed: Mutex::new(0),
        }
    }

    /// Count a finished case (called from the worker threads).
    pub fn case_done(&self, r: &CaseResult) {
        let mut failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
        if r.verdict == Verdict::Failed {
            *failed += 1;
            self.bar.set_message(format!("{failed} failed"));
        }
        self.bar.inc(1);
        drop(failed);
        if let Some(line) = self.group_done(r) {
            eprintln!("{line}");
        }
    }

    /// The line for `r`'s group when `r` was its last case.
    fn group_done(&self, r: &CaseResult) -> Option<String> {
        let mut g = self
            .groups
            .as_ref()?
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let start = g.start;
        let key = group_of(&r.id);
        let (left, failed) = g.left.get_mut(&key)?;
        *left = left.saturating_sub(1);
        *failed += usize::from(r.verdict == Verdict::Failed);
        let failed = *failed;
        (*left == 0).then(|| {
            let total = g.left.len();
            g.left.remove(&key);
            format!(
                "{key}: done, {failed} failed ({:.1} s; {} of {total} groups left)",
                start.elapsed().as_secs_f64(),
                g.left.len()
            )
        })
    }

    pub fn done(&self) -> u64 {
        self.bar.position()
    }

    pub fn failed(&self) -> usize {
        *self.failed.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Remove the bar before the report is printed (stdout and stderr are
    /// often the same terminal).
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::{should_draw, Progress};
    use crate::run::CaseResult;
    use crate::verdict::Verdict;
    use std::ffi::OsStr;

    #[test]
    fn draws_only_on_a_terminal_outside_ci() {
        assert!(should_draw(true, None));
        assert!(!should_draw(false, None));
        assert!(!should_draw(true, Some(OsStr::new("true"))));
        assert!(!should_draw(true, Some(OsStr::new("1"))));
        assert!(should_draw(true, Some(OsStr::new(""))));
        assert!(should_draw(true, Some(OsStr::new("false"))));
        assert!(!should_draw(false, Some(OsStr::new("true"))));
    }

    #[test]
    fn hidden_bar_still_counts() {
        let result = |verdict| CaseResult {
            id: "x.y.z".into(),
            title: String::new(),
            section: String::new(),
            requirement: String::new(),
            sends: String::new(),
            expects: String::new(),
            autobahn: None,
            verdict,
            detail: String::new(),
            rests_on: None,
            close: None,
            duration_ms: 0,
            wire: Vec::new(),
        };
        let p = Progress::new(3, false);
        p.case_done(&result(Verdict::Ok));
        p.case_done(&result(Verdict::Failed));
        assert_eq!((p.done(), p.failed()), (2, 1));
        p.finish();
    }
}
