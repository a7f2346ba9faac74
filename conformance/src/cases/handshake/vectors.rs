//! One case per test of `vectors/handshake/server.json`: the id, the
//! requirement and the expectations are the vector's own.

use super::expect;
use crate::case::{from_vector, line_of, Case, Run};
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::verdict::Outcome;
use voxproof_vectors::ServerTest;

const FILE: &str = "vectors/handshake/server.json";

pub fn cases() -> Vec<Case> {
    voxproof_vectors::handshake_server()
        .tests()
        .map(|t| {
            let test = t.clone();
            from_vector(
                Case {
                    id: t.case.clone().into(),
                    title: t.comment.clone().into(),
                    rule: Rule::from_citation(&t.section, &t.requirement),
                    sends: format!(
                        "the request of handshake/server.json tcId {} ({})",
                        t.tc_id,
                        first_line(&t.request)
                    )
                    .into(),
                    expects: expect::describe(t).into(),
                    run: Run::with(move |ctx: &mut Ctx| run(ctx, &test)),
                    ..Case::BASE
                },
                FILE,
                line_of(voxproof_vectors::raw::HANDSHAKE_SERVER, &t.case),
                t.tc_id,
            )
        })
        .collect()
}

fn first_line(request: &str) -> &str {
    request.split("\r\n").next().unwrap_or_default()
}

fn run(ctx: &mut Ctx, test: &ServerTest) -> Outcome {
    let request = ctx.fill(&test.request);
    let mut conn = match ctx.connect() {
        Ok(c) => c,
        Err(o) => return o,
    };
    if let Err(e) = conn.send(&request) {
        return Outcome::failed(format!("the target stopped reading the request: {e}"));
    }
    let answer = conn.read_http_response();
    match offered_by_user(ctx, test, &request) {
        Some(p) => expect::judge(&with_offer(test, p), &answer),
        None => expect::judge(test, &answer),
    }
}

/// The subprotocol `--subprotocol` added to this vector's request, if it did.
fn offered_by_user<'t>(ctx: &'t Ctx, test: &ServerTest, sent: &[u8]) -> Option<&'t str> {
    let p = ctx.target.shape.subprotocol.as_deref()?;
    let line = format!("\r\nSec-WebSocket-Protocol: {p}\r\n");
    let added = !test
        .request
        .to_ascii_lowercase()
        .contains("sec-websocket-protocol")
        && sent.windows(line.len()).any(|w| w == line.as_bytes());
    added.then_some(p)
}

/// The vector's expectations once the suite offered `p` (RFC 6455 §4.2.2:
/// the server may select one offered subprotocol): a Sec-WebSocket-Protocol
/// the vector forbids (none was offered in it) may now be `p`, and only `p`.
fn with_offer(test: &ServerTest, p: &str) -> ServerTest {
    let mut test = test.clone();
    if let Some(u) = &mut test.upgrade {
        u.absent
            .retain(|name| !name.eq_ignore_ascii_case("Sec-WebSocket-Protocol"));
        u.protocol_one_of = Some(vec![p.to_string()]);
    }
    test
}
