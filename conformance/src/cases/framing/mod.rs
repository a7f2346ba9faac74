//! Framing cases (`framing.*`): one file per Autobahn category, `extra` for the rest
//! ([docs/framing.md](../../../../docs/framing.md#where-the-cases-are)).

pub mod cat10_misc;
pub mod cat1_basic;
pub mod cat2_pingpong;
pub mod cat3_reserved;
pub mod cat4_opcodes;
pub mod cat5_fragmentation;
pub mod cat6_utf8;
pub mod cat6_utf8_data;
pub mod cat7_close;
pub mod cat9_limits;
pub mod engine;
pub mod extra;

use crate::case::{Case, Run};
use crate::wire::frame::{opcode, Frame};
use engine::{CloseExpect, Event, Expect, Script, Step};

/// Every framing case, in catalogue order.
pub fn cases() -> Vec<Case> {
    [
        cat1_basic::cases(),
        cat2_pingpong::cases(),
        cat3_reserved::cases(),
        cat4_opcodes::cases(),
        cat5_fragmentation::cases(),
        cat6_utf8::cases(),
        cat7_close::cases(),
        cat9_limits::cases(),
        cat10_misc::cases(),
        extra::cases(),
    ]
    .concat()
}

/// A case that runs this script.
pub fn script(steps: Vec<Step>, expect: Expect) -> Run {
    let script = Script { steps, expect };
    Run::with(move |ctx| engine::run(ctx, &script))
}

/// A case that runs the script `build` makes when the case runs, so large
/// payloads are not kept for the whole catalogue.
pub fn lazy(build: impl Fn() -> Script + Send + Sync + 'static) -> Run {
    Run::with(move |ctx| engine::run(ctx, &build()))
}

/// A frame with FIN set.
pub fn f(op: u8, payload: impl Into<Vec<u8>>) -> Frame {
    Frame::new(op, payload)
}

/// A frame with FIN clear.
pub fn frag(op: u8, payload: impl Into<Vec<u8>>) -> Frame {
    Frame::new(op, payload).fin(false)
}

/// A text frame with FIN set.
pub fn text(payload: impl Into<Vec<u8>>) -> Frame {
    f(opcode::TEXT, payload)
}

/// These events, then the suite's close answered with 1000.
pub fn echo_ok(events: Vec<Event>) -> Expect {
    Expect::ok(events, CloseExpect::normal())
}

/// No events: the target fails the connection with 1002.
pub fn must_fail() -> Expect {
    Expect::ok(vec![], CloseExpect::fail(1002))
}
