//! Time to first audio, barge-in, mark round trips, echo delay: pure functions of a timeline
//! ([docs/telephony.md](../../../docs/telephony.md#figures)).

use super::caller::{Event, TICK};
use super::Breach;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// One thing that happened in a call, as the platform saw it.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    /// The caller's frame `index` went out.
    Caller {
        index: u64,
        speech: bool,
        /// The bot's audio was playing when it went out.
        over_bot: bool,
        payload: Vec<u8>,
    },
    CallerEvent(Event),
    BotAudio {
        length: Duration,
        speech: bool,
        payload: Vec<u8>,
        /// When it starts playing (the play-out buffer's clock).
        plays_at: Instant,
    },
    BotMark(String),
    BotClear,
    /// The platform returned a mark (played out, or cleared).
    MarkReturned(String),
    Breach(Breach),
    /// The bot answered the ping sent after `stop`: it has read the stop.
    StopRead,
    /// The bot closed (its close code).
    BotClosed(Option<u16>),
}

pub type Timeline = Vec<(Instant, Seen)>;

/// Caller speech counts as ended after this much non-speech.
pub const END_OF_UTTERANCE: Duration = Duration::from_millis(300);

/// When each of the caller's utterances ended: the end of its last speech
/// frame, once [`END_OF_UTTERANCE`] of non-speech frames followed.
pub fn utterance_ends(t: &Timeline) -> Vec<Instant> {
    let quiet_frames = (END_OF_UTTERANCE.as_millis() / TICK.as_millis()) as usize;
    let mut ends = Vec::new();
    let (mut last_speech, mut quiet) = (None, 0);
    for (at, seen) in t {
        let Seen::Caller { speech, .. } = seen else {
            continue;
        };
        if *speech {
            last_speech = Some(*at);
            quiet = 0;
        } else if let Some(s) = last_speech {
            quiet += 1;
            if quiet == quiet_frames {
                ends.push(s);
                last_speech = None;
            }
        }
    }
    ends
}

/// From the end of the caller's first utterance to the arrival of the
/// bot's first speech that starts playing after it: speech still playing
/// from before (a greeting, the echo of the utterance) is not the answer.
pub fn first_audio(t: &Timeline) -> Option<Duration> {
    let end = *utterance_ends(t).first()?;
    // Runs of speech in play-out time: a frame that plays within
    // END_OF_UTTERANCE of the previous speech continues its run.
    let mut run: Option<(Instant, Instant)> = None;
    for (at, s) in t {
        let Seen::BotAudio {
            speech: true,
            plays_at,
            length,
            ..
        } = s
        else {
            continue;
        };
        let start = match run {
            Some((from, until)) if *plays_at <= until + END_OF_UTTERANCE => from,
            _ => *plays_at,
        };
        run = Some((start, *plays_at + *length));
        if start >= end && *at >= end {
            return Some(*at - end);
        }
    }
    None
}

/// When the caller started speaking over the bot, and how long the bot
/// took to send a clear after that (None: it never did).
pub fn barge_in(t: &Timeline) -> Option<(Instant, Option<Duration>)> {
    let start = t.iter().find_map(|(at, s)| match s {
        Seen::Caller {
            speech: true,
            over_bot: true,
            ..
        } => Some(*at),
        _ => None,
    })?;
    let clear = t.iter().find_map(|(at, s)| match s {
        Seen::BotClear if *at >= start => Some(*at - start),
        _ => None,
    });
    Some((start, clear))
}

/// For each mark the bot sent, how long until the platform returned it
/// (the audio the bot had queued ahead of it).
pub fn mark_round_trips(t: &Timeline) -> Vec<Duration> {
    let mut sent: HashMap<&str, VecDeque<Instant>> = HashMap::new();
    let mut out = Vec::new();
    for (at, s) in t {
        match s {
            Seen::BotMark(name) => sent.entry(name).or_default().push_back(*at),
            Seen::MarkReturned(name) => {
                if let Some(t0) = sent.get_mut(name.as_str()).and_then(VecDeque::pop_front) {
                    out.push(*at - t0);
                }
            }
            _ => {}
        }
    }
    out
}

