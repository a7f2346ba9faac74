//! The reference voice bot that telephony platforms stream calls to, as pure functions
//! ([docs/telephony.md](../../../docs/telephony.md#reference-bot)).

pub mod call;
pub mod media_stream;
pub mod session;
pub mod signature;
pub mod vad;
pub mod vonage;
pub mod wire;

pub use call::{Behaviour, BotAction, BotRoute, CallEvent, Format, Platform, WsMessage};
pub use session::Session;
pub use signature::TwilioAuth;
pub use wire::Wire;
