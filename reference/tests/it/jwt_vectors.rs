//! Every JWT vector through the reference verifier: valid tokens accepted with
//! the expected claims, invalid ones refused with the labelled error,
//! acceptable ones either way.

use voxproof_reference::auth::vectors::{run_jwt_vectors, Verdict};

#[test]
fn reference_verifier_meets_every_jwt_vector() {
    let outcomes = run_jwt_vectors();
    let failures: Vec<String> = outcomes
        .iter()
        .filter(|o| o.verdict == Verdict::Fail)
        .map(|o| format!("{} tcId {}: {}", o.file, o.tc_id, o.detail))
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // The runner sees every test the typed loader sees.
    let files = voxproof_vectors::jwt();
    let acceptable: Vec<(&str, u32)> = files
        .iter()
        .flat_map(|(name, f)| {
            f.jwt_tests()
                .filter(|(_, t)| t.result == voxproof_vectors::Expected::Acceptable)
                .map(move |(_, t)| (*name, t.tc_id))
        })
        .collect();
    let total: usize = voxproof_vectors::jwt()
        .iter()
        .map(|(_, f)| f.number_of_tests)
        .sum();
    assert_eq!(outcomes.len(), total);
    assert!(total >= 300);

    // The reference takes the strict side of every choice the RFCs leave open.
    let accepted_acceptable: Vec<_> = outcomes
        .iter()
        .filter(|o| o.verdict == Verdict::Pass && o.detail == "accepted")
        .filter(|o| acceptable.contains(&(o.file.as_str(), o.tc_id)))
        .collect();
    assert!(accepted_acceptable.is_empty(), "{accepted_acceptable:?}");

    // The only skip is RFC 7515 A.5, alg none, which the reference refuses
    // to be configured for.
    let skipped: Vec<_> = outcomes
        .iter()
        .filter(|o| o.verdict == Verdict::Skip)
        .collect();
    assert!(
        skipped.iter().all(|o| o.file == "jwt/published.json"),
        "{skipped:?}"
    );
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].tc_id, 13, "{skipped:?}");
}

#[test]
fn error_codes_are_the_vocabulary_one_to_one() {
    use voxproof_reference::auth::AuthError as E;
    let all = [
        E::Malformed(String::new()),
        E::DuplicateName(String::new()),
        E::AlgNotAllowed(String::new()),
        E::UnsupportedCrit(String::new()),
        E::UnsupportedHeader(String::new()),
        E::UnknownKey,
        E::BadSignature,
        E::BadClaimType(String::new()),
        E::Expired,
        E::NotYetValid,
        E::WrongIssuer,
        E::WrongAudience,
        E::MissingClaim(String::new()),
    ];
    let codes: Vec<&str> = all.iter().map(|e| e.code()).collect();
    assert_eq!(codes, voxproof_vectors::jwt::ERRORS);
}

mod robustness {
    use proptest::prelude::*;
    use voxproof_reference::auth::{verify, Policy};

    const TOKEN: &str =
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.M3u8jbh6L5QQp3O5jGqJkuH7YlvKVtG3cI7B9Qgxz3Q";

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any text, and any one-byte change of a token, gets an answer,
        /// never a panic; and the answer depends on the inputs alone.
        #[test]
        fn never_panics(text in "\\PC{0,200}", pos in 0usize..90, byte in 0u8..128) {
            let policy = Policy::hmac(&[1u8; 32], &["HS256"]).unwrap();
            let first = verify(&text, &policy, 1_700_000_000);
            prop_assert_eq!(first, verify(&text, &policy, 1_700_000_000));
            let mut bytes = TOKEN.as_bytes().to_vec();
            let i = pos % bytes.len();
            bytes[i] = byte;
            if let Ok(mutated) = String::from_utf8(bytes) {
                let _ = verify(&mutated, &policy, 1_700_000_000);
            }
        }
    }
}
