//! `jwt/algorithms.json`: the same claims under every algorithm jsonwebtoken
//! and RFC 7518 share, each with the usual ways a signature goes wrong.

use super::crypto::from_jwk;
use super::*;

const CLAIMS: &str = r#"{"iss":"voxproof","sub":"alice","iat":1699999940,"exp":1700003600}"#;
const OTHER_CLAIMS: &str =
    r#"{"iss":"voxproof","sub":"mallory","iat":1699999940,"exp":1700003600}"#;

pub fn build() -> Envelope<JwtGroup> {
    let mut t = Tests::default();
    let mut groups = Vec::new();
    // (alg, signing key, another key of the same type, a sibling algorithm
    // for the same key that the group does not allow)
    let rsa_other = super::published::key_7520_rsa();
    let cases: Vec<(&str, Value, Value, &str)> = vec![
        ("HS256", key_a1(), attacker_hmac(), "HS384"),
        ("HS384", key_a1(), attacker_hmac(), "HS512"),
        ("HS512", key_a1(), attacker_hmac(), "HS256"),
        ("RS256", key_a2(), rsa_other.clone(), "RS384"),
        ("RS384", key_a2(), rsa_other.clone(), "RS512"),
        ("RS512", key_a2(), rsa_other.clone(), "PS512"),
        ("PS256", key_a2(), rsa_other.clone(), "RS256"),
        ("PS384", key_a2(), rsa_other.clone(), "PS256"),
        ("PS512", key_a2(), rsa_other, "PS384"),
        ("ES256", key_a3(), attacker_p256(), "ES256K"),
        ("ES384", key_p384(), attacker_p384(), "ES512"),
        ("EdDSA", key_ed25519(), attacker_ed25519(), "Ed25519"),
    ];
    for (alg, jwk, other, sibling) in cases {
        let key = from_jwk(&jwk);
        let header = format!(r#"{{"alg":"{alg}"}}"#);
        let good = token(&header, CLAIMS, alg, &key);
        let typed = token(
            &format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#),
            CLAIMS,
            alg,
            &key,
        );
        let sig = sig_of(&good);
        let truncated = with_sig(&good, &b64u(&sig[..sig.len() - 1]));
        let mut longer = sig.clone();
        longer.push(0);
        let longer = with_sig(&good, &b64u(&longer));
        let parts: Vec<&str> = good.split('.').collect();
        let header_swapped = format!(
            "{}.{}.{}",
            b64u(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#).as_bytes()),
            parts[1],
            parts[2]
        );
        let wrong_key = token(&header, CLAIMS, alg, &from_jwk(&other));
        // A correctly formed token under an algorithm the group does not
        // list; its signature is over the right input with the sibling
        // algorithm where the generator can make one.
        let sibling_header = format!(r#"{{"alg":"{sibling}"}}"#);
        let sibling_token = match sibling {
            "ES256K" | "ES512" | "Ed25519" => {
                signed(&b64u(sibling_header.as_bytes()), parts[1], alg, &key)
            }
            s => token(&sibling_header, CLAIMS, s, &key),
        };
        groups.push(group(
            JWT,
            &format!("{alg}: a valid token and its corruptions"),
            jwk.clone(),
            None,
            &[alg],
            Some(at_now()),
            vec![
                t.valid(format!("{alg}: valid token"), good.clone(), &["Valid"]),
                t.valid(
                    format!("{alg}: valid token with typ JWT"),
                    typed,
                    &["Valid"],
                ),
                t.invalid(
                    format!("{alg}: one signature bit flipped"),
                    flip_sig(&good),
                    "bad-signature",
                    &["ModifiedSignature"],
                ),
                t.invalid(
                    format!("{alg}: payload changed (sub), signature kept"),
                    with_payload(&good, OTHER_CLAIMS),
                    "bad-signature",
                    &["ModifiedPayload"],
                ),
                t.invalid(
                    format!("{alg}: header changed (typ added), signature kept"),
                    header_swapped,
                    "bad-signature",
                    &["ModifiedHeader"],
                ),
                t.invalid(
                    format!("{alg}: signature missing its last byte"),
                    truncated,
                    "bad-signature",
                    &["TruncatedSignature"],
                ),
                t.invalid(
                    format!("{alg}: signature with a zero byte appended"),
                    longer,
                    "bad-signature",
                    &["ExtendedSignature"],
                ),
                t.invalid(
                    format!("{alg}: empty signature"),
                    with_sig(&good, ""),
                    "bad-signature",
                    &["EmptySignature"],
                ),
                t.invalid(
                    format!("{alg}: signed with another {alg} key"),
                    wrong_key,
                    "bad-signature",
                    &["WrongKey"],
                ),
                t.invalid(
                    format!("{alg}: alg {sibling}, which the verifier is not configured for"),
                    sibling_token,
                    "alg-not-allowed",
                    &["AlgNotAllowed"],
                ),
            ],
        ));
    }
    envelope(
        "jwt-algorithms",
        &[
            "One Claims Set signed under each of HS256/384/512, RS256/384/512, PS256/384/512 (RFC 7518 §3.2–3.5), ES256, ES384 and EdDSA (RFC 8037), with the keys of RFC 7515 A.1–A.3 and RFC 8037 A.1 and a P-384 key derived from a fixed label; tokens are signed by vectors/generator/src/jwt with the RustCrypto crates.",
            "Each valid token is followed by corrupted copies that RFC 7515 §5.2 requires a verifier to reject.",
        ],
        notes(&[
            ("Valid", "A correctly signed token whose claims pass validation."),
            ("ModifiedSignature", "One bit of the signature changed."),
            ("ModifiedPayload", "The payload segment replaced, signature kept."),
            ("ModifiedHeader", "The protected header replaced (a member added), signature kept: the header is part of the signing input (RFC 7515 §5.1 step 5)."),
            ("TruncatedSignature", "The signature one byte short."),
            ("ExtendedSignature", "The signature with one byte appended."),
            ("EmptySignature", "The signature segment empty."),
            ("WrongKey", "Signed with a different key of the same type."),
            ("AlgNotAllowed", "An alg outside the group's algorithms: the verifier's configuration, never the token, decides the algorithm (RFC 8725 §3.1)."),
        ]),
        groups,
    )
}
