//! The command line: `voxproof [run] …`, `voxproof list`.

use crate::registry;
use crate::report;
use crate::run::{self, RunConfig};
use crate::target::Target;
use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// Exit codes.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

/// Conformance suite for WebSocket servers: handshake (RFC 6455 §4) and more.
/// Without a subcommand, runs the suite (`voxproof run`).
#[derive(Parser, Debug)]
#[command(name = "voxproof", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run cases against a target (the embedded reference server by default).
    Run(RunArgs),
    /// List the cases with their section and title.
    List(ListArgs),
}

#[derive(Args, Debug, Default)]
struct Selection {
    /// Run only cases whose id matches (glob, or a dotted prefix such as handshake.4_2_1); repeatable.
    #[arg(long = "cases", value_name = "GLOB")]
    cases: Vec<String>,
    /// Skip cases whose id matches; repeatable.
    #[arg(long = "exclude", value_name = "GLOB")]
    exclude: Vec<String>,
}

#[derive(Args, Debug, Default)]
struct RunArgs {
    /// Server to test, e.g. ws://127.0.0.1:9001/echo. Default: the embedded reference server.
    #[arg(long, value_name = "URL")]
    target: Option<String>,
    #[command(flatten)]
    selection: Selection,
    /// Cases running at once [default: 4 × cores, 4..32].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    jobs: Option<u16>,
    /// Deadline of each case in milliseconds.
    #[arg(long, default_value_t = 2000, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=600_000))]
    timeout_ms: u64,
    /// Write the JSON report to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write a JUnit XML report to FILE (for CI test views).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a self-contained HTML report to FILE.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// List every case in the console report, not only those that are not OK.
    #[arg(long, short)]
    verbose: bool,
    /// Run an optional case group against --target: `voice` (docs/voice-protocol.md). On for the embedded reference.
    #[arg(long = "profile", value_name = "NAME", value_parser = ["voice"])]
    profiles: Vec<String>,
    /// A bearer token and a room its `rooms` claim grants, for voice.scope cases.
    #[arg(long, value_name = "ROOM:TOKEN")]
    voice_grant: Option<String>,
}

#[derive(Args, Debug)]
struct ListArgs {
    #[command(flatten)]
    selection: Selection,
    /// Print the catalogue as Markdown (docs/cases.md is generated this way).
    #[arg(long)]
    markdown: bool,
}

/// Run the command line; returns the process exit code.
pub fn main<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) =>
        {
            let _ = e.print();
            return EXIT_OK;
        }
        Err(e) => {
            // One line: what is wrong, and where to look.
            let msg = e.to_string();
            let first = msg
                .lines()
                .next()
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ");
            eprintln!("error: {first} (see voxproof --help)");
            return EXIT_USAGE;
        }
    };
    match cli.command {
        Some(Command::List(args)) => list(&args),
        Some(Command::Run(args)) => run_cmd(&args),
        None => run_cmd(&cli.run),
    }
}

fn list(args: &ListArgs) -> i32 {
    let cases = registry::select(
        registry::all(),
        &args.selection.cases,
        &args.selection.exclude,
    );
    if cases.is_empty() {
        eprintln!("error: no case matches the selection");
        return EXIT_USAGE;
    }
    let text = if args.markdown {
        catalogue_markdown(&cases)
    } else {
        catalogue_text(&cases)
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
    EXIT_OK
}

pub fn catalogue_text(cases: &[crate::case::Case]) -> String {
    let width = cases.iter().map(|c| c.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for c in cases {
        out.push_str(&format!(
            "{:<width$}  {:<16}  {}\n",
            c.id, c.section, c.title
        ));
    }
    out.push_str(&format!("{} cases\n", cases.len()));
    out
}

/// The catalogue as Markdown: one table row per case, then each case's requirement.
pub fn catalogue_markdown(cases: &[crate::case::Case]) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = String::from(
        "# Case catalogue\n\nGenerated by `cargo run -p voxproof-conformance -- list --markdown > docs/cases.md`; \
         a test fails when this file and the registry disagree.\n\n",
    );
    out.push_str(&format!("{} cases.\n\n", cases.len()));
    out.push_str(
        "| id | section | title | sends | expects | defined in |\n|---|---|---|---|---|---|\n",
    );
    for c in cases {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            c.id,
            cell(&c.section),
            cell(&c.title),
            cell(&c.sends),
            cell(&c.expects),
            cell(&c.origin)
        ));
    }
    out.push_str("\n## Requirements\n\n");
    for c in cases {
        out.push_str(&format!(
            "- `{}` ({}): \"{}\"\n",
            c.id,
            c.section,
            cell(&c.requirement)
        ));
    }
    out
}

fn run_cmd(args: &RunArgs) -> i32 {
    let cases = registry::select(
        registry::all(),
        &args.selection.cases,
        &args.selection.exclude,
    );
    if cases.is_empty() {
        eprintln!("error: no case matches the selection (see voxproof list)");
        return EXIT_USAGE;
    }
    let config = RunConfig {
        jobs: args.jobs.map_or_else(run::default_jobs, usize::from),
        timeout: Duration::from_millis(args.timeout_ms),
    };
    // Keep the embedded server alive for the whole run.
    let (_embedded, mut target) = match &args.target {
        Some(url) => match Target::parse(url) {
            Ok(t) => (None, t),
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_USAGE;
            }
        },
        None => match crate::embedded::start() {
            Ok((handle, t)) => (Some(handle), t),
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_USAGE;
            }
        },
    };
    let voice =
        crate::cases::voice::configure(&mut target, &args.profiles, args.voice_grant.as_deref());
    if let Err(e) = voice {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }
    if let Err(e) = target.check_reachable(config.timeout) {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }
    let progress = crate::progress::Progress::for_terminal(cases.len());
    let report = run::run(&target, &cases, &config, &|r| progress.case_done(r));
    progress.finish();
    print!("{}", report::console::render(&report, args.verbose));
    let files = [
        (
            &args.json,
            "JSON",
            report::json::render as fn(&run::RunReport) -> String,
        ),
        (&args.junit, "JUnit", report::junit::render),
        (&args.html, "HTML", report::html::render),
    ];
    for (path, kind, render) in files {
        let Some(path) = path else { continue };
        if let Err(e) = std::fs::write(path, render(&report)) {
            eprintln!(
                "error: cannot write the {kind} report to {}: {e}",
                path.display()
            );
            return EXIT_USAGE;
        }
    }
    if report.failed() > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}
