//! Cases the suite runs as a server against a WebSocket client (`client.*`), on connections the
//! client opens to `voxproof serve` ([docs/clients.md](../../../../docs/clients.md)).

pub mod framing;
pub mod handshake;

use crate::case::Case;
use crate::ctx::Ctx;
use crate::target::Accepted;
use crate::verdict::Outcome;

/// Every client case, in the order `voxproof serve` numbers them: the
/// framing cases in Autobahn's order (so a harness's case numbers and
/// exclusions mean the same cases), then the opening-handshake cases.
pub fn cases() -> Vec<Case> {
    let mut all = framing::cases();
    all.extend(handshake::cases());
    all
}

/// The connection the client opened for this case; a client case run
/// outside `voxproof serve` has none.
pub fn accepted(ctx: &mut Ctx) -> Result<Accepted, Outcome> {
    ctx.accepted
        .take()
        .ok_or_else(|| Outcome::unimplemented("a client case runs under voxproof serve"))
}
