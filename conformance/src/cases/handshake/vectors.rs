//! One case per test of `vectors/handshake/server.json`.

use super::expect;
use crate::case::{Case, Ctx};
use crate::verdict::Outcome;
use std::sync::Arc;
use voxproof_vectors::ServerTest;

pub fn cases() -> Vec<Case> {
    voxproof_vectors::handshake_server()
        .tests()
        .map(|t| {
            let test = t.clone();
            Case {
                id: t.case.clone(),
                title: t.comment.clone(),
                section: t.section.clone(),
                requirement: t.requirement.clone(),
                sends: format!(
                    "the request of handshake/server.json tcId {} ({})",
                    t.tc_id,
                    first_line(&t.request)
                ),
                expects: expect::describe(t),
                autobahn: None,
                min_timeout: None,
                origin: format!("vectors/handshake/server.json tcId {}", t.tc_id),
                run: Arc::new(move |ctx: &mut Ctx| run(ctx, &test)),
            }
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
    expect::judge(test, &conn.read_http_response())
}
