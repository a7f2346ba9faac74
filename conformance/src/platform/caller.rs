//! The caller's side of a call as phases played one 20 ms tick at a time, pure
//! ([docs/telephony.md](../../../docs/telephony.md#what-a-call-plays)).

use super::audio;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// One 20 ms tick.
pub const TICK: Duration = Duration::from_millis(20);

/// What the caller does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// The utterance, one frame per tick.
    Speak,
    /// The utterance with each pair of frames sent in swapped order (each
    /// keeps its own sequence number and timestamp).
    SpeakSwapped,
    /// Silence frames for this long.
    Silence(Duration),
    /// Silence until the bot's speech has played for `after` (then the
    /// caller speaks over it), for at most `max`.
    UntilBotPlays { after: Duration, max: Duration },
    /// Silence until speech the bot started after this phase began has
    /// finished playing `quiet` ago and no mark is pending (the bot has
    /// answered and finished), for at most `max`.
    UntilQuiet { quiet: Duration, max: Duration },
    /// A bot that greets the caller first: silence until its greeting has
    /// finished playing `quiet` ago, or for `listen` if it says nothing;
    /// at most `max`.
    Greeting {
        listen: Duration,
        quiet: Duration,
        max: Duration,
    },
    /// No media for `pause`, then the frames the pause held back and
    /// `extra` more of the utterance, all at once, as a congested network
    /// delivers them.
    Burst { pause: Duration, extra: usize },
    /// A platform event, at once.
    Event(Event),
}

/// A platform event other than media.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Dtmf(char),
    /// An event type the platform's documentation does not list.
    Unknown,
    /// The platform's end of the stream.
    Stop,
    /// Close the WebSocket (without a stop when none was sent).
    Close,
}

/// What the shell sends on a tick.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Frame number `index` of the call (20 ms each from the start).
    Media {
        index: u64,
        pcm: Vec<i16>,
        speech: bool,
    },
    Event(Event),
}

/// What the caller can hear of the bot at a tick: its speech in the
/// play-out buffer (silence the bot streams does not count).
#[derive(Debug, Clone, Copy)]
pub struct View {
    pub now: Instant,
    /// When the bot's current run of speech started playing.
    pub speech_from: Option<Instant>,
    /// When the last speech the bot sent ends playing.
    pub speech_until: Option<Instant>,
    /// Marks sent by the bot and not yet returned.
    pub pending_marks: usize,
}

impl View {
    /// The bot's speech is playing now: since when.
    pub fn speaking_since(&self) -> Option<Instant> {
        match (self.speech_from, self.speech_until) {
            (Some(from), Some(until)) if from <= self.now && self.now < until => Some(from),
            _ => None,
        }
    }
}

pub struct Caller {
    phases: VecDeque<Phase>,
    /// When the current phase began.
    began: Option<Instant>,
    utterance: Vec<Vec<i16>>,
    silence: Vec<i16>,
    /// Position in the utterance of the current speaking phase.
    said: usize,
    /// The next frame's number in the call.
    next_index: u64,
    /// A swapped frame held back for the next tick.
    held: Option<Step>,
    done: bool,
}

impl Caller {
    pub fn new(phases: Vec<Phase>, rate: u32) -> Caller {
        Caller {
            phases: phases.into(),
            began: None,
            utterance: audio::utterance(rate),
            silence: vec![0; audio::frame_samples(rate)],
            said: 0,
            next_index: 0,
            held: None,
            done: false,
        }
    }

    /// Every phase has been played.
    pub fn done(&self) -> bool {
        self.done
    }

