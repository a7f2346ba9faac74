//! The progress bar of `voxproof run`, on stderr and only for a person at a terminal
//! ([docs/report-format.md](../../docs/report-format.md#reports)).

use crate::run::CaseResult;
use crate::verdict::Verdict;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::ffi::OsStr;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

/// Whether to draw: stderr is a terminal and `CI` is not set. `CI` set to
/// an empty string, `0` or `false` counts as unset, as most CI-detecting tools
/// read it.
pub fn should_draw(stderr_is_terminal: bool, ci: Option<&OsStr>) -> bool {
    let in_ci = ci.is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
    stderr_is_terminal && !in_ci
}

pub struct Progress {
    bar: ProgressBar,
    /// Failures so far; the lock also orders concurrent updates, so a late
    /// "1 failed" cannot overwrite "2 failed".
    failed: Mutex<usize>,
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
