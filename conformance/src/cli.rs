//! The command line: `voxproof [run] …`, `voxproof list`, `voxproof serve`, `voxproof vectors jwt`,
//! `voxproof load`.

use crate::registry;
use crate::report;
use crate::run::{self, RunConfig};
use crate::target::{AuthSettings, Key, Shape, Target, TokenIn};
use crate::transport::Network;
use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;
use voxproof_reference::tls::Trust;

/// Exit codes.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

/// Conformance suite for WebSocket servers: opening handshake, framing (Autobahn 1–7, 9, 10 and more), bearer-token upgrade, G.711 voice.
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
    Run(Box<RunArgs>),
    /// List the cases with their section and title.
    List(ListArgs),
    /// Test a WebSocket client: serve the client cases as Autobahn's fuzzingserver does (/getCaseCount, /runCase?case=N&agent=A, /updateReports, /stopServer; docs/clients.md).
    Serve(Box<ServeArgs>),
    /// Run a vector corpus and generated inputs through an implementation: the reference, or any library behind an adapter (--exec; docs/adapters.md).
    Vectors {
        #[command(subcommand)]
        corpus: Option<VectorCorpus>,
    },
    /// Property-based testing of a live echo server: generated conversations, an oracle, shrunk counterexamples (docs/fuzzing-servers.md).
    Fuzz(Box<crate::livefuzz::cli::FuzzArgs>),
    /// Replay a case file `voxproof fuzz` wrote and give its verdict again.
    Replay(crate::livefuzz::cli::ReplayArgs),
    /// Measure a target under load, without verdicts: echo throughput and latency, or many idle connections (docs/performance.md).
    Load {
        #[command(subcommand)]
        what: Option<LoadCommand>,
    },
}

#[derive(Subcommand, Debug)]
enum LoadCommand {
    /// N connections send binary messages and read their echoes: messages/s, bytes/s, round-trip percentiles.
    Echo(LoadEchoArgs),
    /// Open N connections, hold them idle, close them: connect rate, failures, the target's memory per connection.
    Connections(LoadConnectionsArgs),
    /// Real-time 20 ms G.711 streams in voice rooms (or calls to a voice bot), every frame heard checked: jitter, late, lost, wrong frames; --ramp finds the capacity.
    Voice(LoadVoiceArgs),
}

/// Where the load goes and how it runs, common to `load echo`, `load connections` and `load voice`.
#[derive(Args, Debug)]
struct LoadCommon {
    /// Server to load, e.g. ws://127.0.0.1:9001/echo.
    #[arg(long, value_name = "URL")]
    target: String,
    /// Worker threads driving the connections [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
    /// A connect, handshake or echo taking longer than MS is a timeout.
    #[arg(long, default_value_t = 5000, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=600_000))]
    timeout_ms: u64,
    /// Write the figures as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Trust only the CA certificates in this PEM file for wss:// [default: the platform's trust store].
    #[arg(long, value_name = "PEM", conflicts_with = "insecure")]
    ca_file: Option<PathBuf>,
    /// Accept any certificate from a wss:// target.
    #[arg(long)]
    insecure: bool,
}

#[derive(Args, Debug)]
struct LoadEchoArgs {
    #[command(flatten)]
    common: LoadCommon,
    /// Connections, all open before the clock starts.
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    connections: u64,
    /// Payload bytes of each message.
    #[arg(long, default_value_t = 20, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(0..=(16 << 20)))]
    size: u64,
    /// Seconds measured, after the warm-up.
    #[arg(long, default_value = "10", value_name = "S", value_parser = seconds)]
    duration: Duration,
    /// Seconds of load before measuring starts.
    #[arg(long, default_value = "1", value_name = "S", value_parser = seconds)]
    warmup: Duration,
    /// Open loop: R messages per second in all, on a fixed schedule (round trips count from the scheduled send) [default: closed loop, each connection sends when its echo is back].
    #[arg(long, value_name = "R", value_parser = per_second)]
    rate: Option<f64>,
}

#[derive(Args, Debug)]
struct LoadConnectionsArgs {
    #[command(flatten)]
    common: LoadCommon,
    /// Connections to open and hold at once.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    count: u64,
    /// Open at most R connections per second [default: as fast as they open].
    #[arg(long, value_name = "R", value_parser = per_second)]
    rate: Option<f64>,
    /// Seconds to hold them all open and idle.
    #[arg(long, default_value = "5", value_name = "S", value_parser = seconds)]
    hold: Duration,
    /// The target's process id: report its resident memory (VmRSS, Linux) before, with all open, after closing.
    #[arg(long, value_name = "PID")]
    pid: Option<u32>,
}

#[derive(Args, Debug)]
struct LoadVoiceArgs {
    #[command(flatten)]
    common: LoadCommon,
    /// Rooms (docs/voice-protocol.md, on the target's host and port), or with --profile calls, of the first step.
    #[arg(long, default_value_t = 10, value_name = "R", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    rooms: u64,
    /// Participants per room; each talks and hears the others' mix.
    #[arg(long, default_value_t = 4, value_name = "P", value_parser = clap::value_parser!(u64).range(1..=8))]
    participants: u64,
    /// The participants' codec; mixed alternates µ-law and A-law in every room.
    #[arg(long, default_value = "pcmu", value_name = "CODEC", value_parser = ["pcmu", "pcma", "mixed"])]
    codec: String,
    /// Calls to a voice bot that echoes the caller (at --target, e.g. ws://HOST/twilio/echo), streamed as the platform does, instead of rooms.
    #[arg(long, value_name = "NAME", value_parser = ["twilio", "telnyx", "vonage"])]
    profile: Option<String>,
    /// Seconds measured, after the warm-up (per step with --ramp).
    #[arg(long, default_value = "10", value_name = "S", value_parser = seconds)]
    duration: Duration,
    /// Seconds of streaming before measuring starts (the target's jitter buffers fill).
    #[arg(long, default_value = "2", value_name = "S", value_parser = seconds)]
    warmup: Duration,
    /// Raise the load step by step (--step more rooms or calls each time) until p99 jitter exceeds --max-jitter-ms; report the capacity.
    #[arg(long)]
    ramp: bool,
    /// Rooms (or calls) added at each step of --ramp [default: --rooms].
    #[arg(long, value_name = "N", requires = "ramp", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    step: Option<u64>,
    /// The last step of --ramp, in rooms (or calls).
    #[arg(long, default_value_t = 2_000, value_name = "N", requires = "ramp", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    max_rooms: u64,
    /// The p99 inter-arrival jitter, in milliseconds, within which a step carries its load.
    #[arg(long, default_value = "5", value_name = "MS", value_parser = milliseconds)]
    max_jitter_ms: Duration,
}

