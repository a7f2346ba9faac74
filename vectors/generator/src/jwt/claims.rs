//! `jwt/claims.json`: RFC 7519 §4.1 claim validation at fixed clocks
//! ([docs/jwt.md](../../../../docs/jwt.md#files-and-counts)).

use super::crypto::from_jwk;
use super::*;

const H: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

fn validation(
    leeway: u64,
    aud: Option<&[&str]>,
    iss: Option<&str>,
    required: &[&str],
) -> Option<Validation> {
    Some(Validation {
        now: NOW,
        leeway,
        aud: aud.map(|a| a.iter().map(|s| s.to_string()).collect()),
        iss: iss.map(str::to_string),
        required: required.iter().map(|s| s.to_string()).collect(),
    })
}

pub fn build() -> Envelope<JwtGroup> {
    let key = from_jwk(&key_a1());
    let tok = |claims: &str| token(H, claims, "HS256", &key);
    let tok_bytes = |claims: &[u8]| token_bytes(H.as_bytes(), claims, "HS256", &key);
    let n = NOW;
    let mut t = Tests::default();
    let mut groups = Vec::new();

    // exp, no leeway. RFC 7519 §4.1.4: "the current date/time MUST be before
    // the expiration date/time listed in the exp claim".
    let mut tests = Vec::new();
    for (d, ok) in [
        (-86400i64, false),
        (-1, false),
        (0, false),
        (1, true),
        (86400, true),
    ] {
        let c = format!(r#"{{"sub":"alice","exp":{}}}"#, n as i64 + d);
        let comment = format!("exp = now {d:+} s, no leeway");
        tests.push(if ok {
            t.valid(comment, tok(&c), &["ExpBoundary"])
        } else {
            t.invalid(comment, tok(&c), "expired", &["ExpBoundary"])
        });
    }
    groups.push(group(
        JWT,
        "exp around now, leeway 0",
        key_a1(),
        None,
        &["HS256"],
        validation(0, None, None, &["exp"]),
        tests,
    ));

    // exp with 60 s leeway: valid while now < exp + leeway.
    let mut tests = Vec::new();
    for (d, ok) in [
        (-61i64, Some(false)),
        (-60, None),
        (-59, Some(true)),
        (-1, Some(true)),
        (0, Some(true)),
        (1, Some(true)),
    ] {
        let c = format!(r#"{{"sub":"alice","exp":{}}}"#, n as i64 + d);
        let comment = format!("exp = now {d:+} s, leeway 60 s");
        tests.push(match ok {
            Some(true) => t.valid(comment, tok(&c), &["ExpBoundary", "Leeway"]),
            Some(false) => t.invalid(comment, tok(&c), "expired", &["ExpBoundary", "Leeway"]),
            // now == exp + leeway: RFC 7519 fixes the boundary only without
            // leeway; whether the allowance includes its last instant is the
            // implementer's choice.
            None => t.acceptable(
                comment,
                tok(&c),
                "expired",
                &["ExpBoundary", "Leeway", "LeewayBoundary"],
            ),
        });
    }
    groups.push(group(
        JWT,
        "exp around now, leeway 60 s",
        key_a1(),
        None,
        &["HS256"],
        validation(60, None, None, &["exp"]),
        tests,
    ));

    // nbf. RFC 7519 §4.1.5: "the current date/time MUST be after or equal to
    // the not-before date/time listed in the nbf claim".
    let mut tests = Vec::new();
    for (d, ok) in [
        (86400i64, false),
        (1, false),
        (0, true),
        (-1, true),
        (-86400, true),
    ] {
        let c = format!(
            r#"{{"sub":"alice","nbf":{},"exp":{}}}"#,
            n as i64 + d,
            n + 172800
        );
        let comment = format!("nbf = now {d:+} s, no leeway");
        tests.push(if ok {
            t.valid(comment, tok(&c), &["NbfBoundary"])
        } else {
            t.invalid(comment, tok(&c), "not-yet-valid", &["NbfBoundary"])
        });
    }
    groups.push(group(
        JWT,
        "nbf around now, leeway 0",
        key_a1(),
        None,
        &["HS256"],
        validation(0, None, None, &[]),
        tests,
    ));

    let mut tests = Vec::new();
    for (d, ok) in [(61i64, false), (60, true), (59, true), (1, true), (0, true)] {
        let c = format!(
            r#"{{"sub":"alice","nbf":{},"exp":{}}}"#,
            n as i64 + d,
            n + 172800
        );
        let comment = format!("nbf = now {d:+} s, leeway 60 s");
        tests.push(if ok {
            t.valid(comment, tok(&c), &["NbfBoundary", "Leeway"])
        } else {
            t.invalid(
                comment,
                tok(&c),
                "not-yet-valid",
                &["NbfBoundary", "Leeway"],
            )
        });
    }
    groups.push(group(
        JWT,
        "nbf around now, leeway 60 s",
        key_a1(),
        None,
        &["HS256"],
        validation(60, None, None, &[]),
        tests,
    ));

    // iat carries no validity rule in RFC 7519 §4.1.6; only its type is fixed.
    let mut tests = Vec::new();
    for (d, comment) in [
        (-1i64, "iat = now - 1 s"),
        (0, "iat = now"),
        (1, "iat = now + 1 s: RFC 7519 gives iat no validity rule"),
        (
            86400,
            "iat a day in the future: RFC 7519 gives iat no validity rule",
        ),
    ] {
        let c = format!(
            r#"{{"sub":"alice","iat":{},"exp":{}}}"#,
            n as i64 + d,
            n + 172800
        );
        let flags: &[&str] = if d > 0 { &["IatInFuture"] } else { &["Iat"] };
        tests.push(t.valid(comment, tok(&c), flags));
    }
    groups.push(group(
        JWT,
        "iat is informational",
        key_a1(),
        None,
        &["HS256"],
        validation(0, None, None, &[]),
        tests,
    ));

    // NumericDate forms (RFC 7519 §2: a JSON number; non-integer values allowed).
    let far = n + 86400;
    let mut tests = vec![
        t.valid(
            "exp as a float, half a second after now",
            tok(&format!(r#"{{"exp":{n}.5}}"#)),
            &["NumericDateForm"],
        ),
        t.invalid(
            "exp as a float, half a second before now",
            tok(&format!(r#"{{"exp":{}.5}}"#, n - 1)),
            "expired",
            &["NumericDateForm"],
        ),
        t.valid(
            "exp as a float with an integral value",
            tok(&format!(r#"{{"exp":{far}.0}}"#)),
            &["NumericDateForm"],
        ),
        t.valid(
            "exp in exponent notation (1.7000864e9)",
            tok(r#"{"exp":1.7000864e9}"#),
            &["NumericDateForm"],
        ),
        t.valid(
            "exp in exponent notation with a capital E and a sign (17000864E+2)",
            tok(r#"{"exp":17000864E+2}"#),
            &["NumericDateForm"],
        ),
        t.valid(
            "exp beyond 2^53 (9007199254740993)",
            tok(r#"{"exp":9007199254740993}"#),
            &["NumericDateForm", "HugeNumber"],
        ),
        t.valid(
            "exp beyond 2^64 (18446744073709551616)",
            tok(r#"{"exp":18446744073709551616}"#),
            &["NumericDateForm", "HugeNumber"],
        ),
        t.valid(
            "exp 1e300",
            tok(r#"{"exp":1e300}"#),
            &["NumericDateForm", "HugeNumber"],
        ),
        t.invalid(
            "exp 0 (the epoch)",
            tok(r#"{"exp":0}"#),
            "expired",
            &["NumericDateForm"],
        ),
        t.invalid(
            "exp -0",
            tok(r#"{"exp":-0}"#),
            "expired",
            &["NumericDateForm"],
        ),
        t.invalid(
            "exp negative (-1)",
            tok(r#"{"exp":-1}"#),
            "expired",
            &["NumericDateForm", "Negative"],
        ),
        t.invalid(
            "exp hugely negative (-1e300)",
            tok(r#"{"exp":-1e300}"#),
            "expired",
            &["NumericDateForm", "Negative"],
        ),
        t.valid(
            format!("nbf negative (-1) and exp {far}"),
            tok(&format!(r#"{{"nbf":-1,"exp":{far}}}"#)),
            &["NumericDateForm", "Negative"],
        ),
        t.invalid(
            "nbf as a float, half a second after now",
            tok(&format!(r#"{{"nbf":{n}.5,"exp":{far}}}"#)),
            "not-yet-valid",
            &["NumericDateForm"],
        ),
        t.valid(
            "nbf as a float, half a second before now",
            tok(&format!(r#"{{"nbf":{}.5,"exp":{far}}}"#, n - 1)),
            &["NumericDateForm"],
        ),
        t.invalid(
            "nbf 1e300",
            tok(&format!(r#"{{"nbf":1e300,"exp":{far}}}"#)),
            "not-yet-valid",
            &["NumericDateForm", "HugeNumber"],
        ),
        t.valid(
            "iat negative",
            tok(&format!(r#"{{"iat":-1,"exp":{far}}}"#)),
            &["NumericDateForm", "Negative"],
        ),
        t.valid(
            "iat as a float",
            tok(&format!(r#"{{"iat":{}.25,"exp":{far}}}"#, n - 10)),
            &["NumericDateForm"],
        ),
    ];
    groups.push(group(
        JWT,
        "NumericDate forms: any JSON number, integral or not (RFC 7519 §2)",
        key_a1(),
        None,
        &["HS256"],
        validation(0, None, None, &[]),
        std::mem::take(&mut tests),
    ));

    // Wrong JSON types for registered claims.
    let bad = |name: &str, value: &str| -> String {
        if name == "exp" {
            format!(r#"{{"sub":"alice","exp":{value}}}"#)
        } else if name == "sub" {
            format!(r#"{{"sub":{value},"exp":{far}}}"#)
        } else {
            format!(r#"{{"sub":"alice","{name}":{value},"exp":{far}}}"#)
        }
    };
    let exp_text = format!("\"{far}\"");
    let type_cases: Vec<(&str, &str, &str)> = vec![
        (
            "exp",
            exp_text.as_str(),
            "exp as a string of digits (RFC 7519 §4.1.4: its value MUST be a number)",
        ),
        ("exp", "null", "exp null"),
        ("exp", "true", "exp true"),
        ("exp", "[1700086400]", "exp as an array"),
        ("exp", r#"{"t":1700086400}"#, "exp as an object"),
        ("exp", r#""""#, "exp the empty string"),
        (
            "nbf",
            "\"1699999000\"",
            "nbf as a string (RFC 7519 §4.1.5: its value MUST be a number)",
        ),
        ("nbf", "null", "nbf null"),
        ("nbf", "false", "nbf false"),
        (
            "iat",
            "\"1699999000\"",
            "iat as a string (RFC 7519 §4.1.6: its value MUST be a number)",
        ),
        ("iat", "null", "iat null"),
        ("iat", "[]", "iat an empty array"),
        ("iss", "42", "iss a number (RFC 7519 §4.1.1: a StringOrURI)"),
        ("iss", "null", "iss null"),
        (
            "sub",
            "1234567890",
            "sub a number (RFC 7519 §4.1.2: a StringOrURI)",
        ),
        ("sub", r#"{"id":1}"#, "sub an object"),
        (
            "aud",
            "42",
            "aud a number (RFC 7519 §4.1.3: a StringOrURI or an array of them)",
        ),
        ("aud", "null", "aud null"),
        ("aud", "[\"voxproof\",42]", "aud an array holding a number"),
        ("aud", "[[\"voxproof\"]]", "aud a nested array"),
        (
            "jti",
            "42",
            "jti a number (RFC 7519 §4.1.7: a case-sensitive string)",
        ),
        ("jti", "true", "jti true"),
    ];
    for (name, value, comment) in type_cases {
        tests.push(t.invalid(
            comment,
            tok(&bad(name, value)),
            "bad-claim-type",
            &["WrongType"],
        ));
    }
    groups.push(group(
        JWT,
        "Registered claims of the wrong JSON type",
        key_a1(),
        None,
        &["HS256"],
        validation(0, None, None, &[]),
        std::mem::take(&mut tests),
    ));

    // aud, the verifier identifying itself as "voxproof".
    let aud = |a: &str| tok(&format!(r#"{{"sub":"alice","aud":{a},"exp":{far}}}"#));
    let tests = vec![
        t.valid(
            "aud a string naming this audience",
            aud("\"voxproof\""),
            &["Audience"],
        ),
        t.valid(
            "aud an array holding only this audience",
            aud("[\"voxproof\"]"),
            &["Audience"],
        ),
        t.valid(
            "aud an array holding this audience second",
            aud("[\"other\",\"voxproof\"]"),
            &["Audience"],
        ),
        t.invalid(
            "aud another audience",
            aud("\"other\""),
            "wrong-audience",
            &["Audience"],
        ),
        t.invalid(
            "aud an array of other audiences",
            aud("[\"other\",\"third\"]"),
            "wrong-audience",
            &["Audience"],
        ),
        t.invalid(
            "aud an empty array",
            aud("[]"),
            "wrong-audience",
            &["Audience"],
        ),
        t.invalid(
            "aud differing in case (comparison is case-sensitive, RFC 7519 §4.1.3)",
            aud("\"Voxproof\""),
            "wrong-audience",
            &["Audience"],
        ),
        t.invalid(
            "aud with a trailing space",
            aud("\"voxproof \""),
            "wrong-audience",
            &["Audience"],
        ),
        t.invalid(
            "aud a prefix of this audience",
            aud("\"voxpro\""),
            "wrong-audience",
            &["Audience"],
        ),
        t.invalid(
            "aud the empty string",
            aud("\"\""),
            "wrong-audience",
            &["Audience"],
        ),
        t.invalid(
            "aud absent while the verifier requires one",
            tok(&format!(r#"{{"sub":"alice","exp":{far}}}"#)),
            "missing-claim",
            &["Audience", "Required"],
        ),
    ];
    groups.push(group(
        JWT,
        "aud: the verifier is 'voxproof' (RFC 7519 §4.1.3)",
        key_a1(),
        None,
        &["HS256"],
        validation(0, Some(&["voxproof"]), None, &["aud"]),
        tests,
    ));
    let tests = vec![
        t.valid(
            "aud names the second of two configured audiences",
            aud("\"wss://voice.example\""),
            &["Audience"],
        ),
        t.valid(
            "aud array overlapping the configured ones",
            aud("[\"x\",\"voxproof\"]"),
            &["Audience"],
        ),
        t.invalid(
            "aud names neither",
            aud("\"https://voice.example\""),
            "wrong-audience",
            &["Audience"],
        ),
    ];
    groups.push(group(
        JWT,
        "aud: the verifier answers to two names",
        key_a1(),
        None,
        &["HS256"],
        validation(
            0,
            Some(&["voxproof", "wss://voice.example"]),
            None,
            &["aud"],
        ),
        tests,
    ));
    let tests = vec![
        t.invalid(
            "aud present but the verifier has no audience: 'If the principal processing the claim does not identify itself with a value in the aud claim when this claim is present, then the JWT MUST be rejected' (RFC 7519 §4.1.3)",
            aud("\"voxproof\""), "wrong-audience", &["Audience", "UnexpectedAudience"]),
        t.valid("aud absent, no audience configured", tok(&format!(r#"{{"sub":"alice","exp":{far}}}"#)), &["Audience"]),
    ];
    groups.push(group(
        JWT,
        "aud when the verifier identifies itself with no audience",
        key_a1(),
        None,
        &["HS256"],
        validation(0, None, None, &[]),
        tests,
    ));

    // iss.
    let iss = |i: &str| tok(&format!(r#"{{"iss":{i},"sub":"alice","exp":{far}}}"#));
    let tests = vec![
        t.valid(
            "iss equal to the configured issuer",
            iss("\"https://issuer.example\""),
            &["Issuer"],
        ),
        t.invalid(
            "iss another issuer",
            iss("\"https://attacker.example\""),
            "wrong-issuer",
            &["Issuer"],
        ),
        t.invalid(
            "iss differing in case (RFC 7519 §4.1.1: case-sensitive)",
            iss("\"https://Issuer.example\""),
            "wrong-issuer",
            &["Issuer"],
        ),
        t.invalid(
            "iss with a trailing slash",
            iss("\"https://issuer.example/\""),
            "wrong-issuer",
            &["Issuer"],
        ),
        t.invalid(
            "iss the empty string",
            iss("\"\""),
            "wrong-issuer",
            &["Issuer"],
        ),
        t.invalid(
            "iss absent while the verifier requires one",
            tok(&format!(r#"{{"sub":"alice","exp":{far}}}"#)),
            "missing-claim",
            &["Issuer", "Required"],
        ),
    ];
    groups.push(group(
        JWT,
        "iss: the verifier trusts https://issuer.example",
        key_a1(),
        None,
        &["HS256"],
        validation(0, None, Some("https://issuer.example"), &["iss"]),
        tests,
    ));

    // Required claims.
    let tests = vec![
        t.valid(
            "exp and sub both present",
            tok(&format!(r#"{{"sub":"alice","exp":{far}}}"#)),
            &["Required"],
        ),
        t.invalid(
            "exp missing",
            tok(r#"{"sub":"alice"}"#),
            "missing-claim",
            &["Required"],
        ),
        t.invalid(
            "sub missing",
            tok(&format!(r#"{{"exp":{far}}}"#)),
            "missing-claim",
            &["Required"],
        ),
        t.invalid(
            "empty Claims Set",
            tok("{}"),
            "missing-claim",
            &["Required"],
        ),
        t.invalid(
            "exp spelt EXP (claim names are case-sensitive, RFC 7519 §4)",
            tok(&format!(r#"{{"sub":"alice","EXP":{far}}}"#)),
            "missing-claim",
            &["Required"],
        ),
    ];
    groups.push(group(
        JWT,
        "exp and sub required",
        key_a1(),
        None,
        &["HS256"],
        validation(0, None, None, &["exp", "sub"]),
        tests,
    ));

    // The Claims Set as JSON (RFC 7519 §7.2 step 10: "a completely valid
    // JSON object").
    let tests = vec![
        t.valid("empty Claims Set, nothing required", tok("{}"), &["ClaimsShape"]),
        t.valid("whitespace and line breaks around members", tok(&format!("{{\r\n \"sub\" : \"alice\" ,\n\t\"exp\":{far} }}\n")), &["ClaimsShape"]),
        t.invalid("exp spelt with a \\u escape (\\u0065xp is exp) and in the past", tok(r#"{"\u0065xp":1600000000}"#), "expired", &["ClaimsShape", "Escapes"]),
        t.valid("custom claims of every JSON type", tok(&format!(r#"{{"sub":"alice","exp":{far},"n":null,"b":true,"f":1.5,"a":[1,"x"],"o":{{"k":"v"}},"s":"caf\u00e9 \ud83c\udf99"}}"#)), &["ClaimsShape"]),
        t.invalid("Claims Set a JSON array", tok("[]"), "malformed", &["ClaimsShape"]),
        t.invalid("Claims Set a JSON string", tok("\"alice\""), "malformed", &["ClaimsShape"]),
        t.invalid("Claims Set a JSON number", tok("1700000000"), "malformed", &["ClaimsShape"]),
        t.invalid("Claims Set JSON null", tok("null"), "malformed", &["ClaimsShape"]),
        t.invalid("payload empty", tok(""), "malformed", &["ClaimsShape"]),
        t.invalid("payload not JSON", tok("sub=alice"), "malformed", &["ClaimsShape"]),
        t.invalid("trailing text after the object", tok(r#"{"sub":"alice"}x"#), "malformed", &["ClaimsShape"]),
        t.invalid("two objects", tok(r#"{"sub":"alice"}{"sub":"bob"}"#), "malformed", &["ClaimsShape"]),
        t.invalid("trailing comma", tok(r#"{"sub":"alice",}"#), "malformed", &["ClaimsShape"]),
        t.invalid("single-quoted names", tok("{'sub':'alice'}"), "malformed", &["ClaimsShape"]),
        t.invalid("Claims Set in Latin-1, not UTF-8 (RFC 7519 §7.2 step 10)", tok_bytes(b"{\"sub\":\"caf\xe9\"}"), "malformed", &["NonUtf8"]),
        t.invalid("Claims Set with an overlong UTF-8 encoding of '/'", tok_bytes(b"{\"sub\":\"a\xc0\xafb\"}"), "malformed", &["NonUtf8"]),
        t.acceptable("Claims Set beginning with a UTF-8 byte order mark (RFC 8259 §8.1: parsers MAY ignore it)", tok_bytes(b"\xef\xbb\xbf{\"sub\":\"alice\"}"), "malformed", &["Bom"]),
        t.acceptable("a lone surrogate escape in a string (RFC 8259 §8.2: behaviour unpredictable)", tok(r#"{"sub":"\ud800"}"#), "malformed", &["LoneSurrogate"]),
        t.acceptable(
            "exp twice, the lexically last in the future: 'JWT parsers MUST either reject JWTs with duplicate Claim Names or use a JSON parser that returns only the lexically last duplicate member name' (RFC 7519 §4)",
            tok(&format!(r#"{{"sub":"alice","exp":1600000000,"exp":{far}}}"#)), "duplicate-name", &["DuplicateClaim"]),
        t.invalid("exp twice, the lexically last in the past: rejected either way", tok(&format!(r#"{{"sub":"alice","exp":{far},"exp":1600000000}}"#)), "duplicate-name", &["DuplicateClaim"]),
        t.acceptable("a custom claim twice", tok(&format!(r#"{{"sub":"alice","role":"admin","role":"user","exp":{far}}}"#)), "duplicate-name", &["DuplicateClaim"]),
        t.acceptable("sub twice, the second spelt with an escape", tok(&format!(r#"{{"sub":"alice","s\u0075b":"mallory","exp":{far}}}"#)), "duplicate-name", &["DuplicateClaim", "Escapes"]),
        t.acceptable("a duplicate name inside a custom object claim (RFC 8259 §4: names SHOULD be unique)", tok(&format!(r#"{{"sub":"alice","o":{{"k":1,"k":2}},"exp":{far}}}"#)), "duplicate-name", &["DuplicateClaim"]),
    ];
    groups.push(group(
        JWT,
        "The Claims Set as a JSON object",
        key_a1(),
        None,
        &["HS256"],
        validation(0, None, None, &[]),
        tests,
    ));

    envelope(
        "jwt-claims",
        &[
            "Claim validation per RFC 7519 §4.1 and §7.2 at a fixed clock (validation.now = 1700000000): exp valid while now < exp + leeway (§4.1.4), nbf valid while now + leeway >= nbf (§4.1.5), iat informational (§4.1.6), NumericDate any JSON number (§2), aud per §4.1.3, iss per §4.1.1, duplicate names per §4.",
            "Tokens are HS256 under the RFC 7515 A.1 key, built and signed by vectors/generator/src/jwt (RustCrypto hmac).",
        ],
        notes(&[
            ("ExpBoundary", "exp just before, at or after now. RFC 7519 §4.1.4: the current time MUST be before exp."),
            ("NbfBoundary", "nbf just before, at or after now. RFC 7519 §4.1.5: the current time MUST be after or equal to nbf."),
            ("Leeway", "validation.leeway seconds of clock skew allowed (RFC 7519 §4.1.4: 'some small leeway'): valid while now < exp + leeway and now + leeway >= nbf."),
            ("LeewayBoundary", "now == exp + leeway. Without leeway RFC 7519 §4.1.4 fixes the boundary (exp == now has expired); the leeway is an allowance the RFC leaves to implementers ('MAY provide for some small leeway'), so whether it includes its last instant is theirs to choose. Rejecting is this suite's reading (now < exp + leeway)."),
            ("Iat", "iat in the past or now."),
            ("IatInFuture", "iat after now. RFC 7519 §4.1.6 defines iat as information ('can be used to determine the age of the JWT') with no validity rule, so the token is valid."),
            ("NumericDateForm", "A NumericDate written as a float, in exponent notation, as -0 or 0: RFC 7519 §2 allows any JSON number, 'non-integer values can be represented'."),
            ("HugeNumber", "A NumericDate beyond 2^53 or 2^64: still a JSON number, compared by value."),
            ("Negative", "A NumericDate before the epoch: a JSON number; exp < 0 has expired."),
            ("WrongType", "A registered claim whose JSON type is not the one RFC 7519 §4.1 prescribes (NumericDate for exp/nbf/iat, StringOrURI for iss/sub, StringOrURI or array of StringOrURI for aud, string for jti); null is a wrong type, not an absence."),
            ("Audience", "aud checks: the token is valid only when one aud value equals (case-sensitively) one of validation.aud."),
            ("UnexpectedAudience", "The token carries aud but the verifier has none: RFC 7519 §4.1.3 requires rejection."),
            ("Issuer", "iss compared case-sensitively with validation.iss."),
            ("Required", "A claim in validation.required (or implied by validation.aud / validation.iss) is absent."),
            ("ClaimsShape", "The payload is, or is not, a JSON object (RFC 7519 §7.2 step 10)."),
            ("Escapes", "A claim name written with JSON escapes: names compare after the escaping is removed (RFC 7515 §5.3)."),
            ("NonUtf8", "The Claims Set is not UTF-8 (RFC 7519 §7.2 step 10)."),
            ("Bom", "A byte order mark before the JSON text: RFC 8259 §8.1 forbids sending one and lets parsers ignore it."),
            ("LoneSurrogate", "A \\uD800 escape with no pair: RFC 8259 §8.2 says the behaviour of software receiving it is unpredictable."),
            ("DuplicateClaim", "A name twice in one object. RFC 7519 §4 allows rejecting or keeping the lexically last; the test is invalid only when both choices reject it."),
        ]),
        groups,
    )
}
