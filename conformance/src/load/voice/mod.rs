//! `voxproof load voice`: many real-time G.711 streams, in rooms or as calls to a bot, each
//! frame heard checked ([docs/performance.md](../../../../docs/performance.md#load-voice)).

pub mod account;
pub mod frames;
pub mod stream;
pub mod summary;

use crate::target::Target;
use std::time::Duration;
use voxproof_vectors::g711::Law;

pub use crate::cases::voice::expect::FRAME_BYTES;
pub use crate::platform::Platform;

/// 20 ms, in microseconds.
pub const FRAME_US: u64 = 20_000;

/// The laws of a room's participants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Pcmu,
    Pcma,
    /// Alternating µ-law and A-law, so every mix converts between them.
    Mixed,
}

impl Codec {
    pub fn name(self) -> &'static str {
        match self {
            Codec::Pcmu => "pcmu",
            Codec::Pcma => "pcma",
            Codec::Mixed => "mixed",
        }
    }

    pub fn law(self, position: usize) -> Law {
        match self {
            Codec::Pcmu => Law::Pcmu,
            Codec::Pcma => Law::Pcma,
            Codec::Mixed if position.is_multiple_of(2) => Law::Pcmu,
            Codec::Mixed => Law::Pcma,
        }
    }
}

/// What the streams are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Rooms of docs/voice-protocol.md on the target's host: every
    /// participant talks and hears the others' mix.
    Rooms { participants: usize, codec: Codec },
    /// Calls to a voice bot at the target's URL, as the platform streams
    /// them; the bot is expected to echo the caller (as `/PLATFORM/echo`).
    Calls(Platform),
}

impl Mode {
    pub fn per_group(self) -> usize {
        match self {
            Mode::Rooms { participants, .. } => participants,
            Mode::Calls(_) => 1,
        }
    }

    pub fn name(self) -> String {
        match self {
            Mode::Rooms { .. } => "rooms".into(),
            Mode::Calls(p) => p.name().to_string(),
        }
    }
}

/// Raise the load step by step while p99 jitter stays within a bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ramp {
    /// Groups (rooms or calls) added at each step.
    pub step: usize,
    /// Stop after this many groups whatever the figures.
    pub max: usize,
}

/// What `load voice` was asked for.
#[derive(Debug, Clone)]
pub struct VoiceConfig {
    pub target: Target,
    pub mode: Mode,
    /// Rooms (or calls) of the first step.
    pub groups: usize,
    pub warmup: Duration,
    pub duration: Duration,
    pub ramp: Option<Ramp>,
    /// The bound on p99 inter-arrival jitter that defines the capacity.
    pub max_jitter: Duration,
    pub threads: usize,
    pub timeout: Duration,
    pub progress: bool,
}

/// The number of groups each step runs with.
pub fn steps(config: &VoiceConfig) -> Vec<usize> {
    match config.ramp {
        None => vec![config.groups],
        Some(r) => (0..)
            .map(|i| config.groups + i * r.step.max(1))
            .take_while(|g| *g <= r.max.max(config.groups))
            .collect(),
    }
}

/// Let the target close the last step's connections.
fn settle() {
    std::thread::sleep(Duration::from_secs(1));
}

/// Run the load (every step of a ramp); Err is a one-line reason it could
/// not take place.
pub fn run(config: &VoiceConfig) -> Result<summary::VoiceSummary, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.threads.max(1))
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the load threads: {e}"))?;
    let mut done = Vec::new();
    for (i, groups) in steps(config).into_iter().enumerate() {
        if config.ramp.is_some() && config.progress {
            eprintln!(
                "step {}: {} streams",
                i + 1,
                groups * config.mode.per_group()
            );
        }
        let mut step = runtime.block_on(stream::step(config, i, groups))?;
        if config.ramp.is_some() && !step.within(config.max_jitter) {
            // One step over the bound can be a hiccup of the machine (the
            // generator shares it): the ramp ends only if the step, run
            // again with fresh connections, is over it again; the second
            // run's figures stand.
            settle();
            if config.progress {
                eprintln!("step {}: over the bound, run again", i + 1);
            }
            step = runtime.block_on(stream::step(config, i, groups))?;
            step.repeated = true;
        }
        let within = step.within(config.max_jitter);
        done.push(step);
        if config.ramp.is_some() && !within {
            break;
        }
        if config.ramp.is_some() {
            settle();
        }
    }
    Ok(summary::VoiceSummary {
        target: config.target.url.clone(),
        mode: config.mode,
        warmup: config.warmup,
        duration: config.duration,
        ramp: config.ramp.is_some(),
        max_jitter: config.max_jitter,
        threads: config.threads,
        steps: done,
    })
}