/// A number of milliseconds, fractions allowed.
fn milliseconds(s: &str) -> Result<Duration, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("\"{s}\" is not a number of milliseconds"))?;
    if !(0.0..=60_000.0).contains(&v) {
        return Err(format!("{s} is not between 0 and 60000 milliseconds"));
    }
    Ok(Duration::from_secs_f64(v / 1000.0))
}

/// A number of seconds, fractions allowed.
fn seconds(s: &str) -> Result<Duration, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("\"{s}\" is not a number of seconds"))?;
    if !(0.0..=86_400.0).contains(&v) {
        return Err(format!("{s} is not between 0 and 86400 seconds"));
    }
    Ok(Duration::from_secs_f64(v))
}

/// A positive rate.
fn per_second(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!("\"{s}\" is not a positive number per second")),
    }
}

/// `voxproof serve`: where it listens, which client cases, which reports.
#[derive(Args, Debug)]
struct ServeArgs {
    /// Address to listen on [default: the spec file's url, else 127.0.0.1:9001].
    #[arg(long, value_name = "HOST:PORT")]
    listen: Option<String>,
    /// Serve only cases whose Autobahn id (1.*, 9.1.*) or voxproof id (client.handshake.*) matches; repeatable; replaces the spec file's "cases".
    #[arg(long = "cases", value_name = "GLOB")]
    cases: Vec<String>,
    /// Leave out cases whose id matches; repeatable; added to the spec file's "exclude-cases".
    #[arg(long = "exclude", value_name = "GLOB")]
    exclude: Vec<String>,
    /// Autobahn's fuzzingserver.json: url, outdir, cases, exclude-cases, exclude-agent-cases.
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// Write Autobahn-format reports (index.json, a JSON file per agent and case) into DIR [default: the spec file's outdir].
    #[arg(long, value_name = "DIR")]
    autobahn_report: Option<PathBuf>,
    /// Write the JSON report (every case run so far, every agent) to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a self-contained HTML report to FILE.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Deadline of each case in milliseconds.
    #[arg(long, default_value_t = 2000, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=600_000))]
    timeout_ms: u64,
}

#[derive(Subcommand, Debug)]
enum VectorCorpus {
    /// vectors/accept.json (accept.compute), then random keys.
    Accept(VectorArgs),
    /// vectors/handshake/{server,client}.json (handshake.parse_request, handshake.validate_response), then random requests and responses.
    Handshake(VectorArgs),
    /// vectors/frames/client.json (frame.decode), then random valid and defective client frames.
    Frames(VectorArgs),
    /// vectors/jwt/*.json (jwt.verify), then random HS256 tokens.
    Jwt(VectorArgs),
    /// vectors/g711/*.json (g711.encode, g711.decode, g711.transcode), then random samples and codes.
    G711(VectorArgs),
}

impl VectorCorpus {
    fn parts(&self) -> (crate::adapter::Corpus, &VectorArgs) {
        use crate::adapter::Corpus;
        match self {
            VectorCorpus::Accept(a) => (Corpus::Accept, a),
            VectorCorpus::Handshake(a) => (Corpus::Handshake, a),
            VectorCorpus::Frames(a) => (Corpus::Frames, a),
            VectorCorpus::Jwt(a) => (Corpus::Jwt, a),
            VectorCorpus::G711(a) => (Corpus::G711, a),
        }
    }
}

/// `voxproof vectors CORPUS`: which implementation, which inputs, which reports (docs/adapters.md).
#[derive(Args, Debug)]
struct VectorArgs {
    /// Put the inputs to this adapter (a command line, split as a shell would, run without one) over the adapter protocol [default: the reference, in process].
    #[arg(long, value_name = "'CMD ARGS'")]
    exec: Option<String>,
    /// An answer taking longer than MS is an ERROR (the adapter is started again).
    #[arg(long, default_value_t = 5000, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=600_000))]
    timeout_ms: u64,
    /// Seed of the generated inputs.
    #[arg(long, default_value_t = crate::adapter::generated::DEFAULT_SEED, value_name = "N")]
    seed: u64,
    /// Generated inputs per op after the corpus (0: none).
    #[arg(long, default_value_t = crate::adapter::generated::DEFAULT_COUNT, value_name = "N", value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    generated: u64,
    #[command(flatten)]
    selection: Selection,
    /// Write the JSON report to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// List every case in the console report, not only those that are not OK.
    #[arg(long, short)]
    verbose: bool,
}

