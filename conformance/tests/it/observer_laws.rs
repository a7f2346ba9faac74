//! Laws of the observer (`wire::observer`): a valid server frame sequence,
//! cut into reads at any points, yields the same events as fed whole — its
//! messages, pings, pongs and close, with no violation — and any bytes at
//! all yield the same events however they are cut; a masked frame or a bad
//! fragment is always reported with its rule.

use proptest::prelude::*;
use std::time::Instant;
use voxproof_conformance::wire::close_code;
use voxproof_conformance::wire::frame::{opcode, Frame};
use voxproof_conformance::wire::observer::{Event, Kind, Observer};

/// What a conforming server may send.
#[derive(Debug, Clone)]
enum Sent {
    /// A text message in fragments cut at these byte positions (code points may split).
    Text(String, Vec<usize>),
    Binary(Vec<u8>, Vec<usize>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
}

fn arb_sent() -> impl Strategy<Value = Sent> {
    let cuts = || prop::collection::vec(any::<usize>(), 0..4);
    let control = || prop::collection::vec(any::<u8>(), 0..=125);
    prop_oneof![
        (".{0,40}", cuts()).prop_map(|(s, c)| Sent::Text(s, c)),
        (prop::collection::vec(any::<u8>(), 0..300), cuts()).prop_map(|(b, c)| Sent::Binary(b, c)),
        control().prop_map(Sent::Ping),
        control().prop_map(Sent::Pong),
    ]
}

/// The frames of a message cut at `cuts`, a ping injected after the first fragment.
fn fragments(op: u8, payload: &[u8], cuts: &[usize], ping: &[u8]) -> Vec<Frame> {
    let mut at: Vec<usize> = cuts.iter().map(|c| c % (payload.len() + 1)).collect();
    at.sort_unstable();
    at.dedup();
    at.retain(|c| *c > 0 && *c < payload.len());
    let mut bounds = vec![0];
    bounds.extend(at);
    bounds.push(payload.len());
    let n = bounds.len() - 1;
    let mut out = Vec::new();
    for k in 0..n {
        let code = if k == 0 { op } else { opcode::CONTINUATION };
        out.push(Frame::new(code, payload[bounds[k]..bounds[k + 1]].to_vec()).fin(k + 1 == n));
        if k == 0 && n > 1 {
            out.push(Frame::new(opcode::PING, ping.to_vec()));
        }
    }
    out
}

/// The frames and the events they must yield.
fn script(sent: &[Sent], close: Option<u16>) -> (Vec<Frame>, Vec<Event>) {
    let (mut frames, mut events) = (Vec::new(), Vec::new());
    for s in sent {
        let (op, payload, cuts) = match s {
            Sent::Text(t, c) => (opcode::TEXT, t.as_bytes().to_vec(), c),
            Sent::Binary(b, c) => (opcode::BINARY, b.clone(), c),
            Sent::Ping(p) => {
                frames.push(Frame::new(opcode::PING, p.clone()));
                events.push(Event::Ping(p.clone()));
                continue;
            }
            Sent::Pong(p) => {
                frames.push(Frame::new(opcode::PONG, p.clone()));
                events.push(Event::Pong(p.clone()));
                continue;
            }
        };
        let fr = fragments(op, &payload, cuts, b"between");
        if fr.len() > 1 {
            events.push(Event::Ping(b"between".to_vec()));
        }
        frames.extend(fr);
        events.push(Event::Message {
            binary: op == opcode::BINARY,
            payload,
        });
    }
    if let Some(code) = close {
        frames.push(Frame::close(Some(code), "bye €".as_bytes()));
        events.push(Event::Close {
            code: Some(code),
            reason: "bye €".as_bytes().to_vec(),
        });
    }
    (frames, events)
}

/// Feed `bytes` in reads cut at `cuts`; the events that come out.
fn observe(bytes: &[u8], cuts: &[usize]) -> Vec<Event> {
    let mut at: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    at.sort_unstable();
    at.push(bytes.len());
    let mut o = Observer::new().with_max_payload(1 << 16);
    let now = Instant::now();
    let mut from = 0;
    for to in at {
        o.receive_data(&bytes[from..to], now);
        from = to;
    }
    std::iter::from_fn(|| o.poll_event().map(|e| e.event)).collect()
}

/// The kinds of violation among `events`, each checked to carry its
/// kind's rule (the reserved close codes cite §7.4.1's own sentence).
fn violations(events: &[Event]) -> Vec<Kind> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Violation(v) => {
                let reserved_code = v.kind == Kind::CloseCode && v.rule.section == "7.4.1";
                assert!(v.rule == v.kind.rule() || reserved_code, "{v:?}");
                Some(v.kind)
            }
            _ => None,
        })
        .collect()
}

fn arb_close() -> impl Strategy<Value = Option<u16>> {
    proptest::option::of(prop_oneof![
        Just(close_code::NORMAL),
        Just(close_code::PROTOCOL_ERROR),
        Just(close_code::INVALID_PAYLOAD),
        Just(close_code::POLICY_VIOLATION),
        Just(close_code::MESSAGE_TOO_BIG),
        3000u16..5000,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn valid_sequences_yield_their_events_in_any_cutting(
        sent in prop::collection::vec(arb_sent(), 0..6),
        close in arb_close(),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let (frames, want) = script(&sent, close);
        let bytes: Vec<u8> = frames.iter().flat_map(Frame::encode).collect();
        let whole = observe(&bytes, &[]);
        prop_assert_eq!(&whole, &want);
        prop_assert_eq!(observe(&bytes, &cuts), want.clone());
        // Decoded frames in give the same events as bytes in.
        let mut o = Observer::new();
        for f in frames {
            o.receive_frame(f, Instant::now());
        }
        let by_frame: Vec<Event> = std::iter::from_fn(|| o.poll_event().map(|e| e.event)).collect();
        prop_assert_eq!(by_frame, want);
    }

    #[test]
    fn any_bytes_yield_the_same_events_in_any_cutting(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let whole = observe(&bytes, &[]);
        violations(&whole);
        prop_assert_eq!(observe(&bytes, &cuts), whole);
    }

    #[test]
    fn a_masked_frame_is_always_reported(
        sent in prop::collection::vec(arb_sent(), 1..4),
        which in any::<usize>(),
        key in any::<[u8; 4]>(),
    ) {
        let (mut frames, _) = script(&sent, None);
        let k = which % frames.len();
        frames[k].mask = Some(key);
        let bytes: Vec<u8> = frames.iter().flat_map(Frame::encode).collect();
        prop_assert_eq!(violations(&observe(&bytes, &[])), vec![Kind::Masked]);
    }

    #[test]
    fn a_dropped_first_fragment_is_a_continuation_without_start(
        text in ".{2,40}",
        cuts in prop::collection::vec(any::<usize>(), 1..4),
    ) {
        let frames = fragments(opcode::TEXT, text.as_bytes(), &cuts, b"p");
        prop_assume!(frames.len() > 2);
        let bytes: Vec<u8> = frames[1..].iter().flat_map(Frame::encode).collect();
        let got = violations(&observe(&bytes, &[]));
        prop_assert!(got.iter().all(|k| *k == Kind::ContinuationWithoutStart), "{:?}", got);
        prop_assert!(!got.is_empty());
    }
}
