//! The framing engine: a case's script, the verdict on what came back, and the I/O between
//! ([docs/framing.md](../../../../../docs/framing.md#how-the-engine-is-laid-out)).

pub mod judge;
pub mod script;
pub mod session;

pub use judge::{judge, judge_close, Observation};
pub use script::{
    pattern, CloseExpect, Event, Expect, Pattern, Script, Step, BULK, MASK, MIN_WAIT, PATTERN_LEN,
};
pub use session::{observe, run, GRACE, MAX_PAYLOAD};