/// Key material and claim rules for the auth cases (`auth.*`).
#[derive(Args, Debug, Default)]
struct JwtArgs {
    /// HMAC secret the target verifies tokens with (its UTF-8 bytes); enables the auth cases.
    #[arg(long, value_name = "S", conflicts_with = "jwt_private_key")]
    jwt_secret: Option<String>,
    /// PEM private key (PKCS#8, or PKCS#1 for RSA) whose public key the target trusts; enables the auth cases.
    #[arg(long, value_name = "PEM")]
    jwt_private_key: Option<PathBuf>,
    /// The target's public key PEM file, byte for byte (for HS/RS confusion; derived for RSA when absent).
    #[arg(long, value_name = "PEM")]
    jwt_public_key: Option<PathBuf>,
    /// Algorithm the target expects [default: HS256 with a secret, RS256 with a private key].
    #[arg(long, value_name = "ALG")]
    jwt_alg: Option<String>,
    /// Audience to put in aud.
    #[arg(long, value_name = "AUD")]
    jwt_aud: Option<String>,
    /// Issuer to put in iss (also enables auth.7519.wrong-issuer).
    #[arg(long, value_name = "ISS")]
    jwt_iss: Option<String>,
    /// Where the token goes: header (Authorization: Bearer), query (access_token) or protocol (bearer.<token>).
    #[arg(long, value_name = "WHERE", default_value = "header", value_parser = clap::builder::PossibleValuesParser::new(["header", "query", "protocol"]))]
    token_in: String,
    /// URL that requires a token [default: --target].
    #[arg(long, value_name = "URL")]
    auth_target: Option<String>,
}

impl JwtArgs {
    /// The auth settings, None without key material.
    fn settings(&self, network: &Network, shape: &Shape) -> Result<Option<AuthSettings>, String> {
        let read =
            |p: &PathBuf| std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
        let (key, default_alg) = match (&self.jwt_secret, &self.jwt_private_key) {
            (Some(s), _) => (Key::Secret(s.as_bytes().to_vec()), "HS256"),
            (None, Some(p)) => (Key::PrivatePem(read(p)?), "RS256"),
            (None, None) => {
                if let Some(flag) = self.needs_key() {
                    return Err(format!(
                        "{flag} needs key material: --jwt-secret S or --jwt-private-key PEM"
                    ));
                }
                return Ok(None);
            }
        };
        let alg = self.jwt_alg.clone().unwrap_or_else(|| default_alg.into());
        check_alg(&key, &alg)?;
        let target = match &self.auth_target {
            Some(url) => {
                let mut t = Target::parse_via(url, network)?;
                t.shape = shape.clone();
                Some(t)
            }
            None => None,
        };
        Ok(Some(AuthSettings {
            key,
            public_pem: self.jwt_public_key.as_ref().map(read).transpose()?,
            alg,
            aud: self.jwt_aud.clone(),
            iss: self.jwt_iss.clone(),
            token_in: self.token_in.parse::<TokenIn>()?,
            target,
        }))
    }
}

impl JwtArgs {
    /// A flag given that only means something with key material.
    fn needs_key(&self) -> Option<&'static str> {
        [
            (self.jwt_alg.is_some(), "--jwt-alg"),
            (self.jwt_public_key.is_some(), "--jwt-public-key"),
            (self.jwt_aud.is_some(), "--jwt-aud"),
            (self.jwt_iss.is_some(), "--jwt-iss"),
            (self.auth_target.is_some(), "--auth-target"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
    }

    /// Whether any auth flag was given.
    fn any(&self) -> bool {
        self.jwt_secret.is_some() || self.jwt_private_key.is_some() || self.needs_key().is_some()
    }
}

/// The algorithms the suite can sign with, by key kind.
const HMAC_ALGS: &[&str] = &["HS256", "HS384", "HS512"];
const KEY_PAIR_ALGS: &[&str] = &[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
];

/// The algorithm fits the key material, and an HMAC secret is as long as
/// RFC 7518 §3.2 requires ("A key of the same size as the hash output (for
/// instance, 256 bits for "HS256") or larger MUST be used with this
/// algorithm."), so the target is not blamed for refusing a short key.
fn check_alg(key: &Key, alg: &str) -> Result<(), String> {
    let allowed = match key {
        Key::Secret(_) => HMAC_ALGS,
        Key::PrivatePem(_) => KEY_PAIR_ALGS,
    };
    if !allowed.contains(&alg) {
        let kind = match key {
            Key::Secret(_) => "an HMAC secret (--jwt-secret)",
            Key::PrivatePem(_) => "a private key (--jwt-private-key)",
        };
        return Err(format!(
            "--jwt-alg {alg}: with {kind} the suite signs with {}",
            allowed.join(", ")
        ));
    }
    if let Key::Secret(secret) = key {
        let bits: usize = alg[2..].parse().unwrap_or(256);
        if secret.len() * 8 < bits {
            return Err(format!(
                "--jwt-secret has {} bytes; RFC 7518 §3.2 requires at least {} for {alg}",
                secret.len(),
                bits / 8
            ));
        }
    }
    Ok(())
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
    /// Cases running at once: N, or `auto` (fewer when the target's handshakes slow down, at most 16 × cores, 16..64) [default: auto].
    #[arg(long, value_name = "N|auto", value_parser = parse_jobs)]
    jobs: Option<Jobs>,
    /// Skip the preflight (one handshake, and one echo for the framing cases, before the cases run).
    #[arg(long)]
    no_preflight: bool,
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
    /// Write Autobahn-format reports (index.json, a JSON file per case) into DIR; the agent is the --target URL (voxproof-reference for the embedded reference).
    #[arg(long, value_name = "DIR")]
    autobahn_report: Option<PathBuf>,
    /// Wire logs in the file reports: `summary` keeps everything for cases that are not OK and both ends of the rest; `full` keeps everything.
    #[arg(long, value_name = "DETAIL", default_value = "summary", value_parser = ["summary", "full"])]
    wire: String,
    /// List every case in the console report, not only those that are not OK.
    #[arg(long, short)]
    verbose: bool,
    #[command(flatten)]
    jwt: JwtArgs,
    /// Run an optional case group against --target: `voice` (docs/voice-protocol.md), or play a telephony platform to a voice bot at --target: `twilio`, `telnyx`, `vonage` (docs/telephony.md; then only those cases run unless --cases says otherwise). All on for the embedded reference.
    #[arg(long = "profile", value_name = "NAME", value_parser = ["voice", "twilio", "telnyx", "vonage"])]
    profiles: Vec<String>,
    #[command(flatten)]
    telephony: TelephonyArgs,
    /// A bearer token and a room its `rooms` claim grants, for voice.scope cases.
    #[arg(long, value_name = "ROOM:TOKEN")]
    voice_grant: Option<String>,
    #[command(flatten)]
    reach: ReachArgs,
}

/// Settings of the telephony profiles (docs/telephony.md).
#[derive(Args, Debug, Default)]
struct TelephonyArgs {
    /// Sign Twilio's requests (X-Twilio-Signature) with this auth token, as the bot expects; turns on the twilio.signature cases.
    #[arg(long, value_name = "TOKEN")]
    twilio_auth_token: Option<String>,
    /// Make a time to first audio above MS FAILED (otherwise the figure is INFORMATIONAL).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=600_000))]
    max_response_ms: Option<u64>,
    /// Make a barge-in (caller speaks over the bot → its clear) slower than MS FAILED.
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=600_000))]
    max_bargein_ms: Option<u64>,
}

