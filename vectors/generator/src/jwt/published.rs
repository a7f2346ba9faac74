//! `jwt/published.json`: the RFCs' published examples, verbatim, and one-bit modifications
//! ([docs/jwt.md](../../../../docs/jwt.md#files-and-counts)).

use super::crypto::{self, unb64u};
use super::*;

const A1: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const A2: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
const A3: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
const A4: &str = "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA.AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn";
const A5: &str = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.";
const C4_1: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg";
const C4_2: &str = "eyJhbGciOiJQUzM4NCIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.cu22eBqkYDKgIlTpzDXGvaFfz6WGoz7fUDcfT0kkOy42miAh2qyBzk1xEsnk2IpN6-tPid6VrklHkqsGqDqHCdP6O8TTB5dDDItllVo6_1OLPpcbUrhiUSMxbbXUvdvWXzg-UD8biiReQFlfz28zGWVsdiNAUf8ZnyPEgVFn442ZdNqiVJRmBqrYRXe8P_ijQ7p8Vdz0TTrxUeT3lm8d9shnr2lfJT8ImUjvAA2Xez2Mlp8cBE5awDzT0qI0n6uiP1aCN_2_jLAeQTlqRHtfa64QQSUmFAAjVKPbByi7xho0uTOcbH510a6GYmJUAfmWjwZ6oD4ifKo8DYM-X72Eaw";
const C4_3: &str = "eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluUIIUnC9qvbu9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPBu_u_sDDyYjnAMDxXPn7XrT0lw-kvAD890jl8e2puQens_IEKBpHABlsbEPX6sFY8OcGDqoRuBomu9xQ2";
const C4_4: &str = "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0";
const RFC8037_A4: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
const RFC7797_4_1: &str = "eyJhbGciOiJIUzI1NiJ9.JC4wMg.5mvfOroL-g7HyqJoozehmsaqmvTYGEq5jTI1gVvoEoQ";

/// RFC 7515 A.4 P-521 key (public and private).
fn key_a4() -> Value {
    json!({
        "kty": "EC",
        "crv": "P-521",
        "x": "AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk",
        "y": "ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2",
        "d": "AY5pb7A0UFiB3RELSD64fTLOSV_jazdF7fLYyuTw8lOfRhWg6Y6rUrPAxerEzgdRhajnu0ferB0d53vM9mE15j2C"
    })
}

/// RFC 7520 §3.2 P-521 key.
fn key_7520_ec() -> Value {
    json!({
        "kty": "EC",
        "kid": "bilbo.baggins@hobbiton.example",
        "use": "sig",
        "crv": "P-521",
        "x": "AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt",
        "y": "AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1",
        "d": "AAhRON2r9cqXX1hg-RoI6R1tX5p2rUAYdmpHZoC1XNM56KtscrX6zbKipQrCW9CGZH3T4ubpnoTKLDYJ_fF3_rJt"
    })
}

