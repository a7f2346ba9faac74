//! The bot's state machine: call events in, actions out, for the echo and turn behaviours
//! ([docs/telephony.md](../../../docs/telephony.md#reference-bot)).

use super::call::{resample, Behaviour, BotAction, CallEvent, Format};
use super::vad::{Vad, VadConfig, VadEvent};
use crate::g711::{self, wav};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The turn bot's prompt: one second of the sweep fixture, 8 kHz.
const PROMPT_WAV: &[u8] = include_bytes!("../../../vectors/g711/wav/sweep.pcm16.wav");

/// Frames between the marks of a prompt: 200 ms.
pub const MARK_EVERY: usize = 10;

/// How long past its own length a prompt may go without its marks
/// returning before the bot stops counting it as playing: a platform that
/// answers no marks (a one-way stream) must not draw a `clear` from every
/// later utterance.
pub const MARK_GRACE_MS: u64 = 1000;

/// Frames the echo holds back to put numbered frames in order (Telnyx
/// does not promise order): a gap is given up once this many wait behind it.
pub const REORDER_WINDOW: usize = 4;

/// The prompt's samples at 8 kHz.
pub fn prompt() -> &'static [i16] {
    static PROMPT: OnceLock<Vec<i16>> = OnceLock::new();
    PROMPT.get_or_init(|| match wav::read(PROMPT_WAV) {
        Ok(audio) => audio.to_linear(),
        Err(e) => unreachable!("the prompt fixture is a valid WAV: {e}"),
    })
}

/// The prompt as 20 ms frames in `format`, the last padded with silence.
pub fn prompt_frames(format: Format) -> Vec<Vec<u8>> {
    let samples = resample(prompt(), g711::SAMPLE_RATE, format.rate());
    samples
        .chunks(format.frame_samples())
        .map(|chunk| {
            let mut frame = chunk.to_vec();
            frame.resize(format.frame_samples(), 0);
            format.encode(&frame)
        })
        .collect()
}

/// One call's bot. Feed it every event with the time in milliseconds since
/// the call began; send what it returns, in order.
#[derive(Debug)]
pub struct Session {
    behaviour: Behaviour,
    format: Option<Format>,
    stopped: bool,
    vad: Vad,
    /// Decoded caller audio not yet a whole VAD frame.
    heard: Vec<i16>,
    playing: Option<Playback>,
    prompts: u32,
    order: Reorder,
}

/// A prompt sent and not known to be over.
#[derive(Debug)]
struct Playback {
    marks: BTreeSet<String>,
    until_ms: u64,
}

impl Session {
    pub fn new(behaviour: Behaviour) -> Session {
        Session {
            behaviour,
            format: None,
            stopped: false,
            vad: Vad::new(VadConfig::default()),
            heard: Vec::new(),
            playing: None,
            prompts: 0,
            order: Reorder::default(),
        }
    }

    pub fn on_event(&mut self, event: CallEvent, now_ms: u64) -> Vec<BotAction> {
        if self.stopped {
            return Vec::new();
        }
        match event {
            CallEvent::Start { format, .. } => self.format = format,
            CallEvent::Audio { payload, chunk } => {
                return match self.behaviour {
                    Behaviour::Echo => self
                        .order
                        .push(chunk, payload)
                        .into_iter()
                        .map(BotAction::Audio)
                        .collect(),
                    Behaviour::Turn => self.listen(&payload, now_ms),
                }
            }
            CallEvent::Mark { name } => {
                if let Some(playback) = &mut self.playing {
                    playback.marks.remove(&name);
                }
            }
            // Frames held for reordering are not sent after the end either.
            CallEvent::Stop => self.stopped = true,
            CallEvent::Dtmf { .. } | CallEvent::Other => {}
        }
        Vec::new()
    }

    /// Whether a prompt may still be playing: some of its marks have not
    /// come back, and it is not long overdue.
    pub fn playing(&self, now_ms: u64) -> bool {
        self.playing
            .as_ref()
            .is_some_and(|p| !p.marks.is_empty() && now_ms < p.until_ms)
    }

    fn listen(&mut self, payload: &[u8], now_ms: u64) -> Vec<BotAction> {
        // An encoding the bot cannot decode: nothing to listen to.
        let Some(format) = self.format else {
            return Vec::new();
        };
        self.heard.extend(format.decode(payload));
        let n = format.frame_samples();
        let mut actions = Vec::new();
        while self.heard.len() >= n {
            let frame: Vec<i16> = self.heard.drain(..n).collect();
            match self.vad.push(&frame) {
                // Barge-in: the caller talks over the prompt.
                Some(VadEvent::SpeechStart) if self.playing(now_ms) => {
                    self.playing = None;
                    actions.push(BotAction::Clear);
                }
                // The speech that starts a barge-in cleared the prompt, so
                // nothing plays when an utterance ends.
                Some(VadEvent::SpeechEnd) => actions.extend(self.play(format, now_ms)),
                _ => {}
            }
        }
        actions
    }

