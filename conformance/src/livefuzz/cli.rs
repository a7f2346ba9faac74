//! `voxproof fuzz` and `voxproof replay`: flags, the embedded default target, exit codes
//! ([docs/fuzzing-servers.md](../../../docs/fuzzing-servers.md#the-command)).

use super::conversation::Conversation;
use super::live;
use super::oracle;
use super::report::{self, CaseFile};
use super::search::{self, Limit, Settings};
use crate::target::Target;
use crate::verdict::Verdict;
use clap::Args;
use std::path::PathBuf;
use std::time::{Duration, Instant};

// The exit codes of `voxproof run` (crate::cli imports this module, so they
// are restated rather than imported).
const EXIT_OK: i32 = 0;
const EXIT_FAILED: i32 = 1;
const EXIT_USAGE: i32 = 2;

#[derive(Args, Debug)]
pub struct FuzzArgs {
    /// Echo server to fuzz, e.g. ws://127.0.0.1:9001/echo. Default: the embedded reference server.
    #[arg(long)]
    target: Option<String>,
    /// Differential mode: send every conversation to this echo server too and report where the two differ.
    #[arg(long)]
    against: Option<String>,
    /// The run's seed: the same seed sends the same conversations. Default: from the clock (printed).
    #[arg(long)]
    seed: Option<u64>,
    /// Stop after this many seconds.
    #[arg(long, conflicts_with = "cases", value_parser = positive)]
    duration: Option<u64>,
    /// Stop after this many conversations (default 500).
    #[arg(long, value_parser = positive)]
    cases: Option<u64>,
    /// Go on after a counterexample, counting FAILED conversations by kind (the first is still shrunk).
    #[arg(long)]
    keep_going: bool,
    /// Play only conversation N of the seed and show it (what a run counted as conversation N).
    #[arg(long, conflicts_with_all = ["cases", "duration"])]
    only: Option<u64>,
    /// Conversations played at once.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: u16,
    /// Per conversation, in milliseconds: only a target that does not answer waits this long.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(100..))]
    timeout_ms: u64,
    /// Write the run as JSON (counterexamples as the cases of `voxproof run --json`).
    #[arg(long)]
    json: Option<PathBuf>,
    /// Directory for the counterexample's case file.
    #[arg(long, default_value = ".")]
    case_dir: PathBuf,
}

fn positive(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("\"{s}\" is not a positive whole number")),
    }
}

#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// A case file written by `voxproof fuzz`.
    file: PathBuf,
    /// Replay against this server instead of the file's target.
    #[arg(long)]
    target: Option<String>,
    /// Per conversation, in milliseconds.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(100..))]
    timeout_ms: u64,
}

/// The target to fuzz: the URL given, or the embedded reference (kept
/// running as long as the handle lives).
fn target_of(
    url: Option<&str>,
    timeout: Duration,
) -> Result<(Option<voxproof_reference::server::Handle>, Target), String> {
    let (handle, target) = match url {
        Some(u) => (None, Target::parse(u)?),
        None => {
            let (h, t) = crate::embedded::start()?;
            (Some(h), t)
        }
    };
    crate::run::preflight(&target, true, timeout)?;
    Ok((handle, target))
}

