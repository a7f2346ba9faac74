//! A room's state as a pure machine, clocked from outside by `server::voice`
//! ([docs/voice-protocol.md](../../../docs/voice-protocol.md#6-timing)).

use super::jitter::Jitter;
use super::mixer::{mix, Voice};
use super::protocol::{codec_param, Event, Frame, Participant};
use crate::g711::Codec;

/// Jitter-buffer sizes, in frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buffering {
    /// Most frames held per participant (older ones are dropped).
    pub capacity: usize,
    /// Frames gathered before a participant is heard (after joining or an underrun).
    pub prefill: usize,
}

//= docs/voice-protocol.md#6-timing
//# Frames from a participant wait in a bounded jitter buffer between the
//# network and the clock: at most 25 frames (500 ms; when full, the oldest
//# is dropped, so latency stays bounded), and a participant is heard once
//# 3 frames (60 ms) have gathered, after joining or after its buffer ran
//# dry.
impl Default for Buffering {
    fn default() -> Self {
        // 500 ms at most; 60 ms of slack against arrival jitter.
        Buffering {
            capacity: 25,
            prefill: 3,
        }
    }
}

struct Member {
    id: String,
    codec: Codec,
    jitter: Jitter,
}

/// What the room sends to one participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Out {
    Audio(Frame),
    Event(Event),
}

/// The room's state.
pub struct Room {
    name: String,
    members: Vec<Member>,
    next_id: u64,
    buffering: Buffering,
}

impl Room {
    pub fn new(name: &str, buffering: Buffering) -> Room {
        Room {
            name: name.to_string(),
            members: Vec::new(),
            next_id: 1,
            buffering,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    fn participant(m: &Member) -> Participant {
        Participant {
            id: m.id.clone(),
            codec: codec_param(m.codec).into(),
        }
    }

    //= docs/voice-protocol.md#4-control-events
    //# Ids (`p1`, `p2`, …) are unique within a room while it exists; `codec`
    //# is `pcmu` or `pcma`.
    /// A participant joins: its id, and the events to send (to whom).
    pub fn join(&mut self, codec: Codec) -> (String, Vec<(String, Out)>) {
        let id = format!("p{}", self.next_id);
        self.next_id += 1;
        let b = self.buffering;
        self.members.push(Member {
            id: id.clone(),
            codec,
            jitter: Jitter::new(b.capacity, b.prefill),
        });
        let me = Self::participant(self.members.last().expect("just pushed"));
        let mut out: Vec<(String, Out)> = self
            .members
            .iter()
            .filter(|m| m.id != id)
            .map(|m| {
                let e = Event::Joined {
                    room: self.name.clone(),
                    participant: me.clone(),
                };
                (m.id.clone(), Out::Event(e))
            })
            .collect();
        let everybody = Event::Participants {
            room: self.name.clone(),
            you: id.clone(),
            participants: self.members.iter().map(Self::participant).collect(),
        };
        out.push((id.clone(), Out::Event(everybody)));
        (id, out)
    }

    /// A participant leaves: the events for those who remain.
    pub fn leave(&mut self, id: &str) -> Vec<(String, Out)> {
        let before = self.members.len();
        self.members.retain(|m| m.id != id);
        if self.members.len() == before {
            return Vec::new();
        }
        self.members
            .iter()
            .map(|m| {
                let e = Event::Left {
                    room: self.name.clone(),
                    participant: id.to_string(),
                };
                (m.id.clone(), Out::Event(e))
            })
            .collect()
    }

    /// A frame from participant `id`.
    pub fn push(&mut self, id: &str, frame: Frame) {
        if let Some(m) = self.members.iter_mut().find(|m| m.id == id) {
            m.jitter.push(frame);
        }
    }

    /// One 20 ms tick: a frame for every participant.
    pub fn tick(&mut self) -> Vec<(String, Frame)> {
        let frames: Vec<Option<Frame>> = self.members.iter_mut().map(|m| m.jitter.pop()).collect();
        let voices: Vec<Voice> = self
            .members
            .iter()
            .zip(&frames)
            .map(|(m, f)| Voice {
                codec: m.codec,
                frame: f.as_ref(),
            })
            .collect();
        let mixed = mix(&voices);
        self.members
            .iter()
            .map(|m| m.id.clone())
            .zip(mixed)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_on_join_and_leave() {
        let mut room = Room::new("r", Buffering::default());
        let (a, ev) = room.join(Codec::Pcmu);
        assert_eq!(ev.len(), 1);
        assert!(
            matches!(&ev[0].1, Out::Event(Event::Participants { you, participants, .. })
            if *you == a && participants.len() == 1)
        );
        let (b, ev) = room.join(Codec::Pcma);
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].0, a);
        assert!(
            matches!(&ev[0].1, Out::Event(Event::Joined { participant, .. })
            if participant.id == b && participant.codec == "pcma")
        );
        let ev = room.leave(&b);
        assert_eq!(ev.len(), 1);
        assert!(
            matches!(&ev[0].1, Out::Event(Event::Left { participant, .. }) if *participant == b)
        );
        assert!(room.leave(&b).is_empty());
    }

    #[test]
    fn ticks_forward_after_prefill_and_give_silence_otherwise() {
        let mut room = Room::new(
            "r",
            Buffering {
                capacity: 4,
                prefill: 2,
            },
        );
        let (a, _) = room.join(Codec::Pcmu);
        let (b, _) = room.join(Codec::Pcmu);
        room.push(&a, [1; 160]);
        let t = room.tick();
        assert_eq!(t, vec![(a.clone(), [0xFF; 160]), (b.clone(), [0xFF; 160])]);
        room.push(&a, [2; 160]);
        let t = room.tick();
        assert_eq!(t, vec![(a.clone(), [0xFF; 160]), (b.clone(), [1; 160])]);
        let t = room.tick();
        assert_eq!(t[1], (b, [2; 160]));
    }
}