    /// The steps of one tick.
    pub fn tick(&mut self, view: View) -> Vec<Step> {
        let mut out = Vec::new();
        loop {
            let Some(phase) = self.phases.front().cloned() else {
                self.done = true;
                out.extend(self.held.take());
                return out;
            };
            let began = *self.began.get_or_insert(view.now);
            let elapsed = view.now.saturating_duration_since(began);
            let finished = match phase {
                Phase::Event(e) => {
                    out.extend(self.held.take());
                    out.push(Step::Event(e));
                    true
                }
                Phase::Speak => {
                    out.push(self.speech_frame());
                    self.said >= self.utterance.len()
                }
                Phase::SpeakSwapped => {
                    let frame = self.speech_frame();
                    match self.held.take() {
                        Some(first) => out.extend([frame, first]),
                        None => self.held = Some(frame),
                    }
                    self.said >= self.utterance.len()
                }
                Phase::Silence(d) => {
                    out.push(self.silence_frame());
                    elapsed + TICK >= d
                }
                Phase::UntilBotPlays { after, max } => {
                    let played = view
                        .speaking_since()
                        .is_some_and(|s| view.now.saturating_duration_since(s) >= after);
                    if played || elapsed >= max {
                        self.next_phase();
                        continue;
                    }
                    out.push(self.silence_frame());
                    false
                }
                Phase::UntilQuiet { quiet, max } => {
                    // Speech that ends before the phase began (a greeting,
                    // the echo of earlier frames) is not the answer.
                    let quiet_now = view.pending_marks == 0
                        && view.speech_until.is_some_and(|u| {
                            u > began && view.now.saturating_duration_since(u) >= quiet
                        });
                    if quiet_now || elapsed >= max {
                        self.next_phase();
                        continue;
                    }
                    out.push(self.silence_frame());
                    false
                }
                Phase::Greeting { listen, quiet, max } => {
                    let done = match view.speech_until {
                        None => elapsed >= listen,
                        Some(u) => {
                            view.pending_marks == 0
                                && view.now.saturating_duration_since(u) >= quiet
                        }
                    };
                    if done || elapsed >= max {
                        self.next_phase();
                        continue;
                    }
                    out.push(self.silence_frame());
                    false
                }
                Phase::Burst { pause, extra } => {
                    if elapsed + TICK < pause {
                        // The network holds the frame back: its number passes.
                        self.next_index += 1;
                        return out;
                    }
                    let held = (pause.as_millis() / TICK.as_millis()) as u64;
                    let first = self.next_index.saturating_sub(held.saturating_sub(1));
                    self.next_index = first;
                    for _ in 0..held + extra as u64 {
                        out.push(self.speech_frame());
                    }
                    true
                }
            };
            if finished {
                self.next_phase();
            }
            if out.iter().any(|s| matches!(s, Step::Media { .. })) || self.held.is_some() {
                return out;
            }
        }
    }

    fn next_phase(&mut self) {
        if matches!(
            self.phases.front(),
            Some(Phase::Speak | Phase::SpeakSwapped | Phase::Burst { .. })
        ) {
            self.said = 0;
        }
        self.phases.pop_front();
        self.began = None;
    }

    fn speech_frame(&mut self) -> Step {
        let pcm = self.utterance[self.said % self.utterance.len()].clone();
        self.said += 1;
        self.media(pcm)
    }

    fn silence_frame(&mut self) -> Step {
        self.media(self.silence.clone())
    }

    fn media(&mut self, pcm: Vec<i16>) -> Step {
        let index = self.next_index;
        self.next_index += 1;
        Step::Media {
            index,
            speech: audio::is_speech(&pcm),
            pcm,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet_view(now: Instant) -> View {
        View {
            now,
            speech_from: None,
            speech_until: None,
            pending_marks: 0,
        }
    }

    /// Play `caller` to its end with a bot that never answers; the steps of
    /// each tick.
    fn play(mut caller: Caller) -> Vec<Vec<Step>> {
        let t = Instant::now();
        let mut ticks = Vec::new();
        for k in 0..2000u32 {
            if caller.done() {
                break;
            }
            ticks.push(caller.tick(quiet_view(t + TICK * k)));
        }
        ticks
    }

    fn indices(ticks: &[Vec<Step>]) -> Vec<u64> {
        ticks
            .iter()
            .flatten()
            .filter_map(|s| match s {
                Step::Media { index, .. } => Some(*index),
                Step::Event(_) => None,
            })
            .collect()
    }

    #[test]
    fn one_frame_per_tick_numbered_in_order() {
        let caller = Caller::new(
            vec![
                Phase::Speak,
                Phase::Silence(Duration::from_millis(200)),
                Phase::Event(Event::Stop),
            ],
            8000,
        );
        let ticks = play(caller);
        let n = audio::utterance_8k().len();
        assert_eq!(indices(&ticks), (0..n as u64 + 10).collect::<Vec<_>>());
        assert_eq!(
            ticks.iter().flatten().last(),
            Some(&Step::Event(Event::Stop))
        );
    }

    #[test]
    fn swapped_frames_keep_their_numbers() {
        let ticks = play(Caller::new(vec![Phase::SpeakSwapped], 8000));
        let got = indices(&ticks);
        assert_eq!(&got[..4], &[1, 0, 3, 2]);
        let mut sorted = got.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..got.len() as u64).collect::<Vec<_>>());
    }

