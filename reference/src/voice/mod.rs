//! Voice rooms' pure core: routes, codecs, grants, mixing and room state
//! ([docs/README.md](../../../docs/README.md#layout)).

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
