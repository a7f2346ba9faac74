//! The framing engine: a case is a script of frames to send and the event
//! sequences that count as OK or NON-STRICT, plus the close it expects —
//! Autobahn's model ([docs/framing.md](../../../../../docs/framing.md#how-the-engine-is-laid-out)).
//!
//! * [`script`] — the model: steps, expectations, the shared fillers;
//! * [`judge`] — the verdict, a pure function of what was observed;
//! * [`session`] — the I/O: sending the steps, reading the target.

pub mod judge;
pub mod script;
pub mod session;

pub use judge::{judge, judge_close, Observation};
pub use script::{
    pattern, CloseExpect, Event, Expect, Pattern, Script, Step, BULK, MASK, MIN_WAIT, PATTERN_LEN,
};
pub use session::{run, GRACE, MAX_PAYLOAD};