    #[test]
    fn a_burst_delivers_the_held_frames_at_once() {
        let ticks = play(Caller::new(
            vec![
                Phase::Silence(Duration::from_millis(100)),
                Phase::Burst {
                    pause: Duration::from_millis(1000),
                    extra: 0,
                },
                Phase::Silence(Duration::from_millis(40)),
            ],
            8000,
        ));
        let sizes: Vec<usize> = ticks.iter().map(Vec::len).collect();
        assert_eq!(&sizes[..5], &[1, 1, 1, 1, 1]);
        assert!(sizes[5..54].iter().all(|&s| s == 0), "{sizes:?}");
        assert_eq!(sizes[54], 50);
        assert_eq!(indices(&ticks), (0..57).collect::<Vec<_>>());
    }

    #[test]
    fn a_greeting_is_waited_out_and_is_not_the_answer() {
        let t = Instant::now();
        let ms = Duration::from_millis;
        let mut caller = Caller::new(
            vec![
                Phase::Greeting {
                    listen: ms(200),
                    quiet: ms(100),
                    max: ms(5000),
                },
                Phase::UntilQuiet {
                    quiet: ms(100),
                    max: ms(5000),
                },
                Phase::Event(Event::Stop),
            ],
            8000,
        );
        // The greeting plays until t + 1 s.
        let greeting = |now| View {
            speech_from: Some(t),
            speech_until: Some(t + ms(1000)),
            ..quiet_view(now)
        };
        assert_eq!(caller.tick(greeting(t + ms(500))).len(), 1);
        // 100 ms after it ends the greeting phase is over; the next phase
        // does not take the greeting for an answer.
        let steps = caller.tick(greeting(t + ms(1100)));
        assert_eq!(steps.len(), 1);
        assert!(matches!(steps[0], Step::Media { .. }));
        assert_eq!(caller.tick(greeting(t + ms(3000))).len(), 1);
        assert!(!caller.done());
        // An answer starting after the phase began ends it once played.
        let answer = View {
            speech_from: Some(t + ms(3100)),
            speech_until: Some(t + ms(3200)),
            ..quiet_view(t + ms(3300))
        };
        assert_eq!(caller.tick(answer), vec![Step::Event(Event::Stop)]);
    }

    #[test]
    fn a_bot_that_does_not_greet_costs_the_listening_time() {
        let t = Instant::now();
        let ms = Duration::from_millis;
        let mut caller = Caller::new(
            vec![
                Phase::Greeting {
                    listen: ms(200),
                    quiet: ms(100),
                    max: ms(5000),
                },
                Phase::Event(Event::Stop),
            ],
            8000,
        );
        for k in 0..10 {
            assert_eq!(caller.tick(quiet_view(t + TICK * k)).len(), 1, "tick {k}");
        }
        assert_eq!(
            caller.tick(quiet_view(t + ms(200))),
            vec![Step::Event(Event::Stop)]
        );
    }

    #[test]
    fn waiting_phases_end_on_what_the_bot_does() {
        let t = Instant::now();
        let mut caller = Caller::new(
            vec![
                Phase::UntilBotPlays {
                    after: Duration::from_millis(100),
                    max: Duration::from_secs(5),
                },
                Phase::Event(Event::Stop),
            ],
            8000,
        );
        assert_eq!(caller.tick(quiet_view(t)).len(), 1);
        let playing = View {
            speech_from: Some(t),
            speech_until: Some(t + Duration::from_secs(1)),
            ..quiet_view(t + Duration::from_millis(120))
        };
        assert_eq!(caller.tick(playing), vec![Step::Event(Event::Stop)]);
        assert!(caller.tick(playing).is_empty());
        assert!(caller.done());
    }
}
