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

    // Skips are only the algorithms jsonwebtoken lacks (ES512, none).
    let skipped: Vec<_> = outcomes
        .iter()
        .filter(|o| o.verdict == Verdict::Skip)
        .collect();
    assert!(
        skipped.iter().all(|o| o.file == "jwt/published.json"),
        "{skipped:?}"
    );
    assert_eq!(skipped.len(), 5, "{skipped:?}");
}
