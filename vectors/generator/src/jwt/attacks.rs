//! `jwt/attacks.json`: the attack catalogue and malformed compact serializations
//! ([docs/jwt.md](../../../../docs/jwt.md#files-and-counts)).

use super::crypto::{
    self, b64u, der_ecdsa, from_jwk, public_jwk, public_pem, sub_be, P256_N, P384_N,
};
use super::*;

pub fn build() -> Envelope<JwtGroup> {
    let far = NOW + 86400;
    let claims = format!(r#"{{"sub":"alice","admin":false,"exp":{far}}}"#);
    let forged = format!(r#"{{"sub":"alice","admin":true,"exp":{far}}}"#);
    let hs = from_jwk(&key_a1());
    let mut t = Tests::default();
    let mut groups = Vec::new();

    // alg none (CVE-2015-9235) and HMAC oddities, against an HS256 verifier.
    let mut tests = Vec::new();
    // Every one of the 16 case spellings of "none".
    let spellings = (0..16u8).map(|mask| {
        "none"
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if mask & (1 << i) != 0 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect::<String>()
    });
    for alg in spellings {
        let h = format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#);
        let unsigned = format!("{}.{}.", b64u(h.as_bytes()), b64u(forged.as_bytes()));
        tests.push(t.invalid(
            format!("alg {alg}, empty signature"),
            unsigned.clone(),
            "alg-not-allowed",
            &["AlgNone"],
        ));
        let with_mac = signed(&b64u(h.as_bytes()), &b64u(forged.as_bytes()), "HS256", &hs);
        tests.push(t.invalid(
            format!("alg {alg}, with a signature that is the correct HS256 MAC of the input"),
            with_mac,
            "alg-not-allowed",
            &["AlgNone"],
        ));
    }
    let none_h = b64u(br#"{"alg":"none"}"#);
    tests.push(t.invalid(
        "alg none, signature segment and its dot omitted (two segments)",
        format!("{none_h}.{}", b64u(forged.as_bytes())),
        "malformed",
        &["AlgNone", "SegmentCount"],
    ));
    tests.push(t.invalid(
        "alg none, signature 'AAAA'",
        format!("{none_h}.{}.AAAA", b64u(forged.as_bytes())),
        "alg-not-allowed",
        &["AlgNone"],
    ));
    tests.push(t.invalid(
        "alg HS256, signature empty",
        with_sig(&token(r#"{"alg":"HS256"}"#, &forged, "HS256", &hs), ""),
        "bad-signature",
        &["EmptySignature"],
    ));
    // The token of a widely copied tutorial, followed by something that is
    // not a signature at all.
    let tutorial = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWV9";
    tests.push(t.invalid(
        "the widely copied tutorial token (sub 1234567890, name John Doe, admin true) with a long non-signature",
        format!("{tutorial}.{}", b64u(b"this is not a signature, only text standing where a MAC belongs; a verifier must check it")),
        "bad-signature", &["Tutorial"]));
    tests.push(t.invalid(
        "the tutorial token with the signature of another tutorial payload (the iat one), made with the secret 'your-256-bit-secret'",
        format!("{tutorial}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
        "bad-signature", &["Tutorial"]));
    tests.push(t.invalid(
        "HS256 signed with the empty key",
        token(
            r#"{"alg":"HS256"}"#,
            &forged,
            "HS256",
            &SignKey::Hmac(vec![]),
        ),
        "bad-signature",
        &["WeakKey"],
    ));
    tests.push(t.invalid(
        "HS256 signed with the key 'secret'",
        token(
            r#"{"alg":"HS256"}"#,
            &forged,
            "HS256",
            &SignKey::Hmac(b"secret".to_vec()),
        ),
        "bad-signature",
        &["WeakKey"],
    ));
    // kid injection: the attacker names a file or query whose content it knows.
    for (kid, key) in [
        ("../../../../../../../dev/null", &b""[..]),
        ("/proc/sys/kernel/randomize_va_space", b"2"),
        ("x' UNION SELECT 'attacker' -- ", b"attacker"),
        ("key.pem|echo attacker", b"attacker"),
    ] {
        let h = serde_json::to_string(&json!({"alg": "HS256", "kid": kid})).expect("json");
        tests.push(t.invalid(
            format!(
                "kid injection {kid:?}, signed with {:?}",
                String::from_utf8_lossy(key)
            ),
            token(&h, &forged, "HS256", &SignKey::Hmac(key.to_vec())),
            "bad-signature",
            &["KidInjection"],
        ));
    }
    groups.push(group(
        JWT,
        "An HS256 verifier with the RFC 7515 A.1 key",
        key_a1(),
        None,
        &["HS256"],
        Some(at_now()),
        tests,
    ));

    // Key confusion (CVE-2016-10555): an RS256 verifier configured with a PEM
    // public key; the attacker MACs with the public key's bytes.
    let rsa = from_jwk(&key_a2());
    let rsa_pem = public_pem(&rsa);
    let SignKey::Rsa(rsa_key) = &rsa else {
        unreachable!()
    };
    let pkcs1_pem = rsa::pkcs1::EncodeRsaPublicKey::to_pkcs1_pem(
        &rsa_key.to_public_key(),
        rsa::pkcs8::LineEnding::LF,
    )
    .expect("PKCS#1");
    let spki_der = rsa::pkcs8::EncodePublicKey::to_public_key_der(&rsa_key.to_public_key())
        .expect("SPKI")
        .into_vec();
    let rsa_jwk_text = serde_json::to_string(&public_jwk(&key_a2())).expect("json");
    let mut tests = vec![t.valid(
        "RS256 token signed with the configured key",
        token(r#"{"alg":"RS256","typ":"JWT"}"#, &claims, "RS256", &rsa),
        &["Valid"],
    )];
    for (what, bytes, alg) in [
        (
            "the SubjectPublicKeyInfo PEM text",
            rsa_pem.as_bytes().to_vec(),
            "HS256",
        ),
        (
            "the PEM text without its final newline",
            rsa_pem.trim_end().as_bytes().to_vec(),
            "HS256",
        ),
        (
            "the PKCS#1 RSAPublicKey PEM text",
            pkcs1_pem.as_bytes().to_vec(),
            "HS256",
        ),
        (
            "the DER SubjectPublicKeyInfo bytes",
            spki_der.clone(),
            "HS256",
        ),
        (
            "the public JWK's JSON text",
            rsa_jwk_text.as_bytes().to_vec(),
            "HS256",
        ),
        (
            "the modulus bytes",
            crypto::unb64u(key_a2()["n"].as_str().expect("n")),
            "HS256",
        ),
        ("the PEM text", rsa_pem.as_bytes().to_vec(), "HS384"),
        ("the PEM text", rsa_pem.as_bytes().to_vec(), "HS512"),
    ] {
        tests.push(t.invalid(
            format!("{alg} keyed with {what} of the RSA public key"),
            token(
                &format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#),
                &forged,
                alg,
                &SignKey::Hmac(bytes),
            ),
            "alg-not-allowed",
            &["KeyConfusion"],
        ));
    }
    tests.push(t.invalid(
        "alg none against the RS256 verifier",
        format!("{none_h}.{}.", b64u(forged.as_bytes())),
        "alg-not-allowed",
        &["AlgNone"],
    ));
    tests.push(t.invalid(
        "PS256 signed with the configured RSA key: right key, algorithm not configured",
        token(r#"{"alg":"PS256"}"#, &claims, "PS256", &rsa),
        "alg-not-allowed",
        &["AlgNotAllowed"],
    ));
    groups.push(group(
        JWT,
        "An RS256 verifier configured with a PEM public key (RFC 7515 A.2's)",
        key_a2(),
        Some(rsa_pem.clone()),
        &["RS256"],
        Some(at_now()),
        tests,
    ));

    // ECDSA: key confusion, psychic signatures, encodings, embedded keys.
    let ec = from_jwk(&key_a3());
    let ec_pem = public_pem(&ec);
    let attacker = from_jwk(&attacker_p256());
    let attacker_pub = public_jwk(&attacker_p256());
    let ec_jwk_text = serde_json::to_string(&public_jwk(&key_a3())).expect("json");
    let point = {
        let mut p = vec![4u8];
        p.extend(crypto::unb64u(key_a3()["x"].as_str().expect("x")));
        p.extend(crypto::unb64u(key_a3()["y"].as_str().expect("y")));
        p
    };
    let good = token(r#"{"alg":"ES256","typ":"JWT"}"#, &claims, "ES256", &ec);
    let sig = sig_of(&good);
    let high_s = {
        let mut s = sig[..32].to_vec();
        s.extend(sub_be(&P256_N, &sig[32..]));
        s
    };
    let mut tests = vec![
        t.valid(
            "ES256 token signed with the configured key",
            good.clone(),
            &["Valid"],
        ),
        t.valid(
            "the same signature with s replaced by n - s: RFC 7518 §3.4 does not require low s",
            with_sig(&good, &b64u(&high_s)),
            &["HighS"],
        ),
    ];
    for (what, bytes) in [
        (
            "the SubjectPublicKeyInfo PEM text",
            ec_pem.as_bytes().to_vec(),
        ),
        (
            "the public JWK's JSON text",
            ec_jwk_text.as_bytes().to_vec(),
        ),
        ("the uncompressed point bytes", point),
    ] {
        tests.push(t.invalid(
            format!("HS256 keyed with {what} of the EC public key"),
            token(
                r#"{"alg":"HS256","typ":"JWT"}"#,
                &forged,
                "HS256",
                &SignKey::Hmac(bytes),
            ),
            "alg-not-allowed",
            &["KeyConfusion"],
        ));
    }
    let one = {
        let mut v = [0u8; 32];
        v[31] = 1;
        v
    };
    let n_minus_1 = sub_be(&P256_N, &one);
    let values: [(&str, Vec<u8>); 4] = [
        ("0", vec![0; 32]),
        ("1", one.to_vec()),
        ("n-1", n_minus_1),
        ("n", P256_N.to_vec()),
    ];
    let forged_input = format!(
        "{}.{}",
        b64u(br#"{"alg":"ES256","typ":"JWT"}"#),
        b64u(forged.as_bytes())
    );
    for (rn, r) in &values {
        for (sn, s) in &values {
            let mut raw = r.clone();
            raw.extend(s);
            tests.push(t.invalid(
                format!("psychic signature r = {rn}, s = {sn} (CVE-2022-21449)"),
                format!("{forged_input}.{}", b64u(&raw)),
                "bad-signature",
                &["PsychicSignature"],
            ));
        }
    }
    tests.push(t.invalid(
        "the valid signature DER-encoded (RFC 7518 §3.4 requires the 64-octet R || S)",
        with_sig(&good, &b64u(&der_ecdsa(&sig))),
        "bad-signature",
        &["DerSignature"],
    ));
    tests.push(t.invalid(
        "r = s = 0, DER-encoded",
        format!("{forged_input}.{}", b64u(&der_ecdsa(&[0u8; 64]))),
        "bad-signature",
        &["DerSignature", "PsychicSignature"],
    ));
    let swapped = {
        let mut v = sig[32..].to_vec();
        v.extend(&sig[..32]);
        v
    };
    tests.push(t.invalid(
        "r and s swapped",
        with_sig(&good, &b64u(&swapped)),
        "bad-signature",
        &["ModifiedSignature"],
    ));
    let padded = {
        let mut v = vec![0u8];
        v.extend(&sig[..32]);
        v.push(0);
        v.extend(&sig[32..]);
        v
    };
    tests.push(t.invalid(
        "r and s each zero-padded to 33 octets",
        with_sig(&good, &b64u(&padded)),
        "bad-signature",
        &["ModifiedSignature"],
    ));
    // Embedded and remote keys (CVE-2018-0114, RFC 8725 §3.10).
    let attack = |h: Value| {
        token(
            &serde_json::to_string(&h).expect("json"),
            &forged,
            "ES256",
            &attacker,
        )
    };
    tests.push(t.invalid(
        "embedded jwk holding the attacker's key, signed with it (CVE-2018-0114)",
        attack(json!({"alg": "ES256", "jwk": attacker_pub})),
        "bad-signature",
        &["EmbeddedJwk"],
    ));
    tests.push(t.invalid(
        "embedded jwk holding the configured public key, signed with the attacker's key",
        attack(json!({"alg": "ES256", "jwk": public_jwk(&key_a3())})),
        "bad-signature",
        &["EmbeddedJwk"],
    ));
    tests.push(t.invalid(
        "jku pointing at the attacker's key set, signed with the attacker's key",
        attack(json!({"alg": "ES256", "jku": "https://attacker.example/.well-known/jwks.json"})),
        "bad-signature",
        &["Jku"],
    ));
    tests.push(t.invalid(
        "jku on a trusted-looking host, signed with the attacker's key",
        attack(json!({"alg": "ES256", "jku": "https://issuer.example/jwks.json"})),
        "bad-signature",
        &["Jku"],
    ));
    tests.push(t.invalid(
        "x5u pointing at the attacker's certificate, signed with the attacker's key",
        attack(json!({"alg": "ES256", "x5u": "https://attacker.example/cert.pem"})),
        "bad-signature",
        &["X5u"],
    ));
    tests.push(t.invalid(
        "kid naming the attacker's key, signed with it",
        attack(json!({"alg": "ES256", "kid": "attacker"})),
        "bad-signature",
        &["KidInjection"],
    ));
    tests.push(t.invalid(
        "ES384 with the attacker's P-384 key against the ES256 verifier",
        token(
            r#"{"alg":"ES384"}"#,
            &forged,
            "ES384",
            &from_jwk(&attacker_p384()),
        ),
        "alg-not-allowed",
        &["AlgNotAllowed"],
    ));
    groups.push(group(
        JWT,
        "An ES256 verifier configured with a PEM public key (RFC 7515 A.3's)",
        key_a3(),
        Some(ec_pem),
        &["ES256"],
        Some(at_now()),
        tests,
    ));

    // Compact serialization syntax (RFC 7515 §7.1; base64url without padding
    // or whitespace, RFC 7515 §2).
    let good = token(r#"{"alg":"HS256","typ":"JWT"}"#, &claims, "HS256", &hs);
    let parts: Vec<String> = good.split('.').map(str::to_string).collect();
    let pad = |s: &str| {
        assert!(!s.len().is_multiple_of(4), "segment {s} needs no padding");
        format!("{s}{}", "=".repeat(4 - s.len() % 4))
    };
    // A header whose encoding needs padding (25 octets).
    let kid_token = token(r#"{"alg":"HS256","kid":"k"}"#, &claims, "HS256", &hs);
    let kid_parts: Vec<&str> = kid_token.split('.').collect();
    // A token whose signature contains '-' or '_', for the alphabet test.
    let url_chars = (0..)
        .map(|i| {
            token(
                r#"{"alg":"HS256","typ":"JWT"}"#,
                &format!(r#"{{"sub":"alice","jti":"{i}","exp":{far}}}"#),
                "HS256",
                &hs,
            )
        })
        .find(|tok| {
            tok.rsplit('.')
                .next()
                .is_some_and(|s| s.contains(['-', '_']))
        })
        .expect("some signature has a URL-safe character");
    let std_alphabet = {
        let (input, sig) = url_chars.rsplit_once('.').expect("compact");
        format!("{input}.{}", sig.replace('-', "+").replace('_', "/"))
    };
    // The last character of a 32-octet signature carries 2 unused bits.
    let non_canonical = {
        const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut sig: Vec<char> = parts[2].chars().collect();
        let last = sig.pop().expect("char");
        let idx = ALPHABET.find(last).expect("alphabet");
        sig.push(ALPHABET.as_bytes()[idx ^ 1] as char);
        format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            sig.into_iter().collect::<String>()
        )
    };
    let jwe_header = b64u(br#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#);
    let tests = vec![
        t.valid("well-formed token", good.clone(), &["Valid"]),
        t.invalid("empty token", "", "malformed", &["SegmentCount"]),
        t.invalid("a single dot", ".", "malformed", &["SegmentCount"]),
        t.invalid("two dots only", "..", "malformed", &["SegmentCount"]),
        t.invalid("two segments (signature segment and its dot removed)", format!("{}.{}", parts[0], parts[1]), "malformed", &["SegmentCount"]),
        t.invalid("four segments (a dot appended)", format!("{good}."), "malformed", &["SegmentCount"]),
        t.invalid("four segments (the signature repeated)", format!("{good}.{}", parts[2]), "malformed", &["SegmentCount"]),
        t.invalid("five segments shaped like a JWE (RFC 7516 §7.1)", format!("{jwe_header}.{}.{}.{}.{}", b64u(&[7; 256]), b64u(&[1; 12]), b64u(forged.as_bytes()), b64u(&[2; 16])), "malformed", &["JweShaped"]),
        t.invalid("five segments: a JWE header with alg dir and an empty encrypted key", format!("{}..{}.{}.{}", b64u(br#"{"alg":"dir","enc":"A128GCM"}"#), b64u(&[1; 12]), b64u(forged.as_bytes()), b64u(&[2; 16])), "malformed", &["JweShaped"]),
        t.invalid("header segment empty", format!(".{}.{}", parts[1], parts[2]), "malformed", &["SegmentCount"]),
        t.invalid("padding '=' on the signature segment", format!("{}.{}.{}", parts[0], parts[1], pad(&parts[2])), "malformed", &["Padding"]),
        t.invalid("padding '=' on the header segment", format!("{}.{}.{}", pad(kid_parts[0]), kid_parts[1], kid_parts[2]), "malformed", &["Padding"]),
        t.invalid("padding '=' on the payload segment", format!("{}.{}.{}", parts[0], pad(&parts[1]), parts[2]), "malformed", &["Padding"]),
        t.invalid("leading space", format!(" {good}"), "malformed", &["Whitespace"]),
        t.invalid("trailing line feed", format!("{good}\n"), "malformed", &["Whitespace"]),
        t.invalid("space inside the signature", format!("{}.{}.{} {}", parts[0], parts[1], &parts[2][..20], &parts[2][20..]), "malformed", &["Whitespace"]),
        t.invalid("line break between segments", format!("{}.\r\n{}.{}", parts[0], parts[1], parts[2]), "malformed", &["Whitespace"]),
        t.invalid("tab inside the payload segment", format!("{}.{}\t{}.{}", parts[0], &parts[1][..10], &parts[1][10..], parts[2]), "malformed", &["Whitespace"]),
        t.invalid("signature in the standard base64 alphabet ('+' and '/' for '-' and '_')", std_alphabet, "malformed", &["StandardBase64"]),
        t.invalid("a character outside any base64 alphabet in the payload segment", format!("{}.{}*.{}", parts[0], parts[1], parts[2]), "malformed", &["NotBase64"]),
        t.invalid("a segment of length 1 mod 4, which no octet string encodes", format!("{}.{}.{}", parts[0], parts[1], &parts[2][..parts[2].len() - 2]), "malformed", &["NotBase64"]),
        t.invalid("the header segment is not base64url of JSON ('a.b.c')", "a.b.c", "malformed", &["NotBase64"]),
        t.invalid("the token preceded by its HTTP scheme ('Bearer ')", format!("Bearer {good}"), "malformed", &["Whitespace"]),
        t.acceptable("non-zero unused bits in the signature's last character (RFC 4648 §3.5: decoders MAY reject)", non_canonical, "malformed", &["NonCanonical"]),
    ];
    groups.push(group(
        JWT,
        "Compact serialization syntax, HS256 with the RFC 7515 A.1 key",
        key_a1(),
        None,
        &["HS256"],
        Some(at_now()),
        tests,
    ));

    // Signature lengths a lenient decoder might forgive: the HMAC output
    // repeated, an absurd length, and an RSA signature one octet longer than
    // the modulus but with the same integer value.
    let good = token(r#"{"alg":"HS256","typ":"JWT"}"#, &claims, "HS256", &hs);
    let mac = sig_of(&good);
    let tests = vec![
        t.invalid(
            "HS256 MAC repeated (64 octets)",
            with_sig(&good, &b64u(&[mac.clone(), mac.clone()].concat())),
            "bad-signature",
            &["SignatureLength"],
        ),
        t.invalid(
            "HS256 MAC followed by 992 zero octets (1024 octets)",
            with_sig(&good, &b64u(&[mac.clone(), vec![0; 992]].concat())),
            "bad-signature",
            &["SignatureLength"],
        ),
        t.invalid(
            "HS256 MAC truncated to 16 octets",
            with_sig(&good, &b64u(&mac[..16])),
            "bad-signature",
            &["SignatureLength"],
        ),
    ];
    groups.push(group(
        JWT,
        "Signature lengths, HS256 with the RFC 7515 A.1 key",
        key_a1(),
        None,
        &["HS256"],
        Some(at_now()),
        tests,
    ));

    let rs = token(r#"{"alg":"RS256","typ":"JWT"}"#, &claims, "RS256", &rsa);
    let tests = vec![
        t.valid("RS256 token signed with the configured key", rs.clone(), &["Valid"]),
        t.invalid(
            "RS256 signature with a zero octet prepended: the same integer, k + 1 octets (RFC 8017 §8.2.2 step 1: 'If the length of the signature S is not k octets, output invalid signature')",
            with_sig(&rs, &b64u(&[vec![0u8], sig_of(&rs)].concat())), "bad-signature", &["SignatureLength"]),
    ];
    groups.push(group(
        JWT,
        "Signature lengths, RS256 with the RFC 7515 A.2 key",
        key_a2(),
        None,
        &["RS256"],
        Some(at_now()),
        tests,
    ));

    // Psychic signatures on P-384 as well.
    let p384 = from_jwk(&key_p384());
    let es = token(r#"{"alg":"ES384","typ":"JWT"}"#, &claims, "ES384", &p384);
    let es_sig = sig_of(&es);
    let one = {
        let mut v = [0u8; 48];
        v[47] = 1;
        v
    };
    let n_minus_1 = sub_be(&P384_N, &one);
    let forged_input = format!(
        "{}.{}",
        b64u(br#"{"alg":"ES384","typ":"JWT"}"#),
        b64u(forged.as_bytes())
    );
    let mut tests = vec![t.valid(
        "ES384 token signed with the configured key",
        es.clone(),
        &["Valid"],
    )];
    for (what, v) in [
        ("0", vec![0u8; 48]),
        ("1", one.to_vec()),
        ("n-1", n_minus_1),
        ("n", P384_N.to_vec()),
    ] {
        tests.push(t.invalid(
            format!("psychic signature r = s = {what} on P-384"),
            format!("{forged_input}.{}", b64u(&[v.clone(), v].concat())),
            "bad-signature",
            &["PsychicSignature"],
        ));
    }
    tests.push(t.invalid(
        "the valid ES384 signature DER-encoded (RFC 7518 §3.4 requires the 96-octet R || S)",
        with_sig(&es, &b64u(&der_ecdsa(&es_sig))),
        "bad-signature",
        &["DerSignature"],
    ));
    groups.push(group(
        JWT,
        "An ES384 verifier (the P-384 key derived from a fixed label)",
        key_p384(),
        None,
        &["ES384"],
        Some(at_now()),
        tests,
    ));

    envelope(
        "jwt-attacks",
        &[
            "The attack catalogue of RFC 8725 (JWT BCP) and public advisories: alg none in every case spelling (CVE-2015-9235), HMAC keyed with an RSA or EC public key (CVE-2016-10555), embedded jwk (CVE-2018-0114), jku/x5u/kid injection, psychic ECDSA signatures (CVE-2022-21449), DER-encoded ECDSA, weak HMAC keys, and malformed compact serializations (RFC 7515 §2, §7.1).",
            "Keys are RFC 7515 A.1–A.3's and attacker keys derived from fixed labels; tokens are built and signed by vectors/generator/src/jwt with the RustCrypto crates.",
        ],
        notes(&[
            ("Valid", "A correctly signed token, for contrast."),
            ("AlgNone", "alg none in some spelling: alg values are case-sensitive (RFC 7515 §4.1.1) and an Unsecured JWS is accepted only when the application allows none (RFC 7518 §3.6); this verifier does not."),
            ("SegmentCount", "Not exactly three segments: a JWS Compact Serialization has three (RFC 7515 §7.1)."),
            ("EmptySignature", "The signature segment is empty under an alg that requires one."),
            ("Tutorial", "The token of a widely copied tutorial whose third segment is not a signature over its input: anyone can produce it, so it must not verify."),
            ("WeakKey", "MACed with a key the attacker guesses; the verifier's key differs, so the MAC fails (RFC 7518 §3.2 requires keys at least as long as the hash)."),
            ("KidInjection", "kid naming a file, a shell command or an SQL fragment whose value the attacker knows; kid must never reach a file system, shell or database, only select among configured keys."),
            ("KeyConfusion", "HMAC keyed with the bytes of the verifier's public key (CVE-2016-10555): the verifier's configuration pins the algorithm, so the token is refused before any MAC is computed."),
            ("AlgNotAllowed", "An alg the verifier is not configured for, even when signed by the configured key (RFC 8725 §3.1)."),
            ("HighS", "An ECDSA signature with s > n/2: valid ECDSA, and RFC 7518 §3.4 adds no low-s rule."),
            ("PsychicSignature", "r or s outside [1, n-1]: ECDSA verification MUST reject them (SEC 1 §4.1.4 step 1); CVE-2022-21449 accepted r = s = 0."),
            ("DerSignature", "The ASN.1 DER form; RFC 7518 §3.4: the JWS Signature is the 64-octet R || S for ES256."),
            ("ModifiedSignature", "The signature's octets rearranged or resized."),
            ("SignatureLength", "A signature of the wrong length whose prefix or integer value is right: HMAC compares the whole MAC, RSA requires exactly k octets (RFC 8017 §8.2.2), ECDSA exactly 2 × the coordinate size (RFC 7518 §3.4)."),
            ("EmbeddedJwk", "A jwk header parameter carries a key; trusting it lets anyone sign (CVE-2018-0114)."),
            ("Jku", "jku points at a key set; fetching it lets the attacker choose the key (RFC 8725 §3.10)."),
            ("X5u", "x5u points at a certificate; fetching it lets the attacker choose the key."),
            ("JweShaped", "Five segments, the JWE Compact Serialization (RFC 7516 §7.1): not a JWS."),
            ("Padding", "'=' padding: RFC 7515 §2 defines base64url with all trailing '=' omitted."),
            ("Whitespace", "Whitespace or extra text in or around the token: RFC 7515 §2 allows no line breaks, whitespace or other characters."),
            ("StandardBase64", "'+' or '/' in a segment: not the base64url alphabet (RFC 4648 §5)."),
            ("NotBase64", "A segment that is not base64url at all."),
            ("NonCanonical", "Decodes to the right octets but with non-zero unused bits; RFC 4648 §3.5 allows decoders to reject it."),
        ]),
        groups,
    )
}