/// RFC 7520 §3.4 RSA key.
pub fn key_7520_rsa() -> Value {
    json!({
        "kty": "RSA",
        "kid": "bilbo.baggins@hobbiton.example",
        "use": "sig",
        "n": "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw",
        "e": "AQAB",
        "d": "bWUC9B-EFRIo8kpGfh0ZuyGPvMNKvYWNtB_ikiH9k20eT-O1q_I78eiZkpXxXQ0UTEs2LsNRS-8uJbvQ-A1irkwMSMkK1J3XTGgdrhCku9gRldY7sNA_AKZGh-Q661_42rINLRCe8W-nZ34ui_qOfkLnK9QWDDqpaIsA-bMwWWSDFu2MUBYwkHTMEzLYGqOe04noqeq1hExBTHBOBdkMXiuFhUq1BU6l-DqEiWxqg82sXt2h-LMnT3046AOYJoRioz75tSUQfGCshWTBnP5uDjd18kKhyv07lhfSJdrPdM5Plyl21hsFf4L_mHCuoFau7gdsPfHPxxjVOcOpBrQzwQ",
        "p": "3Slxg_DwTXJcb6095RoXygQCAZ5RnAvZlno1yhHtnUex_fp7AZ_9nRaO7HX_-SFfGQeutao2TDjDAWU4Vupk8rw9JR0AzZ0N2fvuIAmr_WCsmGpeNqQnev1T7IyEsnh8UMt-n5CafhkikzhEsrmndH6LxOrvRJlsPp6Zv8bUq0k",
        "q": "uKE2dh-cTf6ERF4k4e_jy78GfPYUIaUyoSSJuBzp3Cubk3OCqs6grT8bR_cu0Dm1MZwWmtdqDyI95HrUeq3MP15vMMON8lHTeZu2lmKvwqW7anV5UzhM1iZ7z4yMkuUwFWoBvyY898EXvRD-hdqRxHlSqAZ192zB3pVFJ0s7pFc",
        "dp": "B8PVvXkvJrj2L-GYQ7v3y9r6Kw5g9SahXBwsWUzp19TVlgI-YV85q1NIb1rxQtD-IsXXR3-TanevuRPRt5OBOdiMGQp8pbt26gljYfKU_E9xn-RULHz0-ed9E9gXLKD4VGngpz-PfQ_q29pk5xWHoJp009Qf1HvChixRX59ehik",
        "dq": "CLDmDGduhylc9o7r84rEUVn7pzQ6PF83Y-iBZx5NT-TpnOZKF1pErAMVeKzFEl41DlHHqqBLSM0W1sOFbwTxYWZDm6sI6og5iTbwQGIC3gnJKbi_7k_vJgGHwHxgPaX2PnvP-zyEkDERuf-ry4c_Z11Cq9AqC2yeL6kdKT1cYF8",
        "qi": "3PiqvXQN0zwMeE-sBvZgi289XP9XCQF3VWqPzMKnIgQp7_Tugo6-NZBKCQsMf3HaEGBjTVJs_jcK8-TRXvaKe-7ZMaQj8VfBdYkssbu0NKDDhjJ-GtiseaDVWt7dcH0cfwxgFUHpQh7FoCrjFJ6h6ZEpMF6xmujs4qMpPz8aaI4"
    })
}

/// RFC 7520 §3.5 HMAC key.
fn key_7520_oct() -> Value {
    json!({"kty": "oct", "kid": "018c0ae5-4d9b-471b-bfd6-eef314bc7037", "use": "sig", "alg": "HS256", "k": "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"})
}

