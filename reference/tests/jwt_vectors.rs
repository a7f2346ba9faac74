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
    let total: usize = voxproof_vectors::jwt()
        .iter()
        .map(|(_, f)| f.number_of_tests)
        .sum();
    assert_eq!(outcomes.len(), total);
    assert!(total >= 300);

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
