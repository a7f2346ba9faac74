//! Voice cases (`voice.*`): the voice protocol, checked over real rooms
//! ([docs/voice-protocol.md](../../../../docs/voice-protocol.md#running-the-voice-cases)).

pub mod codec;
pub mod echo;
pub mod expect;
pub mod frames;
pub mod room;
pub mod scope;
pub mod session;
pub mod timing;

use crate::case::{Case, Run};
use crate::ctx::Ctx;
use crate::target::{GrantedRoom, Target, VoiceService};
use crate::verdict::Outcome;
use std::time::Duration;

/// The protocol the cases check.
pub const DOC: &str = "docs/voice-protocol.md";

/// Paced audio takes real time (up to ~2.5 s); the run's --timeout-ms
/// applies when it is longer.
pub const PACED: Option<Duration> = Some(Duration::from_secs(8));

/// A voice case's run: UNIMPLEMENTED unless the target serves the voice protocol.
pub fn voice(run: fn(&mut Ctx) -> Outcome) -> Run {
    Run::with(move |ctx: &mut Ctx| {
        if ctx.target.voice.is_none() {
            return Outcome::unimplemented(
                "pass --profile voice, for a target serving docs/voice-protocol.md \
                 on the same host and port",
            );
        }
        run(ctx)
    })
}

pub fn cases() -> Vec<Case> {
    let mut all = codec::cases();
    all.extend(frames::cases());
    all.extend(echo::cases());
    all.extend(room::cases());
    all.extend(timing::cases());
    all.extend(scope::cases());
    all
}

/// Apply the command line's voice settings to a target: `--profile voice`
/// turns the cases on, `--voice-grant ROOM:TOKEN` gives the scope case a
/// token. The error is one line for the CLI.
pub fn configure(
    target: &mut Target,
    profiles: &[String],
    grant: Option<&str>,
) -> Result<(), String> {
    if profiles.iter().any(|p| p == "voice") && target.voice.is_none() {
        target.voice = Some(VoiceService::default());
    }
    if let Some(g) = grant {
        let (room, token) = g
            .split_once(':')
            .filter(|(r, t)| !r.is_empty() && !t.is_empty())
            .ok_or_else(|| format!("--voice-grant \"{g}\": ROOM:TOKEN expected"))?;
        let Some(voice) = target.voice.as_mut() else {
            return Err("--voice-grant needs --profile voice".into());
        };
        voice.grant = Some(GrantedRoom {
            room: room.into(),
            token: token.into(),
        });
    }
    Ok(())
}