/// For an echo: how long each caller frame took to come back, matched by
/// content in order (frames that never came back do not count).
pub fn mouth_to_ear(t: &Timeline) -> Vec<Duration> {
    let mut sent: HashMap<&[u8], VecDeque<Instant>> = HashMap::new();
    let mut out = Vec::new();
    for (at, s) in t {
        match s {
            Seen::Caller { payload, .. } => sent.entry(payload).or_default().push_back(*at),
            Seen::BotAudio { payload, .. } => {
                if let Some(t0) = sent
                    .get_mut(payload.as_slice())
                    .and_then(VecDeque::pop_front)
                {
                    out.push(*at - t0);
                }
            }
            _ => {}
        }
    }
    out
}

/// The nearest-rank percentile `p` (0–100) of `values`.
pub fn percentile(values: &[Duration], p: f64) -> Option<Duration> {
    let mut v = values.to_vec();
    v.sort_unstable();
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v.get(rank.clamp(1, v.len().max(1)) - 1).copied()
}

/// Milliseconds to a tenth: an echo on loopback takes well under one.
pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(index: u64, speech: bool, over_bot: bool) -> Seen {
        Seen::Caller {
            index,
            speech,
            over_bot,
            payload: vec![index as u8],
        }
    }

    fn bot(speech: bool, payload: u8, plays_at: Instant) -> Seen {
        Seen::BotAudio {
            length: TICK,
            speech,
            payload: vec![payload],
            plays_at,
        }
    }

    #[test]
    fn first_audio_counts_from_the_end_of_speech() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut t: Timeline = (0..5)
            .map(|k| (at(20 * k), caller(k, true, false)))
            .collect();
        t.extend((5..30).map(|k| (at(20 * k), caller(k, false, false))));
        t.push((at(150), bot(false, 9, at(150))));
        t.push((at(700), bot(true, 9, at(700))));
        t.sort_by_key(|(a, _)| *a);
        assert_eq!(utterance_ends(&t), [at(80)]);
        assert_eq!(first_audio(&t), Some(Duration::from_millis(620)));
    }

    #[test]
    fn a_greeting_still_playing_is_not_the_answer() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut t: Timeline = (0..5)
            .map(|k| (at(20 * k), caller(k, true, false)))
            .collect();
        t.extend((5..80).map(|k| (at(20 * k), caller(k, false, false))));
        // A greeting sent at once at 0 ms, playing until 2 s.
        t.extend((0..100).map(|k| (at(0), bot(true, 1, at(20 * k)))));
        // The answer, after the greeting and a pause.
        t.push((at(1500), bot(true, 2, at(2600))));
        t.sort_by_key(|(a, _)| *a);
        assert_eq!(first_audio(&t), Some(Duration::from_millis(1420)));
    }

    #[test]
    fn barge_in_and_marks() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let t: Timeline = vec![
            (at(0), Seen::BotMark("a".into())),
            (at(10), caller(1, true, false)),
            (at(30), caller(2, true, true)),
            (at(90), Seen::BotClear),
            (at(91), Seen::MarkReturned("a".into())),
        ];
        assert_eq!(
            barge_in(&t),
            Some((at(30), Some(Duration::from_millis(60))))
        );
        assert_eq!(mark_round_trips(&t), [Duration::from_millis(91)]);
    }

    #[test]
    fn echo_delay_matches_frames_by_content_in_order() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let t: Timeline = vec![
            (at(0), caller(1, true, false)),
            (at(20), caller(2, true, false)),
            (at(45), bot(true, 1, at(45))),
            (at(70), bot(true, 2, at(70))),
            (at(80), bot(true, 3, at(80))),
        ];
        let d = mouth_to_ear(&t);
        assert_eq!(d, [Duration::from_millis(45), Duration::from_millis(50)]);
        assert_eq!(percentile(&d, 50.0), Some(Duration::from_millis(45)));
        assert_eq!(percentile(&d, 99.0), Some(Duration::from_millis(50)));
        assert_eq!(percentile(&[], 50.0), None);
    }
}