/// How the suite reaches the target and what its handshakes carry
/// (docs/target.md#tls-proxies-and-request-shaping).
#[derive(Args, Debug, Default)]
struct ReachArgs {
    /// Without --target: serve the embedded reference over wss:// with a throw-away certificate the run trusts.
    #[arg(long, conflicts_with = "target")]
    tls: bool,
    /// Trust only the CA certificates in this PEM file for wss:// [default: the platform's trust store].
    #[arg(long, value_name = "PEM", conflicts_with = "insecure")]
    ca_file: Option<PathBuf>,
    /// Accept any certificate from a wss:// target (the reports carry a warning).
    #[arg(long)]
    insecure: bool,
    /// Open TCP connections to HOST:PORT instead of the URL's host and port; Host and SNI still name the URL's host.
    #[arg(long, value_name = "HOST:PORT")]
    connect: Option<String>,
    /// Reach the target through this HTTP proxy with CONNECT, e.g. http://proxy:3128 (user:password@ for Basic auth).
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
    /// Add a header field to the suite's opening handshakes (repeatable), e.g. --header 'Cookie: s=1'.
    #[arg(long = "header", value_name = "'NAME: VALUE'")]
    headers: Vec<String>,
    /// Send Origin: URL in the suite's opening handshakes.
    #[arg(long, value_name = "URL")]
    origin: Option<String>,
    /// Offer this subprotocol in the suite's opening handshakes that offer none.
    #[arg(long, value_name = "NAME")]
    subprotocol: Option<String>,
}

impl ReachArgs {
    /// A flag that only means something with --target.
    fn needs_target(&self) -> Option<&'static str> {
        [
            (self.ca_file.is_some(), "--ca-file"),
            (self.insecure, "--insecure"),
            (self.connect.is_some(), "--connect"),
            (self.proxy.is_some(), "--proxy"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
    }

    fn network(&self) -> Result<Network, String> {
        let trust = if self.insecure {
            Trust::Anything
        } else {
            Trust::from_ca_file(self.ca_file.as_deref()).map_err(|e| format!("--ca-file: {e}"))?
        };
        if let Some(c) = &self.connect {
            let port_ok = c
                .rsplit_once(':')
                .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
            if !port_ok {
                return Err(format!("--connect {c}: expected HOST:PORT"));
            }
        }
        Ok(Network {
            connect_to: self.connect.clone(),
            proxy: self.proxy.clone(),
            trust,
        })
    }

    fn shape(&self) -> Result<Shape, String> {
        let mut headers = Vec::new();
        for h in &self.headers {
            let Some((name, value)) = h.split_once(':') else {
                return Err(format!("--header \"{h}\": expected 'NAME: VALUE'"));
            };
            let name = name.trim();
            let token = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !token {
                return Err(format!("--header \"{h}\": \"{name}\" is not a field name"));
            }
            let value = value.trim();
            if value.contains(['\r', '\n']) {
                return Err(format!("--header {name}: the value has a line break"));
            }
            headers.push((name.to_string(), value.to_string()));
        }
        if let Some(origin) = &self.origin {
            headers.push(("Origin".to_string(), origin.clone()));
        }
        Ok(Shape {
            headers,
            subprotocol: self.subprotocol.clone(),
        })
    }
}

/// `--jobs`: a number, or `auto`.
#[derive(Debug, Clone, Copy)]
enum Jobs {
    Auto,
    Fixed(usize),
}

fn parse_jobs(s: &str) -> Result<Jobs, String> {
    if s == "auto" {
        return Ok(Jobs::Auto);
    }
    match s.parse::<usize>() {
        Ok(n) if (1..=1024).contains(&n) => Ok(Jobs::Fixed(n)),
        _ => Err(format!("{s:?} is not auto or a number from 1 to 1024")),
    }
}

#[derive(Args, Debug)]
struct ListArgs {
    #[command(flatten)]
    selection: Selection,
    /// Print, for each requirement the cases cite, the cases that test it, as Markdown (docs/coverage.md is generated this way).
    #[arg(long, group = "format")]
    markdown: bool,
    /// Print the catalogue as Markdown (docs/cases.md is generated this way).
    #[arg(long, group = "format")]
    catalogue: bool,
    /// Print the Autobahn mapping as Markdown (docs/autobahn-mapping.md is generated this way).
    #[arg(long, group = "format")]
    autobahn: bool,
    /// Print each case's id and where it is defined (file:line).
    #[arg(long, group = "format")]
    origin: bool,
    /// List the client cases `voxproof serve` runs instead, numbered as /runCase numbers them.
    #[arg(long)]
    clients: bool,
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
            let mut lines = msg.lines();
            let mut first = lines
                .next()
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ")
                .to_string();
            // "...not provided:" lists what on the indented lines below.
            if first.ends_with(':') {
                let listed: Vec<&str> = lines
                    .take_while(|l| l.starts_with("  "))
                    .map(str::trim)
                    .collect();
                first = format!("{first} {}", listed.join(", "));
            }
            eprintln!("error: {first} (see voxproof --help)");
            return EXIT_USAGE;
        }
    };
    match cli.command {
        Some(Command::List(args)) => list(&args),
        Some(Command::Run(args)) => run_cmd(&args),
        Some(Command::Serve(args)) => serve_cmd(&args),
        Some(Command::Vectors {
            corpus: Some(corpus),
        }) => vectors_cmd(&corpus),
        Some(Command::Vectors { corpus: None }) => {
            eprintln!("error: voxproof vectors needs a corpus: accept, handshake, frames, jwt or g711 (see voxproof vectors --help)");
            EXIT_USAGE
        }
        Some(Command::Load { what: Some(what) }) => load_cmd(&what),
        Some(Command::Load { what: None }) => {
            eprintln!(
                "error: voxproof load needs echo, connections or voice (see voxproof load --help)"
            );
            EXIT_USAGE
        }
        Some(Command::Fuzz(args)) => crate::livefuzz::cli::fuzz_cmd(&args),
        Some(Command::Replay(args)) => crate::livefuzz::cli::replay_cmd(&args),
        None => run_cmd(&cli.run),
    }
}