    /// The prompt, all at once as a bot streams synthesised speech: 20 ms
    /// frames, a mark after every 200 ms and one after the last frame.
    fn play(&mut self, format: Format, now_ms: u64) -> Vec<BotAction> {
        self.prompts += 1;
        let frames = prompt_frames(format);
        let count = frames.len();
        let mut marks = BTreeSet::new();
        let mut actions = Vec::with_capacity(count + count / MARK_EVERY + 1);
        for (i, frame) in frames.into_iter().enumerate() {
            actions.push(BotAction::Audio(frame));
            let name = if i + 1 == count {
                format!("prompt-{}-end", self.prompts)
            } else if (i + 1).is_multiple_of(MARK_EVERY) {
                format!("prompt-{}-{}", self.prompts, (i + 1) / MARK_EVERY)
            } else {
                continue;
            };
            marks.insert(name.clone());
            actions.push(BotAction::Mark(name));
        }
        let length_ms = count as u64 * u64::from(super::call::FRAME_MS);
        self.playing = Some(Playback {
            marks,
            until_ms: now_ms + length_ms + MARK_GRACE_MS,
        });
        actions
    }
}

/// Puts numbered frames back in order. Unnumbered frames and frames in
/// order pass at once; one whose place has passed (late or repeated) is
/// dropped, as a jitter buffer drops it.
#[derive(Debug, Default)]
struct Reorder {
    next: Option<u64>,
    held: BTreeMap<u64, Vec<u8>>,
}