pub fn fuzz_cmd(args: &FuzzArgs) -> i32 {
    let timeout = Duration::from_millis(args.timeout_ms);
    let (_embedded, target) = match target_of(args.target.as_deref(), timeout) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let against = match args.against.as_deref().map(|u| target_of(Some(u), timeout)) {
        None => None,
        Some(Ok((_, t))) => Some(t),
        Some(Err(e)) => {
            eprintln!("error: --against: {e}");
            return EXIT_USAGE;
        }
    };
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let limit = match (args.only, args.duration, args.cases) {
        (Some(i), _, _) => Limit::Only(i),
        (None, Some(d), _) => Limit::Duration(Duration::from_secs(d)),
        (None, None, n) => Limit::Cases(n.unwrap_or(500)),
    };
    if let Limit::Only(i) = limit {
        return show(&target, seed, i, timeout);
    }
    let settings = Settings {
        seed,
        limit,
        jobs: usize::from(args.jobs),
        timeout,
        against,
        keep_going: args.keep_going,
    };
    eprintln!("voxproof fuzz: seed {seed} (--seed {seed} repeats this run)");
    let bar = progress_bar(limit);
    let tick = |v: Verdict| {
        if let Some(b) = &bar {
            if v == Verdict::Failed {
                b.set_message("a counterexample: shrinking");
            }
            if matches!(limit, Limit::Cases(_)) {
                b.inc(1);
            } else {
                b.set_position(b.elapsed().as_secs());
            }
        }
    };
    let outcome = search::run(&target, &settings, &tick);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let url = if args.target.is_some() {
        target.url.clone()
    } else {
        format!("{} (embedded reference)", target.url)
    };
    let against_url = settings.against.as_ref().map(|t| t.url.as_str());
    print!(
        "{}",
        report::console(&url, against_url, &settings, &outcome)
    );
    if let Some(cx) = &outcome.counterexample {
        let p = search::predict(&cx.minimal);
        let file = CaseFile::new(
            &target.url,
            args.target.is_none(),
            seed,
            cx.index,
            &cx.minimal,
            &p,
            &cx.played,
        );
        let path = args
            .case_dir
            .join(format!("fuzz-case-{seed}-{}.json", cx.index));
        match std::fs::write(&path, file.render()) {
            Ok(()) => println!(
                "  case file: {} (voxproof replay {} replays it)",
                path.display(),
                path.display()
            ),
            Err(e) => eprintln!("error: cannot write {}: {e}", path.display()),
        }
    }
    if let Some(path) = &args.json {
        let text = report::json(&url, against_url, &settings, &outcome);
        if let Err(e) = std::fs::write(path, text) {
            eprintln!(
                "error: cannot write the JSON report to {}: {e}",
                path.display()
            );
            return EXIT_USAGE;
        }
        println!("JSON report: {}", path.display());
    }
    if outcome.counterexample.is_some() || outcome.crash.is_some() {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

/// Play conversation `index` of `seed` once and print it, its prediction,
/// the verdict and the wire log.
fn show(target: &Target, seed: u64, index: u64, timeout: Duration) -> i32 {
    let c = search::generate(seed, index);
    let p = search::predict(&c);
    let played = search::play(target, &c, timeout);
    println!("conversation {index} of seed {seed} to {}", target.url);
    println!("  sends {}", c.handshake.describe());
    for f in c.describe() {
        println!("    {f}");
    }
    println!("  expects {}", p.describe());
    println!("  {}", report::failed_line(&played));
    for e in &played.wire {
        let dir = match e.dir {
            crate::wire::log::Dir::Send => "sent",
            crate::wire::log::Dir::Recv => "received",
            crate::wire::log::Dir::Event => "--",
        };
        println!("    {:>5} ms #{} {dir} {}", e.at_ms, e.conn, e.data);
    }
    if played.judged.verdict == Verdict::Failed {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

fn progress_bar(limit: Limit) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !crate::progress::should_draw(
        std::io::stderr().is_terminal(),
        std::env::var_os("CI").as_deref(),
    ) {
        return None;
    }
    let (len, unit) = match limit {
        Limit::Cases(n) => (n, "conversations"),
        Limit::Duration(d) => (d.as_secs(), "s"),
        Limit::Only(_) => return None,
    };
    let bar = indicatif::ProgressBar::new(len);
    let style = indicatif::ProgressStyle::with_template(&format!(
        "{{elapsed_precise}} [{{bar:40.cyan/blue}}] {{pos}}/{{len}} {unit}  {{msg}}"
    ))
    .ok()?
    .progress_chars("=> ");
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}

/// The verdict on a case file's conversation, played again to `target`.
pub fn replay_file(file: &CaseFile, target: &Target, timeout: Duration) -> live::Played {
    let bytes = super::conversation::stream(&file.writes);
    let prediction = oracle::predict(&file.handshake, &bytes, Instant::now());
    live::play(target, &file.handshake, &file.writes, &prediction, timeout)
}

pub fn replay_cmd(args: &ReplayArgs) -> i32 {
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.file.display());
            return EXIT_USAGE;
        }
    };
    let file = match CaseFile::parse(&text) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {}: {e}", args.file.display());
            return EXIT_USAGE;
        }
    };
    let timeout = Duration::from_millis(args.timeout_ms);
    let url = match (&args.target, file.embedded) {
        (Some(u), _) => Some(u.as_str()),
        (None, true) => None,
        (None, false) => Some(file.target.as_str()),
    };
    let (_embedded, target) = match target_of(url, timeout) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let played = replay_file(&file, &target, timeout);
    let bytes = super::conversation::stream(&file.writes);
    let prediction = oracle::predict(&file.handshake, &bytes, Instant::now());
    println!(
        "replayed conversation {} of seed {} ({} writes) to {}",
        file.index,
        file.seed,
        file.writes.len(),
        target.url
    );
    println!("  expects {}", prediction.describe());
    println!("  {}", report::failed_line(&played));
    if played.judged.verdict == Verdict::Failed {
        if !live::alive(&target, timeout) {
            println!("  the target no longer completes a handshake and an echo (crash)");
        }
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

/// A conversation's case file (tests write and replay them).
pub fn case_file(target: &Target, seed: u64, index: u64, c: &Conversation) -> CaseFile {
    let p = search::predict(c);
    let played = search::play(target, c, Duration::from_secs(5));
    CaseFile::new(&target.url, false, seed, index, c, &p, &played)
}
