//! docs/voice-protocol.md §9: a token's `rooms` claim limits the rooms.

use super::codec::judge_refusal;
use super::session::{ask, room_resource, Party};
use super::{voice, PACED};
use crate::case::{case, Case};
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::verdict::Outcome;
use voxproof_vectors::g711::Law;

pub fn cases() -> Vec<Case> {
    vec![case(Case {
        id: "voice.scope.room-not-granted".into(),
        title: "A token's rooms claim admits its room and refuses others with 403".into(),
        rule: Rule::new("voice-protocol", "9", "When an authorization layer is configured, a token's `rooms` claim (`\"*\"` or an array \
of room names) limits the rooms a client may join; a request for any other room is refused with 403 \
(Forbidden) before the upgrade."),
                sends: "with `Authorization: Bearer TOKEN` from --voice-grant ROOM:TOKEN: a handshake for \
                /rooms/ROOM?codec=pcmu, then one for a room the token does not name".into(),
        expects: "101 for ROOM; 403 for the other (UNIMPLEMENTED without --voice-grant)".into(),
        min_timeout: PACED,
        run: voice(scope),
        ..Case::BASE
    })]
}

fn scope(ctx: &mut Ctx) -> Outcome {
    let prefix = ctx
        .target
        .voice
        .as_ref()
        .map(|v| v.scope_prefix.clone())
        .unwrap_or_default();
    let Some(grant) = ctx.target.voice.as_ref().and_then(|v| v.grant.clone()) else {
        return Outcome::unimplemented(
            "pass --voice-grant ROOM:TOKEN, a token whose rooms claim the suite knows",
        );
    };
    let bearer = format!("Bearer {}", grant.token);
    let headers = [("Authorization", bearer.as_str())];
    match Party::join_with(
        ctx,
        &format!("{prefix}{}", room_resource(&grant.room, Law::Pcmu)),
        Law::Pcmu,
        &headers,
    ) {
        Ok(p) => p.leave(),
        Err(o) => return Outcome::failed(format!("the granted room was refused: {}", o.detail)),
    }
    // A valid room name that is not the granted one.
    let other = if grant.room == "voxproof-not-granted" {
        "voxproof-not-granted-2"
    } else {
        "voxproof-not-granted"
    };
    let resource = format!("{prefix}{}", room_resource(other, Law::Pcmu));
    match ask(ctx, &resource, &headers) {
        Ok((_conn, answer)) => judge_refusal(&answer, 403, &resource),
        Err(o) => o,
    }
}
