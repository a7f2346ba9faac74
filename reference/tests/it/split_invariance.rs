//! The handshake parsers give the same answer however the bytes are split
//! across reads.

use proptest::prelude::*;
use voxproof_reference::handshake::client::{validate_response, ClientRequest, ResponseParse};
use voxproof_reference::handshake::{parse_request, Limits, Parsed};
use voxproof_vectors::{EXAMPLE_HOST, EXAMPLE_PATH};

/// Feed growing prefixes, as a server does read after read, and stop at the
/// first answer that is not `Partial`.
fn incremental<T: PartialEq + std::fmt::Debug, E>(
    bytes: &[u8],
    cuts: &[usize],
    parse: impl Fn(&[u8]) -> Result<T, E>,
    is_partial: impl Fn(&T) -> bool,
) -> Option<Result<T, E>> {
    let mut ends: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    ends.push(bytes.len());
    ends.sort_unstable();
    for end in ends {
        let r = parse(&bytes[..end]);
        match &r {
            Ok(t) if is_partial(t) => continue,
            _ => return Some(r),
        }
    }
    None
}

fn requests() -> Vec<Vec<u8>> {
    let mut all: Vec<Vec<u8>> = voxproof_vectors::handshake_server()
        .tests()
        .map(|t| t.request_for(EXAMPLE_HOST, EXAMPLE_PATH))
        .collect();
    // One over the limits, so the 431 path is split too.
    let mut big = all[0].clone();
    big.truncate(big.len() - 2);
    big.extend(std::iter::repeat_n(b'a', 20_000));
    big.extend_from_slice(b"\r\n\r\n");
    all.push(big);
    all
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn request_parse_is_split_invariant(which in any::<prop::sample::Index>(), cuts in prop::collection::vec(any::<usize>(), 0..8), trailing in prop::collection::vec(any::<u8>(), 0..16)) {
        let reqs = requests();
        let mut bytes = reqs[which.index(reqs.len())].clone();
        // Bytes after the request (the client's first frames) must not change the answer.
        bytes.extend_from_slice(&trailing);
        let limits = Limits::default();
        let whole = parse_request(&bytes, &limits);
        let split = incremental(&bytes, &cuts, |b| parse_request(b, &limits), |p| *p == Parsed::Partial);
        prop_assert_eq!(Some(whole), split);
    }

    #[test]
    fn response_validation_is_split_invariant(which in any::<prop::sample::Index>(), cuts in prop::collection::vec(any::<usize>(), 0..8)) {
        let tests: Vec<_> = voxproof_vectors::handshake_client().tests().cloned().collect();
        let t = &tests[which.index(tests.len())];
        let mut req = ClientRequest::new(EXAMPLE_HOST, EXAMPLE_PATH, &t.key);
        req.protocols = t.protocols.clone();
        req.extensions = t.extensions.clone();
        let bytes = voxproof_vectors::octets(&t.response);
        let whole = validate_response(&bytes, &req);
        let split = incremental(&bytes, &cuts, |b| validate_response(b, &req), |p| *p == ResponseParse::Partial);
        prop_assert_eq!(Some(whole), split);
    }
}