/// Panics unless the published signature verifies with the RustCrypto
/// crates: a transcription error must not enter the corpus.
fn checked(token: &'static str, alg: &str, key: &Value) -> &'static str {
    let (input, sig) = token.rsplit_once('.').expect("compact");
    assert!(
        crypto::verify(alg, &crypto::from_jwk(key), input.as_bytes(), &unb64u(sig)),
        "published {alg} example does not verify"
    );
    token
}

/// Changes the first character of the payload segment (still base64url).
fn modified_payload(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut p: Vec<char> = parts[1].chars().collect();
    p[1] = if p[1] == 'A' { 'B' } else { 'A' };
    let p: String = p.into_iter().collect();
    format!("{}.{}.{}", parts[0], p, parts[2])
}

/// Flips one bit of the signature without decoding it, so it also works for
/// the algorithms this generator cannot sign (ES512).
fn flip_first_sig_bit(token: &str) -> String {
    let (input, sig) = token.rsplit_once('.').expect("compact");
    let mut bytes = unb64u(sig);
    bytes[0] ^= 0x80;
    format!("{input}.{}", b64u(&bytes))
}

/// The A.1/A.2/A.3/A.5 clock: one minute before their `exp`.
const A_NOW: u64 = 1_300_819_320;

fn a_validation(now: u64) -> Option<Validation> {
    Some(Validation {
        now,
        leeway: 0,
        aud: None,
        iss: None,
        required: vec!["exp".into()],
    })
}

pub fn build() -> Envelope<JwtGroup> {
    let mut t = Tests::default();
    let mut groups = Vec::new();

    let a1 = checked(A1, "HS256", &key_a1());
    groups.push(group(
        JWT,
        "RFC 7515 Appendix A.1 (HS256) at a clock before its exp",
        key_a1(),
        None,
        &["HS256"],
        a_validation(A_NOW),
        vec![
            t.valid("RFC 7515 A.1: JWS using HMAC SHA-256", a1, &["RfcExample"]),
            t.valid(
                "RFC 7519 §3.1: the example JWT (the same token as RFC 7515 A.1)",
                a1,
                &["RfcExample"],
            ),
            t.invalid(
                "RFC 7515 A.1 with one signature bit flipped",
                flip_first_sig_bit(a1),
                "bad-signature",
                &["ModifiedSignature"],
            ),
            t.invalid(
                "RFC 7515 A.1 with one payload character changed",
                modified_payload(a1),
                "bad-signature",
                &["ModifiedPayload"],
            ),
        ],
    ));
    groups.push(group(
        JWT, "RFC 7515 A.1 at the instant of its exp (1300819380): RFC 7519 §4.1.4 requires the current time to be before exp",
        key_a1(), None, &["HS256"], a_validation(1_300_819_380),
        vec![t.invalid("RFC 7515 A.1, now = exp", a1, "expired", &["RfcExample", "ExpBoundary"])],
    ));
    groups.push(group(
        JWT,
        "RFC 7515 A.1 one second before its exp",
        key_a1(),
        None,
        &["HS256"],
        a_validation(1_300_819_379),
        vec![t.valid(
            "RFC 7515 A.1, now = exp - 1",
            a1,
            &["RfcExample", "ExpBoundary"],
        )],
    ));

    let a2 = checked(A2, "RS256", &key_a2());
    groups.push(group(
        JWT,
        "RFC 7515 Appendix A.2 (RS256)",
        key_a2(),
        None,
        &["RS256"],
        a_validation(A_NOW),
        vec![
            t.valid(
                "RFC 7515 A.2: JWS using RSASSA-PKCS1-v1_5 SHA-256",
                a2,
                &["RfcExample"],
            ),
            t.invalid(
                "RFC 7515 A.2 with one signature bit flipped",
                flip_first_sig_bit(a2),
                "bad-signature",
                &["ModifiedSignature"],
            ),
            t.invalid(
                "RFC 7515 A.2 with one payload character changed",
                modified_payload(a2),
                "bad-signature",
                &["ModifiedPayload"],
            ),
        ],
    ));

    let a3 = checked(A3, "ES256", &key_a3());
    groups.push(group(
        JWT,
        "RFC 7515 Appendix A.3 (ES256)",
        key_a3(),
        None,
        &["ES256"],
        a_validation(A_NOW),
        vec![
            t.valid(
                "RFC 7515 A.3: JWS using ECDSA P-256 SHA-256",
                a3,
                &["RfcExample"],
            ),
            t.invalid(
                "RFC 7515 A.3 with one signature bit flipped",
                flip_first_sig_bit(a3),
                "bad-signature",
                &["ModifiedSignature"],
            ),
            t.invalid(
                "RFC 7515 A.3 with one payload character changed",
                modified_payload(a3),
                "bad-signature",
                &["ModifiedPayload"],
            ),
        ],
    ));

    groups.push(group(
        JWT,
        "RFC 7515 Appendix A.5 (Unsecured JWS) for an application that has said unsecured tokens are acceptable (RFC 7518 §3.6); the key set is empty",
        json!({"keys": []}), None, &["none"], a_validation(A_NOW),
        vec![t.valid("RFC 7515 A.5: Unsecured JWS, alg none, empty signature", A5, &["RfcExample", "Unsecured"])],
    ));

    // ES512: copied from the RFC, not recomputed (the generator has no P-521).
    groups.push(group(
        JWS,
        "RFC 7515 Appendix A.4 (ES512); the payload is the text 'Payload', not a JWT",
        key_a4(),
        None,
        &["ES512"],
        None,
        vec![
            t.valid(
                "RFC 7515 A.4: JWS using ECDSA P-521 SHA-512",
                A4,
                &["RfcExample", "Es512"],
            ),
            t.invalid(
                "RFC 7515 A.4 with one signature bit flipped",
                flip_first_sig_bit(A4),
                "bad-signature",
                &["ModifiedSignature", "Es512"],
            ),
        ],
    ));

    let c41 = checked(C4_1, "RS256", &key_7520_rsa());
    groups.push(group(
        JWS,
        "RFC 7520 §4.1 (RS256), compact serialization",
        key_7520_rsa(),
        None,
        &["RS256"],
        None,
        vec![
            t.valid("RFC 7520 §4.1.3: RSA v1.5 signature", c41, &["RfcExample"]),
            t.invalid(
                "RFC 7520 §4.1 with one signature bit flipped",
                flip_first_sig_bit(c41),
                "bad-signature",
                &["ModifiedSignature"],
            ),
            t.invalid(
                "RFC 7520 §4.1 with one payload character changed",
                modified_payload(c41),
                "bad-signature",
                &["ModifiedPayload"],
            ),
        ],
    ));
    let c42 = checked(C4_2, "PS384", &key_7520_rsa());
    groups.push(group(
        JWS,
        "RFC 7520 §4.2 (PS384), compact serialization",
        key_7520_rsa(),
        None,
        &["PS384"],
        None,
        vec![
            t.valid("RFC 7520 §4.2.3: RSA-PSS signature", c42, &["RfcExample"]),
            t.invalid(
                "RFC 7520 §4.2 with one signature bit flipped",
                flip_first_sig_bit(c42),
                "bad-signature",
                &["ModifiedSignature"],
            ),
        ],
    ));
    groups.push(group(
        JWS,
        "RFC 7520 §4.3 (ES512), compact serialization",
        key_7520_ec(),
        None,
        &["ES512"],
        None,
        vec![
            t.valid(
                "RFC 7520 §4.3.3: ECDSA P-521 signature",
                C4_3,
                &["RfcExample", "Es512"],
            ),
            t.invalid(
                "RFC 7520 §4.3 with one signature bit flipped",
                flip_first_sig_bit(C4_3),
                "bad-signature",
                &["ModifiedSignature", "Es512"],
            ),
        ],
    ));
    let c44 = checked(C4_4, "HS256", &key_7520_oct());
    groups.push(group(
        JWS,
        "RFC 7520 §4.4 (HS256), compact serialization",
        key_7520_oct(),
        None,
        &["HS256"],
        None,
        vec![
            t.valid(
                "RFC 7520 §4.4.3: HMAC-SHA2 integrity protection",
                c44,
                &["RfcExample"],
            ),
            t.invalid(
                "RFC 7520 §4.4 with one signature bit flipped",
                flip_first_sig_bit(c44),
                "bad-signature",
                &["ModifiedSignature"],
            ),
            t.invalid(
                "RFC 7520 §4.4 with one payload character changed",
                modified_payload(c44),
                "bad-signature",
                &["ModifiedPayload"],
            ),
        ],
    ));
    let ed = checked(RFC8037_A4, "EdDSA", &key_ed25519());
    groups.push(group(
        JWS,
        "RFC 8037 Appendix A.4 (Ed25519)",
        key_ed25519(),
        None,
        &["EdDSA"],
        None,
        vec![
            t.valid("RFC 8037 A.4: Ed25519 signing", ed, &["RfcExample"]),
            t.invalid(
                "RFC 8037 A.4 with one signature bit flipped",
                flip_first_sig_bit(ed),
                "bad-signature",
                &["ModifiedSignature"],
            ),
            t.invalid(
                "RFC 8037 A.4 with one payload character changed",
                modified_payload(ed),
                "bad-signature",
                &["ModifiedPayload"],
            ),
        ],
    ));
    let u = checked(RFC7797_4_1, "HS256", &key_a1());
    groups.push(group(
        JWS, "RFC 7797 §4.1: the payload '$.02' with the ordinary (base64url) encoding, keyed with RFC 7515 A.1's key", key_a1(), None, &["HS256"], None,
        vec![t.valid("RFC 7797 §4.1: JWS with b64 left at its default (true)", u, &["RfcExample"])],
    ));

    envelope(
        "jwt-published",
        &[
            "Tokens and keys copied verbatim from RFC 7515 Appendix A, RFC 7519 §3.1, RFC 7520 §3 and §4 (compact serializations), RFC 7797 §4.1 and RFC 8037 Appendix A.",
            "Every published signature except the ES512 ones is checked by vectors/generator/src/jwt (RustCrypto hmac, rsa, p256, ed25519-dalek) before it is written.",
            "Expected results are the RFCs': each example is a valid JWS.",
            "Clocks are fixed (validation.now) before the examples' exp.",
            "Regenerate with `cargo run -p voxproof-vectors-generator`.",
        ],
        notes(&[
            ("RfcExample", "Copied verbatim from the RFC named in the comment."),
            ("ModifiedSignature", "One bit of the signature changed: the signature no longer verifies (RFC 7515 §5.2 step 8)."),
            ("ModifiedPayload", "One character of the payload segment changed, signature kept: the signature no longer verifies."),
            ("ExpBoundary", "The clock sits on or just before exp; RFC 7519 §4.1.4: the current time MUST be before exp."),
            ("Unsecured", "alg none, allowed here because the group's algorithms list it (RFC 7518 §3.6: only when the application says so)."),
            ("Es512", "ECDSA P-521 (RFC 7518 §3.4). Verifiers without ES512 (jsonwebtoken has none) report the group as unsupported rather than pass or fail."),
        ]),
        groups,
    )
}