fn list(args: &ListArgs) -> i32 {
    if args.clients {
        // Numbered over every client case, as /runCase?case=N is without a spec.
        let cases = crate::cases::client::cases();
        let mut out = String::new();
        for (n, c) in cases.iter().enumerate() {
            let picked = registry::select(
                vec![c.clone()],
                &args.selection.cases,
                &args.selection.exclude,
            );
            if picked.is_empty() {
                continue;
            }
            out.push_str(&format!(
                "{:>4}  {:<9} {:<52} {}\n",
                n + 1,
                c.autobahn.unwrap_or("-"),
                c.id,
                c.title
            ));
        }
        let _ = std::io::stdout().write_all(out.as_bytes());
        return EXIT_OK;
    }
    let cases = registry::select(
        registry::all(),
        &args.selection.cases,
        &args.selection.exclude,
    );
    if cases.is_empty() {
        eprintln!("error: no case matches the selection");
        return EXIT_USAGE;
    }
    let text = if args.autobahn {
        autobahn_markdown(&cases)
    } else if args.markdown {
        coverage_markdown(&cases)
    } else if args.catalogue {
        catalogue_markdown(&cases)
    } else if args.origin {
        origin_text(&cases)
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
            c.id,
            c.section(),
            c.title
        ));
    }
    out.push_str(&format!("{} cases\n", cases.len()));
    out
}

/// Each case's id and the `file:line` that defines it.
pub fn origin_text(cases: &[crate::case::Case]) -> String {
    let width = cases.iter().map(|c| c.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for c in cases {
        out.push_str(&format!("{:<width$}  {}\n", c.id, c.origin));
    }
    out
}

/// Requirement coverage: every sentence the cases cite, grouped by document
/// and section, with the cases that test it.
pub fn coverage_markdown(cases: &[crate::case::Case]) -> String {
    use std::collections::BTreeMap;
    // Section (numeric order, then as written) → sentence → case ids, in catalogue order.
    type Sections<'a> = BTreeMap<(Vec<u32>, String), BTreeMap<String, Vec<&'a str>>>;
    let mut docs: BTreeMap<String, Sections> = BTreeMap::new();
    for c in cases {
        let section_key = c
            .rule
            .section
            .split(|ch: char| !ch.is_ascii_digit() && ch != '.')
            .next()
            .unwrap_or("")
            .split('.')
            .map(|n| n.parse().unwrap_or(0))
            .collect::<Vec<u32>>();
        docs.entry(c.rule.rfc.to_string())
            .or_default()
            .entry((section_key, c.rule.section.to_string()))
            .or_default()
            .entry(c.rule.text.to_string())
            .or_default()
            .push(&c.id);
    }
    let keyword = |text: &str| {
        [
            "MUST NOT",
            "MUST",
            "SHALL",
            "REQUIRED",
            "SHOULD NOT",
            "SHOULD",
            "MAY",
        ]
        .into_iter()
        .find(|k| text.contains(k))
        .unwrap_or("—")
    };
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = String::from(
        "# Requirement coverage\n\nGenerated by `cargo run -p voxproof-conformance -- list --markdown > docs/coverage.md`; \
         a test fails when this file and the registry disagree. For each sentence the cases quote, the strongest \
         requirement keyword in it and the cases that test it. The sentences are checked against the RFC texts in \
         [rfc/](rfc/) by `cargo test`.\n",
    );
    for (doc, sections) in &docs {
        let sentences: usize = sections.values().map(BTreeMap::len).sum();
        out.push_str(&format!(
            "\n## {doc}\n\n{sentences} sentences.\n\n| section | keyword | requirement | cases |\n|---|---|---|---|\n"
        ));
        for ((_, section), texts) in sections {
            for (text, ids) in texts {
                let ids: Vec<String> = ids.iter().map(|id| format!("`{id}`")).collect();
                out.push_str(&format!(
                    "| §{} | {} | {} | {} |\n",
                    cell(section),
                    keyword(text),
                    cell(text),
                    ids.join(", ")
                ));
            }
        }
    }
    out
}

/// Autobahn's cases and their equivalents, then the framing cases Autobahn lacks.
pub fn autobahn_markdown(cases: &[crate::case::Case]) -> String {
    let key = |id: &str| -> Vec<u32> { id.split('.').map(|n| n.parse().unwrap_or(0)).collect() };
    let mut mapped: Vec<&crate::case::Case> =
        cases.iter().filter(|c| c.autobahn.is_some()).collect();
    mapped.sort_by_key(|c| key(c.autobahn.unwrap_or("")));
    let mut out = String::from(
        "# Autobahn mapping\n\nGenerated by `cargo run -p voxproof-conformance -- list --autobahn > docs/autobahn-mapping.md`; \
         a test fails when this file and the registry disagree. Every Autobahn testsuite case of categories 1–7, 9 and 10 \
         (the 301 cases without compression) and its voxproof equivalent, which sends the same frames with the same chopping \
         and expects the same events and close. See [framing.md](framing.md) for how verdicts are reached and where they \
         can differ.\n\n",
    );
    out.push_str(&format!(
        "{} Autobahn cases mapped.\n\n| Autobahn | voxproof | what it sends |\n|---|---|---|\n",
        mapped.len()
    ));
    for c in &mapped {
        out.push_str(&format!(
            "| {} | `{}` | {} |\n",
            c.autobahn.unwrap_or(""),
            c.id,
            c.title.replace('|', "\\|")
        ));
    }
    let extra: Vec<&crate::case::Case> = cases
        .iter()
        .filter(|c| c.autobahn.is_none() && c.id.starts_with("framing."))
        .collect();
    out.push_str(&format!("\n## Framing cases Autobahn does not have ({})\n\n| voxproof | section | what it sends |\n|---|---|---|\n", extra.len()));
    for c in extra {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            c.id,
            c.section(),
            c.title.replace('|', "\\|")
        ));
    }
    out
}

