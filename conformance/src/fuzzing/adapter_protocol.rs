//! Fuzz target `adapter_protocol`: arbitrary answer lines to the adapter protocol's parser and judge
//! ([fuzz/README.md](../../../fuzz/README.md#adapter_protocol)).

use crate::adapter::protocol::{
    decide, lone_surrogates_replaced, parse_answer, parse_hello, Answer, Probe,
};
use crate::adapter::{corpus, generated, Corpus};
use crate::verdict::Verdict;
use std::sync::OnceLock;

/// One probe per kind of expectation: the first vector of each corpus (and
/// of the handshake's client side and the G.711 decode and transcode), and
/// a generated frame input.
pub fn probes() -> &'static [Probe] {
    static PROBES: OnceLock<Vec<Probe>> = OnceLock::new();
    PROBES.get_or_init(|| {
        let mut out = Vec::new();
        for c in [
            Corpus::Accept,
            Corpus::Handshake,
            Corpus::Frames,
            Corpus::Jwt,
            Corpus::G711,
        ] {
            let all = corpus::probes(c);
            let mut seen = Vec::new();
            for p in all {
                if !seen.contains(&p.op) {
                    seen.push(p.op);
                    out.push(p);
                }
            }
        }
        out.extend(generated::probes(Corpus::Frames, 1, 4));
        out
    })
}

/// The input: one byte choosing the probe, then the answer line (any bytes,
/// read as UTF-8 with replacement, as the runner reads a line).
pub fn run(data: &[u8]) {
    let Some((&pick, line)) = data.split_first() else {
        return;
    };
    let probes = probes();
    let probe = &probes[usize::from(pick) % probes.len()];
    let line = String::from_utf8_lossy(line);
    let id = 1;
    let outcome = decide(probe, id, Ok(&line));
    // 1. Whatever the line, a verdict with a one-line detail.
    assert!(
        !outcome.detail.contains(['\n', '\r']),
        "detail on several lines: {:?}",
        outcome.detail
    );
    // 2. The verdict follows from what the parser made of the line.
    match parse_answer(&line, id) {
        Err(_) => assert_eq!(outcome.verdict, Verdict::Error),
        Ok(Answer::Unsupported(_)) => assert_eq!(outcome.verdict, Verdict::Unimplemented),
        Ok(Answer::Failed(_)) => assert_eq!(outcome.verdict, Verdict::Error),
        Ok(Answer::Fields(_)) => assert_ne!(outcome.verdict, Verdict::Informational),
    }
    // 3. Deterministic.
    assert_eq!(decide(probe, id, Ok(&line)), outcome);
    // 4. Another id is never this answer.
    if outcome.verdict != Verdict::Error {
        assert_eq!(decide(probe, id + 1, Ok(&line)).verdict, Verdict::Error);
    }
    // 5. Surrogate repair is idempotent, and a line without `\u` is kept.
    let once = lone_surrogates_replaced(&line).into_owned();
    assert_eq!(lone_surrogates_replaced(&once), once.as_str());
    if !line.contains("\\u") {
        assert_eq!(once, line);
    }
    // 6. The same line as a hello answer is read or refused, never a panic.
    let _ = parse_hello(&line);
}

/// Seeds: the reference's answer to each probe, and answers that are not.
pub fn seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (i, p) in probes().iter().enumerate() {
        let request = crate::adapter::protocol::request_line(1, p);
        let answer = crate::adapter::reference::answer_line(&request);
        for line in [
            answer.as_str(),
            r#"{"id":1,"error":"unsupported"}"#,
            r#"{"id":1,"error":"crashed","detail":"x"}"#,
            r#"{"id":1,"result":"valid","claims":{"s":"\ud800"}}"#,
            "not JSON",
        ] {
            let mut seed = vec![i as u8];
            seed.extend_from_slice(line.as_bytes());
            out.push(seed);
        }
    }
    out
}
