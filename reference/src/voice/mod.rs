//! Voice rooms' pure core: routes, codecs, grants, mixing and room state,
//! with no I/O (docs/voice-protocol.md; the tasks are in `server::voice`).
//!
//! * [`protocol`] — routes, codec negotiation, frame size, control events.
//! * [`grant`] — which rooms a connection may enter ([`RoomGrant`]).
//! * [`mixer`] — the N−1 mix of one tick.
//! * [`jitter`] — the bounded per-participant buffer.
//! * [`policing`] — frames faster than real time: dropped, then closed.
//! * [`room`] — a room's state: joins, leaves, frames and ticks in; frames
//!   and events out.

pub mod grant;
pub mod jitter;
pub mod mixer;
pub mod policing;
pub mod protocol;
pub mod room;

pub use grant::{accept, GrantHook, RoomGrant};
use room::Buffering;

/// The voice settings of the server.
#[derive(Clone, Default)]
pub struct VoiceConfig {
    pub buffering: Buffering,
    /// None: every room is open to everybody.
    pub grant: Option<GrantHook>,
}

impl std::fmt::Debug for VoiceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoiceConfig")
            .field("buffering", &self.buffering)
            .field("grant", &self.grant.as_ref().map(|_| "hook"))
            .finish()
    }
}