impl Reorder {
    fn push(&mut self, chunk: Option<u64>, payload: Vec<u8>) -> Vec<Vec<u8>> {
        let Some(chunk) = chunk else {
            return vec![payload];
        };
        // Both platforms count chunks from 1, so a stream may begin out of
        // order; one counting from 0 starts there.
        let mut next = self.next.unwrap_or(chunk.min(1));
        if chunk < next {
            return Vec::new();
        }
        self.held.insert(chunk, payload);
        let mut out = Vec::new();
        loop {
            if let Some(frame) = self.held.remove(&next) {
                out.push(frame);
                next += 1;
            } else if self.held.len() > REORDER_WINDOW {
                next = *self.held.keys().next().expect("frames are held");
            } else {
                break;
            }
        }
        self.next = Some(next);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::g711::Codec;

    const ULAW: Format = Format::G711(Codec::Pcmu);

    fn start(format: Format) -> CallEvent {
        CallEvent::Start {
            stream: "s".into(),
            format: Some(format),
        }
    }

    fn audio(payload: Vec<u8>, chunk: Option<u64>) -> CallEvent {
        CallEvent::Audio { payload, chunk }
    }

    /// `ms` of a loud tone, or of silence, as 20 ms frames of `format`.
    fn frames(format: Format, ms: usize, loud: bool) -> Vec<CallEvent> {
        let n = format.frame_samples();
        let samples: Vec<i16> = (0..n)
            .map(|i| match (loud, i % 8 < 4) {
                (false, _) => 0,
                (true, true) => 6000,
                (true, false) => -6000,
            })
            .collect();
        (0..ms / 20)
            .map(|_| audio(format.encode(&samples), None))
            .collect()
    }

    fn feed(s: &mut Session, events: Vec<CallEvent>, now_ms: u64) -> Vec<BotAction> {
        events
            .into_iter()
            .flat_map(|e| s.on_event(e, now_ms))
            .collect()
    }

    fn marks(actions: &[BotAction]) -> Vec<&str> {
        actions
            .iter()
            .filter_map(|a| match a {
                BotAction::Mark(m) => Some(m.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn echo_returns_each_frame_once_and_nothing_after_stop() {
        let mut s = Session::new(Behaviour::Echo);
        assert!(s.on_event(start(ULAW), 0).is_empty());
        assert_eq!(
            s.on_event(audio(vec![1, 2], Some(1)), 0),
            vec![BotAction::Audio(vec![1, 2])]
        );
        assert!(s
            .on_event(CallEvent::Dtmf { digit: "1".into() }, 0)
            .is_empty());
        assert!(s.on_event(CallEvent::Other, 0).is_empty());
        assert_eq!(
            s.on_event(audio(vec![3], Some(2)), 0),
            vec![BotAction::Audio(vec![3])]
        );
        assert!(s.on_event(CallEvent::Stop, 0).is_empty());
        assert!(s.on_event(audio(vec![4], Some(3)), 0).is_empty());
    }

    #[test]
    fn echo_puts_numbered_frames_in_order() {
        let mut s = Session::new(Behaviour::Echo);
        let mut out = Vec::new();
        for chunk in [2, 1, 3, 4, 6, 5, 5, 2, 7] {
            out.extend(s.on_event(audio(vec![chunk as u8], Some(chunk)), 0));
        }
        let got: Vec<u8> = out
            .iter()
            .map(|a| match a {
                BotAction::Audio(f) => f[0],
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(got, [1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn echo_gives_up_a_gap_once_the_window_is_full() {
        let mut r = Reorder::default();
        assert_eq!(r.push(Some(1), vec![1]), vec![vec![1]]);
        for chunk in 3..=6 {
            assert!(r.push(Some(chunk), vec![chunk as u8]).is_empty());
        }
        // A fifth frame behind the missing 2: 2 is given up.
        assert_eq!(
            r.push(Some(7), vec![7]),
            vec![vec![3], vec![4], vec![5], vec![6], vec![7]]
        );
        assert!(r.push(Some(2), vec![2]).is_empty());
        assert_eq!(r.push(None, vec![9]), vec![vec![9]]);
    }

    #[test]
    fn turn_plays_the_prompt_when_the_caller_stops() {
        let mut s = Session::new(Behaviour::Turn);
        s.on_event(start(ULAW), 0);
        assert!(feed(&mut s, frames(ULAW, 1000, true), 0).is_empty());
        assert!(feed(&mut s, frames(ULAW, 380, false), 0).is_empty());
        let actions = feed(&mut s, frames(ULAW, 20, false), 0);
        let audio: Vec<&Vec<u8>> = actions
            .iter()
            .filter_map(|a| match a {
                BotAction::Audio(f) => Some(f),
                _ => None,
            })
            .collect();
        assert_eq!(audio.len(), 50);
        assert!(audio.iter().all(|f| f.len() == 160));
        assert_eq!(
            audio
                .iter()
                .flat_map(|f| f.iter().copied())
                .collect::<Vec<u8>>(),
            Codec::Pcmu.encode_vec(prompt()),
            "the sweep in µ-law"
        );
        assert_eq!(
            marks(&actions),
            [
                "prompt-1-1",
                "prompt-1-2",
                "prompt-1-3",
                "prompt-1-4",
                "prompt-1-end"
            ]
        );
        // Each mark follows its 200 ms of audio.
        assert_eq!(actions[10], BotAction::Mark("prompt-1-1".into()));
        assert_eq!(
            actions.last(),
            Some(&BotAction::Mark("prompt-1-end".into()))
        );
        assert!(s.playing(100));
    }

    #[test]
    fn talking_over_the_prompt_clears_it() {
        let mut s = Session::new(Behaviour::Turn);
        s.on_event(start(ULAW), 0);
        feed(&mut s, frames(ULAW, 500, true), 0);
        feed(&mut s, frames(ULAW, 400, false), 0);
        s.on_event(
            CallEvent::Mark {
                name: "prompt-1-1".into(),
            },
            300,
        );
        let actions = feed(&mut s, frames(ULAW, 60, true), 400);
        assert_eq!(actions, [BotAction::Clear]);
        assert!(!s.playing(400));
        // The utterance that interrupted is answered in turn.
        let actions = feed(&mut s, frames(ULAW, 400, false), 1000);
        assert_eq!(marks(&actions).last(), Some(&"prompt-2-end"));
    }

    #[test]
    fn a_prompt_whose_marks_all_returned_is_over() {
        let mut s = Session::new(Behaviour::Turn);
        s.on_event(start(ULAW), 0);
        feed(&mut s, frames(ULAW, 500, true), 0);
        let actions = feed(&mut s, frames(ULAW, 400, false), 0);
        for name in marks(&actions) {
            s.on_event(CallEvent::Mark { name: name.into() }, 1000);
        }
        assert!(feed(&mut s, frames(ULAW, 500, true), 1100).is_empty());
    }

    #[test]
    fn marks_that_never_return_stop_counting_after_the_grace() {
        let mut s = Session::new(Behaviour::Turn);
        s.on_event(start(ULAW), 0);
        feed(&mut s, frames(ULAW, 500, true), 0);
        feed(&mut s, frames(ULAW, 400, false), 0);
        assert!(s.playing(1000 + MARK_GRACE_MS - 1));
        assert!(!s.playing(1000 + MARK_GRACE_MS));
        assert!(feed(&mut s, frames(ULAW, 100, true), 5000).is_empty());
    }

    #[test]
    fn vonage_16_khz_gets_the_prompt_at_16_khz() {
        let l16 = Format::L16 { rate: 16000 };
        let mut s = Session::new(Behaviour::Turn);
        s.on_event(start(l16), 0);
        feed(&mut s, frames(l16, 500, true), 0);
        let actions = feed(&mut s, frames(l16, 400, false), 0);
        let audio: Vec<&Vec<u8>> = actions
            .iter()
            .filter_map(|a| match a {
                BotAction::Audio(f) => Some(f),
                _ => None,
            })
            .collect();
        assert_eq!(audio.len(), 50);
        assert!(audio.iter().all(|f| f.len() == 640));
    }

    #[test]
    fn turn_without_a_known_format_stays_quiet_and_nothing_follows_stop() {
        let mut s = Session::new(Behaviour::Turn);
        s.on_event(
            CallEvent::Start {
                stream: "s".into(),
                format: None,
            },
            0,
        );
        assert!(feed(&mut s, frames(ULAW, 1000, true), 0).is_empty());
        assert!(feed(&mut s, frames(ULAW, 1000, false), 0).is_empty());
        let mut s = Session::new(Behaviour::Turn);
        s.on_event(start(ULAW), 0);
        feed(&mut s, frames(ULAW, 500, true), 0);
        s.on_event(CallEvent::Stop, 0);
        assert!(feed(&mut s, frames(ULAW, 400, false), 0).is_empty());
    }
}