/// The catalogue as Markdown: one table row per case, then each case's requirement.
pub fn catalogue_markdown(cases: &[crate::case::Case]) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = String::from(
        "# Case catalogue\n\nGenerated by `cargo run -p voxproof-conformance -- list --catalogue > docs/cases.md`; \
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
            cell(&c.section()),
            cell(&c.title),
            cell(&c.sends),
            cell(&c.expects),
            cell(&c.origin.to_string())
        ));
    }
    out.push_str("\n## Requirements\n\n");
    for c in cases {
        out.push_str(&format!(
            "- `{}` ({}): \"{}\"\n",
            c.id,
            c.section(),
            cell(&c.rule.text)
        ));
    }
    out
}

/// `voxproof vectors CORPUS`: the corpus, then generated inputs, through an
/// adapter; reported as `run` reports. 2 when the adapter cannot be started
/// or fails hello.
fn vectors_cmd(corpus: &VectorCorpus) -> i32 {
    use crate::adapter::{corpus as vectors, exec, generated, session};
    let (corpus, args) = corpus.parts();
    let mut probes = vectors::probes(corpus);
    probes.extend(generated::probes(
        corpus,
        args.seed,
        args.generated as usize,
    ));
    let (include, exclude) = (&args.selection.cases, &args.selection.exclude);
    probes.retain(|p| {
        (include.is_empty() || include.iter().any(|g| registry::matches(g, &p.id)))
            && !exclude.iter().any(|g| registry::matches(g, &p.id))
    });
    if probes.is_empty() {
        eprintln!("error: no input matches the selection");
        return EXIT_USAGE;
    }
    let timeout = Duration::from_millis(args.timeout_ms);
    let (mut adapter, hello, target): (Box<dyn exec::Adapter>, _, _) = match &args.exec {
        Some(cmd) => match exec::Process::start(cmd, timeout) {
            Ok((p, hello)) => {
                let target = format!("adapter {} {} (--exec {cmd})", hello.name, hello.version);
                (Box::new(p), hello, target)
            }
            Err(e) => {
                eprintln!("error: the adapter {cmd} cannot be used: {e}");
                return EXIT_USAGE;
            }
        },
        None => {
            let mut a = exec::InProcess;
            match exec::Adapter::restart(&mut a) {
                Ok(hello) => {
                    let target = format!("{} {} (in process)", hello.name, hello.version);
                    (Box::new(a), hello, target)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    return EXIT_USAGE;
                }
            }
        }
    };
    let mut report = session::run(adapter.as_mut(), hello, &target, &probes, &|_| {});
    drop(adapter);
    print!("{}", report::console::render(&report, args.verbose));
    report::shorten_wire(&mut report.results, report::WireDetail::Summary);
    let files = [
        (
            &args.json,
            "JSON",
            report::json::render as fn(&run::RunReport) -> String,
        ),
        (&args.junit, "JUnit", report::junit::render),
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
    let errors = report
        .results
        .iter()
        .filter(|r| r.verdict == crate::verdict::Verdict::Error)
        .count();
    if report.failed() > 0 || errors > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

fn run_cmd(args: &RunArgs) -> i32 {
    // A bot is tested as the platforms it serves, unless --cases says otherwise.
    let platforms: Vec<String> = args
        .profiles
        .iter()
        .filter(|p| crate::platform::Platform::from_name(p).is_some())
        .cloned()
        .collect();
    let include = if args.selection.cases.is_empty() && args.target.is_some() {
        platforms.clone()
    } else {
        args.selection.cases.clone()
    };
    let cases = registry::select(registry::all(), &include, &args.selection.exclude);
    if cases.is_empty() {
        eprintln!("error: no case matches the selection (see voxproof list)");
        return EXIT_USAGE;
    }
    if args.target.is_none() && args.jwt.any() {
        eprintln!(
            "error: auth flags need --target: the embedded reference mints its own tokens (see docs/auth.md)"
        );
        return EXIT_USAGE;
    }
    if let (None, Some(flag)) = (&args.target, args.reach.needs_target()) {
        eprintln!("error: {flag} needs --target (the embedded reference is reached directly; --tls serves it over wss://)");
        return EXIT_USAGE;
    }
    let reach = args
        .reach
        .network()
        .and_then(|n| Ok((n, args.reach.shape()?)));
    let (network, shape) = match reach {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let auth = match args.jwt.settings(&network, &shape) {
        Ok(auth) => auth,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let (jobs, adaptive) = match args.jobs {
        None | Some(Jobs::Auto) => (run::default_jobs(), true),
        Some(Jobs::Fixed(n)) => (n, false),
    };
    let mut config = RunConfig {
        jobs,
        adaptive,
        timeout: Duration::from_millis(args.timeout_ms),
        auth,
    };
    // Keep the embedded server alive for the whole run.
    let (_embedded, mut target) = match &args.target {
        Some(url) => match Target::parse_via(url, &network) {
            Ok(t) => (None, t),
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_USAGE;
            }
        },
        None => match crate::embedded::start_with(args.reach.tls) {
            Ok(e) => {
                // Without key flags, the auth cases go to the embedded /secure/echo.
                if config.auth.is_none() {
                    config.auth = Some(e.auth);
                }
                (Some(e.handle), e.target)
            }
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_USAGE;
            }
        },
    };
    target.shape = shape;
    let voice =
        crate::cases::voice::configure(&mut target, &args.profiles, args.voice_grant.as_deref());
    if let Err(e) = voice {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }
    let t = &args.telephony;
    if args.target.is_none() && t.twilio_auth_token.is_some() {
        eprintln!("error: --twilio-auth-token needs --target (the embedded reference bot has its own token)");
        return EXIT_USAGE;
    }
    let telephony = crate::cases::telephony::configure(
        &mut target,
        &platforms,
        crate::cases::telephony::Settings {
            twilio_auth_token: t.twilio_auth_token.clone(),
            max_response: t.max_response_ms.map(Duration::from_millis),
            max_barge_in: t.max_bargein_ms.map(Duration::from_millis),
        },
    );
    if let Err(e) = telephony {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }
    // A bot takes the platform's (signed) handshake, not the plain one.
    let bots_only = cases.iter().all(|c| {
        crate::platform::Platform::ALL
            .iter()
            .any(|p| c.id.starts_with(&format!("{}.", p.name())))
    });
    if args.no_preflight {
        if let Err(e) = target.check_reachable(config.timeout) {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    } else if bots_only {
        if let Err(e) = crate::cases::telephony::preflight(&target, config.timeout) {
            eprintln!("error: {e} (preflight; --no-preflight skips it)");
            return EXIT_USAGE;
        }
    } else {
        // One handshake (and one echo, for the framing cases) first: a
        // target the cases cannot test is told in one line, not in hundreds
        // of FAILED.
        let echo = cases.iter().any(|c| c.id.starts_with("framing."));
        if let Err(e) = run::preflight(&target, echo, config.timeout) {
            eprintln!("error: {e} (preflight; --no-preflight skips it)");
            return EXIT_USAGE;
        }
    }
    let progress = crate::progress::Progress::for_cases(&cases);
    let (mut report, notes) = run::run_noted(&target, &cases, &config, &|r| progress.case_done(r));
    progress.finish();
    print!("{}", report::console::render(&report, args.verbose));
    print!("{}", notes_text(&notes));
    let detail = if args.wire == "full" {
        report::WireDetail::Full
    } else {
        report::WireDetail::Summary
    };
    report::shorten_wire(&mut report.results, detail);
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
    if let Some(dir) = &args.autobahn_report {
        // The embedded reference's URL changes every run; its name does not.
        let agent = args.target.as_deref().unwrap_or(AUTOBAHN_REFERENCE_AGENT);
        let agents = [report::autobahn::from_run(&report, agent)];
        if let Err(e) = report::autobahn::write(dir, &agents, false) {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    }
    if let Some(why) = &notes.stopped {
        eprintln!("error: the run stopped: {why}");
        return EXIT_USAGE;
    }
    if report.failed() > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

impl LoadCommon {
    /// The target, reachable (one connection): else a one-line reason.
    fn target(&self) -> Result<Target, String> {
        let trust = if self.insecure {
            Trust::Anything
        } else {
            Trust::from_ca_file(self.ca_file.as_deref()).map_err(|e| format!("--ca-file: {e}"))?
        };
        let network = Network {
            trust,
            ..Network::default()
        };
        let target = Target::parse_via(&self.target, &network)?;
        target.check_reachable(Duration::from_millis(self.timeout_ms))?;
        Ok(target)
    }

    fn threads(&self) -> usize {
        self.threads.map_or_else(
            || std::thread::available_parallelism().map_or(2, |n| n.get()),
            |n| n as usize,
        )
    }

    fn write_json(&self, value: &serde_json::Value) -> Result<(), String> {
        let Some(path) = &self.json else {
            return Ok(());
        };
        let text = serde_json::to_string_pretty(value).unwrap_or_default() + "\n";
        std::fs::write(path, text)
            .map_err(|e| format!("cannot write the JSON figures to {}: {e}", path.display()))
    }
}

/// `voxproof load echo|connections`: figures on stdout (and in --json); 2
/// when the target cannot be reached or the arguments are wrong.
fn load_cmd(what: &LoadCommand) -> i32 {
    let result = match what {
        LoadCommand::Echo(args) => load_echo(args),
        LoadCommand::Connections(args) => load_connections(args),
        LoadCommand::Voice(args) => load_voice(args),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_USAGE
        }
    }
}

/// Warn when the open-file limit is below what `connections` need.
fn open_files_for(connections: u64) -> Option<u64> {
    use crate::load::SPARE_FILES;
    let limit = crate::load::raise_open_files();
    if let Some(limit) = limit {
        if connections + SPARE_FILES > limit {
            eprintln!(
                "note: the open-file limit is {limit} (raised to the hard limit): about {} of the {connections} connections can be open at once",
                limit.saturating_sub(SPARE_FILES)
            );
        }
    }
    limit
}

fn load_echo(args: &LoadEchoArgs) -> Result<(), String> {
    use std::io::IsTerminal;
    let c = &args.common;
    let target = c.target()?;
    open_files_for(args.connections);
    let config = crate::load::echo::EchoConfig {
        target,
        connections: args.connections as usize,
        size: args.size as usize,
        warmup: args.warmup,
        duration: args.duration,
        rate: args.rate,
        threads: c.threads(),
        timeout: Duration::from_millis(c.timeout_ms),
        progress: std::io::stderr().is_terminal(),
    };
    let summary = crate::load::echo::run(&config)?;
    print!("{}", summary.text());
    c.write_json(&summary.to_json())
}

fn load_voice(args: &LoadVoiceArgs) -> Result<(), String> {
    use crate::load::voice::{Codec, Mode, Platform, Ramp, VoiceConfig};
    use std::io::IsTerminal;
    let c = &args.common;
    let target = c.target()?;
    let mode = match args.profile.as_deref() {
        Some(name) => Mode::Calls(
            Platform::ALL
                .into_iter()
                .find(|p| p.name() == name)
                .ok_or_else(|| format!("unknown profile {name}"))?,
        ),
        None => Mode::Rooms {
            participants: args.participants as usize,
            codec: match args.codec.as_str() {
                "pcma" => Codec::Pcma,
                "mixed" => Codec::Mixed,
                _ => Codec::Pcmu,
            },
        },
    };
    let ramp = args.ramp.then(|| Ramp {
        step: args.step.unwrap_or(args.rooms) as usize,
        max: args.max_rooms as usize,
    });
    let most = ramp.map_or(args.rooms, |r| r.max as u64);
    open_files_for(most * mode.per_group() as u64);
    let config = VoiceConfig {
        target,
        mode,
        groups: args.rooms as usize,
        warmup: args.warmup,
        duration: args.duration,
        ramp,
        max_jitter: args.max_jitter_ms,
        threads: c.threads(),
        timeout: Duration::from_millis(c.timeout_ms),
        progress: std::io::stderr().is_terminal(),
    };
    let summary = crate::load::voice::run(&config)?;
    print!("{}", summary.text());
    c.write_json(&summary.to_json())
}

fn load_connections(args: &LoadConnectionsArgs) -> Result<(), String> {
    let c = &args.common;
    if args.pid.is_some() && !cfg!(target_os = "linux") {
        return Err("--pid reads /proc/PID/status: Linux only".into());
    }
    if let Some(pid) = args.pid {
        crate::load::connections::resident_kib(pid)?;
    }
    let target = c.target()?;
    let limit = open_files_for(args.count);
    let config = crate::load::connections::ConnectionsConfig {
        target,
        count: args.count as usize,
        rate: args.rate,
        hold: args.hold,
        pid: args.pid,
        threads: c.threads(),
        timeout: Duration::from_millis(c.timeout_ms),
        open_files_limit: limit,
    };
    let summary = crate::load::connections::run(&config)?;
    print!("{}", summary.text());
    if summary.opened < summary.count {
        eprintln!(
            "note: {} of the {} connections could not be opened (see errors)",
            summary.count - summary.opened,
            summary.count
        );
    }
    c.write_json(&summary.to_json())
}

/// The agent of `voxproof run --autobahn-report` without `--target`.
pub const AUTOBAHN_REFERENCE_AGENT: &str = "voxproof-reference";

fn serve_cmd(args: &ServeArgs) -> i32 {
    use crate::serve::{spec, Reports, ServeConfig, Server};
    let spec = match args.spec.as_deref().map(spec::Spec::read).transpose() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let listen = args
        .listen
        .clone()
        .or_else(|| spec.as_ref().and_then(|s| s.listen.clone()))
        .unwrap_or_else(|| crate::serve::DEFAULT_LISTEN.into());
    let include = match &spec {
        Some(s) if args.cases.is_empty() => s.cases.clone(),
        _ => args.cases.clone(),
    };
    let mut exclude = spec
        .as_ref()
        .map(|s| s.exclude_cases.clone())
        .unwrap_or_default();
    exclude.extend(args.exclude.iter().cloned());
    let cases = spec::select(crate::cases::client::cases(), &include, &exclude);
    let config = ServeConfig {
        exclude_agent_cases: spec
            .as_ref()
            .map(|s| s.exclude_agent_cases.clone())
            .unwrap_or_default(),
        timeout: Duration::from_millis(args.timeout_ms),
        reports: Reports {
            autobahn: args
                .autobahn_report
                .clone()
                .or_else(|| spec.as_ref().map(|s| s.outdir.clone())),
            json: args.json.clone(),
            junit: args.junit.clone(),
            html: args.html.clone(),
        },
        print: true,
        cases,
    };
    let count = config.cases.len();
    // Listen first: an address in use is told whatever the selection.
    let server = match Server::bind(&listen, config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    if count == 0 {
        eprintln!("error: no client case matches the selection");
        return EXIT_USAGE;
    }
    println!(
        "voxproof {} serving {} on {}: /getCaseCount, /runCase?case=N&agent=A, /getCaseInfo, /getCaseStatus, /updateReports?agent=A, /stopServer (docs/clients.md)",
        env!("CARGO_PKG_VERSION"),
        report::cases_count(count),
        server.url()
    );
    let served = match server.run() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    for report in served.agents.values() {
        print!("\n{}", report::console::render(report, false));
    }
    if served.failed() > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

/// The console summary's lines on re-runs and cases not run (none when
/// every case ran once).
pub fn notes_text(notes: &run::RunNotes) -> String {
    let mut out = String::new();
    if !notes.reruns.is_empty() {
        out.push_str(&format!(
            "{} run again alone with {}× the time, their first run having run out of time (or measured too slow) among others: {}\n",
            report::cases_count(notes.reruns.len()),
            run::RERUN_SCALE,
            notes.reruns.join(", ")
        ));
    }
    if let Some(why) = &notes.stopped {
        out.push_str(&format!(
            "the run stopped: {why}; {} not run (UNIMPLEMENTED, \"{}\")\n",
            report::cases_count(notes.not_run),
            run::NOT_RUN
        ));
    }
    out
}
