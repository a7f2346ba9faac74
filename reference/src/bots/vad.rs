//! Energy voice-activity detection over 20 ms frames, with a start count and a hangover
//! ([docs/telephony.md](../../../docs/telephony.md#reference-bot)).

/// When a frame counts as voice, and how many frames decide a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VadConfig {
    /// A frame whose RMS level reaches this is loud. 500 is about −36 dBFS:
    /// above line noise and G.711's idle codes, below quiet speech.
    pub threshold: i16,
    /// Consecutive loud frames that start speech (a click is not a word).
    pub start_frames: u32,
    /// Consecutive quiet frames that end it: the pauses between words in
    /// the speech fixture last up to 300 ms, so 400 ms keeps an utterance whole.
    pub hangover_frames: u32,
}

impl Default for VadConfig {
    fn default() -> Self {
        VadConfig {
            threshold: 500,
            start_frames: 3,
            hangover_frames: 20,
        }
    }
}

/// A change of state, reported on the frame that decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VadEvent {
    SpeechStart,
    SpeechEnd,
}

/// The detector: feed it frames in order.
#[derive(Debug, Clone)]
pub struct Vad {
    config: VadConfig,
    speaking: bool,
    /// Consecutive frames that argue for a change.
    run: u32,
}

/// Whether the frame's mean square reaches the threshold's square (integer
/// arithmetic: no rounding decides a frame). An empty frame is quiet.
pub fn is_loud(frame: &[i16], threshold: i16) -> bool {
    let energy: u64 = frame
        .iter()
        .map(|&s| (i64::from(s) * i64::from(s)) as u64)
        .sum();
    let t = u64::from(threshold.unsigned_abs());
    !frame.is_empty() && energy >= t * t * frame.len() as u64
}

impl Vad {
    pub fn new(config: VadConfig) -> Vad {
        Vad {
            config,
            speaking: false,
            run: 0,
        }
    }

    pub fn speaking(&self) -> bool {
        self.speaking
    }

    pub fn push(&mut self, frame: &[i16]) -> Option<VadEvent> {
        let loud = is_loud(frame, self.config.threshold);
        // While speaking, quiet frames count toward the end; while not,
        // loud frames toward the start. A frame of the other kind resets.
        if loud == self.speaking {
            self.run = 0;
            return None;
        }
        self.run += 1;
        let needed = if self.speaking {
            self.config.hangover_frames
        } else {
            self.config.start_frames
        };
        if self.run < needed.max(1) {
            return None;
        }
        self.run = 0;
        self.speaking = !self.speaking;
        Some(if self.speaking {
            VadEvent::SpeechStart
        } else {
            VadEvent::SpeechEnd
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const N: usize = 160;

    fn events(frames: &[Vec<i16>]) -> Vec<(usize, VadEvent)> {
        let mut vad = Vad::new(VadConfig::default());
        frames
            .iter()
            .enumerate()
            .filter_map(|(i, f)| vad.push(f).map(|e| (i, e)))
            .collect()
    }

    fn tone(amplitude: i16) -> Vec<i16> {
        // A square wave: every sample at ±amplitude.
        (0..N)
            .map(|i| if i % 8 < 4 { amplitude } else { -amplitude })
            .collect()
    }

    #[test]
    fn one_utterance_of_the_speech_fixture() {
        let wav = include_bytes!("../../../vectors/g711/wav/speech.pcm16.wav");
        let mut samples = crate::g711::wav::read(wav).unwrap().to_linear();
        samples.resize(samples.len() + 8000, 0);
        let frames: Vec<Vec<i16>> = samples.chunks(N).map(<[i16]>::to_vec).collect();
        let got = events(&frames);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0], (2, VadEvent::SpeechStart));
        // The last loud frame is 119; the 20th quiet one after it ends speech.
        assert_eq!(got[1], (139, VadEvent::SpeechEnd));
    }

    #[test]
    fn hangover_bridges_short_pauses() {
        let mut frames = vec![tone(4000); 5];
        frames.extend(vec![vec![0; N]; 19]);
        frames.extend(vec![tone(4000); 1]);
        frames.extend(vec![vec![0; N]; 20]);
        assert_eq!(
            events(&frames),
            vec![(2, VadEvent::SpeechStart), (44, VadEvent::SpeechEnd)]
        );
    }

    #[test]
    fn loudness_is_the_rms_level() {
        assert!(is_loud(&[500, -500], 500));
        assert!(!is_loud(&[499, -500], 500));
        assert!(is_loud(&[i16::MIN; 4], i16::MAX));
        assert!(!is_loud(&[], 0));
    }

    fn frame() -> impl Strategy<Value = Vec<i16>> {
        prop::collection::vec(-32767i16..=32767, N)
    }

    proptest! {
        #[test]
        fn silence_never_triggers(frames in prop::collection::vec(
            prop::collection::vec(-499i16..=499, N), 0..60)) {
            prop_assert!(events(&frames).is_empty());
        }

        #[test]
        fn a_loud_tone_starts_speech_on_its_third_frame(
            amplitude in 500i16..=32767,
            quiet in prop::collection::vec(prop::collection::vec(-499i16..=499, N), 0..30),
        ) {
            let mut frames = quiet.clone();
            frames.extend(vec![tone(amplitude); 3]);
            prop_assert_eq!(events(&frames), vec![(quiet.len() + 2, VadEvent::SpeechStart)]);
        }

        #[test]
        fn decisions_ignore_sign_and_sample_order(frames in prop::collection::vec(frame(), 0..40)) {
            let negated: Vec<Vec<i16>> =
                frames.iter().map(|f| f.iter().map(|s| -s).collect()).collect();
            let reversed: Vec<Vec<i16>> =
                frames.iter().map(|f| f.iter().rev().copied().collect()).collect();
            prop_assert_eq!(events(&negated), events(&frames));
            prop_assert_eq!(events(&reversed), events(&frames));
        }

        #[test]
        fn events_alternate_from_a_start(
            loud in prop::collection::vec(any::<bool>(), 0..200),
        ) {
            let frames: Vec<Vec<i16>> =
                loud.iter().map(|&l| if l { tone(3000) } else { vec![0; N] }).collect();
            let got = events(&frames);
            for (k, (_, e)) in got.iter().enumerate() {
                let want = if k % 2 == 0 { VadEvent::SpeechStart } else { VadEvent::SpeechEnd };
                prop_assert_eq!(*e, want);
            }
        }

        #[test]
        fn speech_ends_exactly_after_the_hangover(talk in 3usize..50, quiet in 0usize..40) {
            let mut frames = vec![tone(3000); talk];
            frames.extend(vec![vec![0; N]; quiet]);
            let ended = events(&frames).iter().any(|(_, e)| *e == VadEvent::SpeechEnd);
            prop_assert_eq!(ended, quiet >= 20);
        }
    }
}
