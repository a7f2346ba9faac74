//! RFC 8725 §3.1 cases: the algorithm is the verifier's, never the token's
//! ([docs/auth.md](../../../../docs/auth.md#the-auth-cases)).

use super::exchange::{minted, refuse, refuse_form, Attempt, REFUSED, REFUSED_FORM};
use super::mint;
use crate::case::{case, Case};
use crate::rule::Rule;
use crate::target::{AuthSettings, Key};
use crate::verdict::Outcome;
use serde_json::{json, Value};

const ALGORITHMS: Rule = Rule::new(
    "RFC 8725",
    "3.1",
    "Libraries MUST enable the caller to specify a supported set of algorithms and MUST NOT use \
any other algorithms when performing cryptographic operations.",
);

const ONE_ALGORITHM: Rule = Rule::new(
    "RFC 8725",
    "3.1",
    "The library MUST ensure that the \"alg\" or \"enc\" header specifies the same \
algorithm that is used for the cryptographic operation.  Moreover, each key MUST be used with exactly one algorithm, \
and this MUST be checked when the cryptographic operation is performed.",
);

/// Why accepting the configured key under a sibling algorithm is NON-STRICT.
const OTHER_ALG_WHY: &str = "only the holder of the configured key can sign it (HS512 with the HS256 secret, \
RS512 with the RS256 private key), so no forged token gets in; but the verifier lets the token choose among \
algorithms, which RFC 8725 §3.1 forbids";

pub fn cases() -> Vec<Case> {
    vec![
        case(Case {
            id: "auth.8725.hs-rs-confusion".into(),
            title: "HS256 keyed with the public key PEM is refused".into(),
            rule: ALGORITHMS,
            sends: "a token with alg HS256 MACed with the target's public key PEM bytes (asymmetric keys only)".into(),
            expects: REFUSED.into(),
            run: refuse(confusion),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.8725.other-alg-same-key".into(),
            title: "A token signed by the right key under another algorithm is refused".into(),
            rule: ONE_ALGORITHM,
            sends: "a token signed with the configured key under a sibling algorithm (HS256→HS512, RS256→RS512, …)".into(),
            expects: REFUSED_FORM.into(),
            run: refuse_form(other_alg, OTHER_ALG_WHY),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.8725.alg-none-lower-unsigned".into(),
            title: "alg \"none\" with an empty signature is refused".into(),
            rule: ALGORITHMS,
            sends: "a token with header alg \"none\" and an empty signature segment".into(),
            expects: REFUSED.into(),
            run: refuse(|s, now| alg_none(s, now, "none", "")),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.8725.alg-none-lower-signed".into(),
            title: "alg \"none\" with a non-empty signature is refused".into(),
            rule: ALGORITHMS,
            sends: "a token with header alg \"none\" and a junk signature segment".into(),
            expects: REFUSED.into(),
            run: refuse(|s, now| alg_none(s, now, "none", JUNK_SIGNATURE)),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.8725.alg-none-capital-unsigned".into(),
            title: "alg \"None\" with an empty signature is refused".into(),
            rule: ALGORITHMS,
            sends: "a token with header alg \"None\" and an empty signature segment".into(),
            expects: REFUSED.into(),
            run: refuse(|s, now| alg_none(s, now, "None", "")),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.8725.alg-none-capital-signed".into(),
            title: "alg \"None\" with a non-empty signature is refused".into(),
            rule: ALGORITHMS,
            sends: "a token with header alg \"None\" and a junk signature segment".into(),
            expects: REFUSED.into(),
            run: refuse(|s, now| alg_none(s, now, "None", JUNK_SIGNATURE)),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.8725.alg-none-upper-unsigned".into(),
            title: "alg \"NONE\" with an empty signature is refused".into(),
            rule: ALGORITHMS,
            sends: "a token with header alg \"NONE\" and an empty signature segment".into(),
            expects: REFUSED.into(),
            run: refuse(|s, now| alg_none(s, now, "NONE", "")),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.8725.alg-none-upper-signed".into(),
            title: "alg \"NONE\" with a non-empty signature is refused".into(),
            rule: ALGORITHMS,
            sends: "a token with header alg \"NONE\" and a junk signature segment".into(),
            expects: REFUSED.into(),
            run: refuse(|s, now| alg_none(s, now, "NONE", JUNK_SIGNATURE)),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.8725.alg-none-mixed-unsigned".into(),
            title: "alg \"nOnE\" with an empty signature is refused".into(),
            rule: ALGORITHMS,
            sends: "a token with header alg \"nOnE\" and an empty signature segment".into(),
            expects: REFUSED.into(),
            run: refuse(|s, now| alg_none(s, now, "nOnE", "")),
            ..Case::BASE
        }),
        case(Case {
            id: "auth.8725.alg-none-mixed-signed".into(),
            title: "alg \"nOnE\" with a non-empty signature is refused".into(),
            rule: ALGORITHMS,
            sends: "a token with header alg \"nOnE\" and a junk signature segment".into(),
            expects: REFUSED.into(),
            run: refuse(|s, now| alg_none(s, now, "nOnE", JUNK_SIGNATURE)),
            ..Case::BASE
        }),
    ]
}

/// HS256 MACed with the bytes of the target's public key PEM: a verifier
/// that takes the algorithm from the token would check it with that key.
fn confusion(s: &AuthSettings, now: u64) -> Result<Attempt, Outcome> {
    if matches!(s.key, Key::Secret(_)) {
        return Err(Outcome::unimplemented(
            "the key is symmetric; HS/RS confusion needs --jwt-private-key",
        ));
    }
    let pem = mint::public_pem(s).map_err(Outcome::unimplemented)?;
    let hmac = AuthSettings {
        key: Key::Secret(pem),
        ..s.clone()
    };
    let h = mint::b64(mint::header("HS256").to_string().as_bytes());
    let p = mint::b64(Value::Object(mint::claims(s, now)).to_string().as_bytes());
    minted(mint::signed(&hmac, "HS256", &h, &p))
}

/// Signed with the configured key under a sibling algorithm.
fn other_alg(s: &AuthSettings, now: u64) -> Result<Attempt, Outcome> {
    let Some(alg) = mint::sibling_alg(&s.alg) else {
        return Err(Outcome::unimplemented(format!(
            "no other algorithm signs with a {} key",
            s.alg
        )));
    };
    let h = mint::b64(mint::header(alg).to_string().as_bytes());
    let p = mint::b64(Value::Object(mint::claims(s, now)).to_string().as_bytes());
    minted(mint::signed(s, alg, &h, &p))
}

/// base64url of "voxproof-not-a-signature".
const JUNK_SIGNATURE: &str = "dm94cHJvb2Ytbm90LWEtc2lnbmF0dXJl";

/// Valid claims under header alg `spelling`, with `signature` as the third
/// segment.
fn alg_none(
    s: &AuthSettings,
    now: u64,
    spelling: &str,
    signature: &str,
) -> Result<Attempt, Outcome> {
    let h = mint::b64(
        json!({"alg": spelling, "typ": "JWT"})
            .to_string()
            .as_bytes(),
    );
    let p = mint::b64(Value::Object(mint::claims(s, now)).to_string().as_bytes());
    Ok(Attempt::token(format!("{h}.{p}.{signature}")))
}
