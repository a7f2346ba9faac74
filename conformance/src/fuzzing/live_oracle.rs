//! Fuzz target `live_oracle`: bytes → a conversation → the oracle's prediction, which the reference's
//! in-memory answer must satisfy ([fuzz/README.md](../../../fuzz/README.md#live_oracle)).

use crate::cases::framing::engine::{Event, Observation};
use crate::livefuzz::conversation::{conversation, stream, Conversation};
use crate::livefuzz::oracle::{self, Prediction};
use crate::verdict::{Closer, Verdict};
use crate::wire::frame::Frame;
use crate::wire::observer::{self, Observer};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::time::Instant;

pub fn run(data: &[u8]) {
    if let Err(e) = check(&conversation_of(data)) {
        panic!("{e}");
    }
}

/// The conversation the generator makes from `data`: its random stream is
/// ChaCha seeded with the bytes' SHA-1 (proptest's pass-through source,
/// which would keep small changes small, loops forever in rejection
/// sampling once the input runs dry).
pub fn conversation_of(data: &[u8]) -> Conversation {
    use sha1::Digest as _;
    let mut seed = [0u8; 32];
    seed[..20].copy_from_slice(&sha1::Sha1::digest(data));
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    conversation()
        .new_tree(&mut runner)
        .expect("the conversation strategy never rejects")
        .current()
}

/// Predict `c` (which must not panic) and, for a valid handshake, play it
/// to the reference's `/echo` in memory: its answer must not be FAILED.
/// Without a close in the conversation the suite's 1000 is appended, as the
/// live runner sends one at the end.
pub fn check(c: &Conversation) -> Result<(), String> {
    let now = Instant::now();
    let mut input = stream(&c.writes());
    let prediction = oracle::predict(&c.handshake, &input, now);
    let Prediction::Session { close_end, .. } = &prediction else {
        return Ok(());
    };
    // The suite's close is part of what the server reads here, so the
    // prediction is made with it (its pongs may then be cut short, as before
    // any close).
    let prediction = if close_end.is_none() {
        input.extend(Frame::close(Some(1000), b"").masked([1, 2, 3, 4]).encode());
        oracle::predict(&c.handshake, &input, now)
    } else {
        prediction
    };
    let output = voxproof_reference::fuzzing::server_stream::echo_exchange(&input);
    let mut ob = Observer::new();
    ob.receive_data(&output, now);
    let mut obs = Observation {
        target_closed_tcp: true,
        suite_sent_close: true,
        close_in_steps: true,
        ..Observation::default()
    };
    while let Some(seen) = ob.poll_event() {
        match seen.event {
            observer::Event::Message { binary, payload } => obs.events.push(Event::Message {
                binary,
                payload: payload.into(),
            }),
            observer::Event::Pong(p) => obs.events.push(Event::Pong(p)),
            observer::Event::Ping(_) => {}
            observer::Event::Close { code, reason } => {
                obs.target_close.get_or_insert((code, reason));
            }
            observer::Event::Violation(v) => obs.violations.push(v.into()),
            observer::Event::Unreadable(e) => obs.violations.push(e.into()),
        }
    }
    // Its close answers the suite's (or the fail alternatives say it failed).
    // Without one: when it had to fail, it dropped the connection; otherwise
    // the end of input raced the close exchange, which the live runs judge.
    let must_fail = matches!(
        &prediction,
        Prediction::Session { alternatives, .. }
            if matches!(alternatives[0].stop, oracle::Stop::Fail { .. })
    );
    if obs.target_close.is_none() && !must_fail {
        obs.target_close = Some((Some(1000), Vec::new()));
    }
    obs.first_closer = Some(if obs.target_close.is_some() {
        Closer::Suite
    } else {
        Closer::Target
    });
    let judged = oracle::judge_session(&prediction, &obs);
    if judged.verdict == Verdict::Failed {
        return Err(format!(
            "the reference fails the oracle: {}; expected {}; frames: {}",
            judged.detail,
            prediction.describe(),
            c.describe().join("; ")
        ));
    }
    Ok(())
}
