//! `jwt/header.json`: JOSE Header rules (RFC 7515 §4, §5.2)
//! ([docs/jwt.md](../../../../docs/jwt.md#files-and-counts)).

use super::crypto::{b64u, from_jwk};
use super::*;

pub fn build() -> Envelope<JwtGroup> {
    let key = from_jwk(&key_a1());
    let far = NOW + 86400;
    let claims = format!(r#"{{"sub":"alice","exp":{far}}}"#);
    let tok = |h: &str| token(h, &claims, "HS256", &key);
    let tok_bytes = |h: &[u8]| token_bytes(h, claims.as_bytes(), "HS256", &key);
    // RFC 7797 §3: with b64 false the payload goes into the signing input
    // and the token as it is.
    let unencoded = |h: &str| {
        let hs = b64u(h.as_bytes());
        let input = format!("{hs}.{claims}");
        format!(
            "{input}.{}",
            b64u(&crypto::sign("HS256", &key, input.as_bytes()))
        )
    };
    let mut t = Tests::default();
    let mut groups = Vec::new();

    let tests = vec![
        t.valid("header with only alg", tok(r#"{"alg":"HS256"}"#), &["Typ"]),
        t.valid("typ JWT", tok(r#"{"alg":"HS256","typ":"JWT"}"#), &["Typ"]),
        t.valid("typ jwt in lower case (RFC 7519 §5.1: media type names are case-insensitive)", tok(r#"{"alg":"HS256","typ":"jwt"}"#), &["Typ"]),
        t.valid("typ at+jwt (RFC 9068): typ is for the application, not the JWS layer (RFC 7515 §4.1.9)", tok(r#"{"alg":"HS256","typ":"at+jwt"}"#), &["Typ"]),
        t.acceptable("typ a number: RFC 7515 §4.1.9 says JWS implementations ignore typ, while its value is defined as a string", tok(r#"{"alg":"HS256","typ":7}"#), "malformed", &["Typ", "HeaderType"]),
        t.valid("an unregistered header parameter, not critical: ignored", tok(r#"{"alg":"HS256","x-trace":"abc","x-n":1}"#), &["UnknownParameter"]),
        t.valid("kid naming no configured key while only one key is configured without a kid", tok(r#"{"alg":"HS256","kid":"key-1"}"#), &["Kid"]),
        t.valid("kid the empty string", tok(r#"{"alg":"HS256","kid":""}"#), &["Kid"]),
        t.acceptable("kid a number (RFC 7515 §4.1.4: its value MUST be a string); a verifier with one key need not read kid", tok(r#"{"alg":"HS256","kid":1}"#), "malformed", &["Kid", "HeaderType"]),
        t.valid("header whitespace and CRLF, as in RFC 7515 A.1", tok("{\r\n \"alg\" : \"HS256\" \r\n}"), &["HeaderJson"]),
        t.valid("alg written with escapes (\\u0048S256 is HS256; RFC 7515 §5.3 compares after unescaping)", tok(r#"{"alg":"\u0048S256"}"#), &["HeaderJson"]),
    ];
    groups.push(group(
        JWT,
        "typ, kid and unregistered parameters",
        key_a1(),
        None,
        &["HS256"],
        Some(at_now()),
        tests,
    ));

    let tests = vec![
        t.invalid("alg in lower case: alg is case-sensitive (RFC 7515 §4.1.1)", tok(r#"{"alg":"hs256"}"#), "alg-not-allowed", &["AlgSyntax"]),
        t.invalid("alg with a trailing space", tok(r#"{"alg":"HS256 "}"#), "alg-not-allowed", &["AlgSyntax"]),
        t.invalid("alg the empty string", tok(r#"{"alg":""}"#), "alg-not-allowed", &["AlgSyntax"]),
        t.invalid("alg absent (RFC 7515 §4.1.1: MUST be present)", tok(r#"{"typ":"JWT"}"#), "malformed", &["AlgSyntax"]),
        t.invalid("alg null", tok(r#"{"alg":null}"#), "malformed", &["AlgSyntax"]),
        t.invalid("alg a number", tok(r#"{"alg":256}"#), "malformed", &["AlgSyntax"]),
        t.invalid("alg an array", tok(r#"{"alg":["HS256"]}"#), "malformed", &["AlgSyntax"]),
        t.invalid("alg an object", tok(r#"{"alg":{"name":"HS256"}}"#), "malformed", &["AlgSyntax"]),
        t.invalid("header an empty object", tok("{}"), "malformed", &["HeaderJson"]),
        t.invalid("header a JSON array", tok(r#"["HS256"]"#), "malformed", &["HeaderJson"]),
        t.invalid("header JSON null", tok("null"), "malformed", &["HeaderJson"]),
        t.invalid("header the JSON string \"HS256\"", tok(r#""HS256""#), "malformed", &["HeaderJson"]),
        t.invalid("header not JSON", tok("alg=HS256"), "malformed", &["HeaderJson"]),
        t.invalid("header with trailing text", tok(r#"{"alg":"HS256"}x"#), "malformed", &["HeaderJson"]),
        t.invalid("header in Latin-1, not UTF-8 (RFC 7515 §5.2 step 3)", tok_bytes(b"{\"alg\":\"HS256\",\"x\":\"caf\xe9\"}"), "malformed", &["NonUtf8"]),
        t.invalid("header with an invalid UTF-8 byte (0xFF)", tok_bytes(b"{\"alg\":\"HS256\",\"x\":\"\xff\"}"), "malformed", &["NonUtf8"]),
        t.acceptable("header beginning with a UTF-8 byte order mark (RFC 8259 §8.1: parsers MAY ignore it)", tok_bytes(b"\xef\xbb\xbf{\"alg\":\"HS256\"}"), "malformed", &["Bom"]),
        t.acceptable(
            "typ twice: 'JWS parsers MUST either reject JWSs with duplicate Header Parameter names or use a JSON parser that returns only the lexically last duplicate member name' (RFC 7515 §4)",
            tok(r#"{"alg":"HS256","typ":"JWT","typ":"JWT"}"#), "duplicate-name", &["DuplicateHeader"]),
        t.acceptable("alg twice, none then HS256: the lexically last is HS256", tok(r#"{"alg":"none","alg":"HS256"}"#), "duplicate-name", &["DuplicateHeader"]),
        t.invalid("alg twice, HS256 then none: the lexically last is none, so rejected either way", tok(r#"{"alg":"HS256","alg":"none"}"#), "duplicate-name", &["DuplicateHeader"]),
    ];
    groups.push(group(
        JWT,
        "alg syntax and the header as a JSON object",
        key_a1(),
        None,
        &["HS256"],
        Some(at_now()),
        tests,
    ));

    // crit, RFC 7515 §4.1.11.
    let tests = vec![
        t.invalid(
            "crit lists an extension the verifier does not understand, present in the header",
            tok(r#"{"alg":"HS256","crit":["x-policy"],"x-policy":"strict"}"#),
            "unsupported-crit",
            &["CritUnknown"],
        ),
        t.invalid(
            "crit lists exp as a header parameter, as in the RFC 7515 §4.1.11 example",
            tok(&format!(r#"{{"alg":"HS256","crit":["exp"],"exp":{far}}}"#)),
            "unsupported-crit",
            &["CritUnknown"],
        ),
        t.invalid(
            "crit lists an extension absent from the header",
            tok(r#"{"alg":"HS256","crit":["x-policy"]}"#),
            "unsupported-crit",
            &["CritUnknown", "CritAbsent"],
        ),
        t.invalid(
            "crit lists an unknown extension twice",
            tok(r#"{"alg":"HS256","crit":["x-policy","x-policy"],"x-policy":1}"#),
            "unsupported-crit",
            &["CritUnknown"],
        ),
        t.invalid(
            "crit a string, not an array",
            tok(r#"{"alg":"HS256","crit":"x-policy","x-policy":1}"#),
            "unsupported-crit",
            &["CritSyntax"],
        ),
        t.invalid(
            "crit null",
            tok(r#"{"alg":"HS256","crit":null}"#),
            "unsupported-crit",
            &["CritSyntax"],
        ),
        t.invalid(
            "crit an array holding a number",
            tok(r#"{"alg":"HS256","crit":[1]}"#),
            "unsupported-crit",
            &["CritSyntax"],
        ),
        t.invalid(
            "crit an object",
            tok(r#"{"alg":"HS256","crit":{"x-policy":true},"x-policy":1}"#),
            "unsupported-crit",
            &["CritSyntax"],
        ),
        t.acceptable(
            "crit the empty list: producers MUST NOT send it; recipients MAY reject it",
            tok(r#"{"alg":"HS256","crit":[]}"#),
            "unsupported-crit",
            &["CritEmpty"],
        ),
        t.acceptable(
            "crit lists alg, a name defined by RFC 7515: recipients MAY reject it",
            tok(r#"{"alg":"HS256","crit":["alg"]}"#),
            "unsupported-crit",
            &["CritStandard"],
        ),
        t.acceptable(
            "crit lists typ, a name defined by RFC 7515",
            tok(r#"{"alg":"HS256","typ":"JWT","crit":["typ"]}"#),
            "unsupported-crit",
            &["CritStandard"],
        ),
        t.acceptable(
            "crit lists kid, a name defined by RFC 7515",
            tok(r#"{"alg":"HS256","kid":"k","crit":["kid"]}"#),
            "unsupported-crit",
            &["CritStandard"],
        ),
        t.acceptable(
            "crit lists alg twice",
            tok(r#"{"alg":"HS256","crit":["alg","alg"]}"#),
            "unsupported-crit",
            &["CritStandard"],
        ),
    ];
    groups.push(group(
        JWT,
        "crit: the verifier understands no extension header parameter",
        key_a1(),
        None,
        &["HS256"],
        Some(at_now()),
        tests,
    ));

    // b64, RFC 7797.
    let tests = vec![
        t.valid("b64 true without crit: the default encoding, so every verifier computes the same signing input", tok(r#"{"alg":"HS256","b64":true}"#), &["B64"]),
        t.acceptable("b64 true listed in crit: valid for a verifier that implements RFC 7797, not understood by one that does not", tok(r#"{"alg":"HS256","b64":true,"crit":["b64"]}"#), "unsupported-crit", &["B64"]),
        t.invalid("b64 false with crit, unencoded Claims Set: RFC 7797 §7: JWTs MUST NOT use the unencoded payload option", unencoded(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#), "unsupported-crit", &["B64False"]),
        t.invalid("b64 false without crit, unencoded Claims Set: RFC 7797 §6 requires b64 in crit, and §7 forbids b64 false in JWTs", unencoded(r#"{"alg":"HS256","b64":false}"#), "unsupported-header", &["B64False", "B64NoCrit"]),
        t.acceptable("b64 false without crit over a base64url payload: a verifier unaware of RFC 7797 ignores b64 and sees a valid JWT; an aware one must reject", tok(r#"{"alg":"HS256","b64":false}"#), "unsupported-header", &["B64False", "B64NoCrit"]),
        t.invalid("RFC 7797 §4.2's example (b64 false, detached payload) presented as a JWT", "eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19..A5dxf2s96_n5FLueVuW1Z_vh161FwXZC4YLPff6dmDY", "unsupported-crit", &["B64False", "RfcExample"]),
    ];
    groups.push(group(
        JWT,
        "b64 (RFC 7797) in a JWT",
        key_a1(),
        None,
        &["HS256"],
        Some(at_now()),
        tests,
    ));

    // Parameters that point at keys: a verifier uses its configured key and
    // never fetches or trusts these (RFC 8725 §3.10).
    let tests = vec![
        t.valid(
            "jku to a foreign key set, token signed with the configured key: nothing is fetched",
            tok(r#"{"alg":"HS256","jku":"https://attacker.example/jwks.json"}"#),
            &["NotFetched"],
        ),
        t.valid(
            "x5u to a foreign certificate, token signed with the configured key",
            tok(r#"{"alg":"HS256","x5u":"https://attacker.example/cert.pem"}"#),
            &["NotFetched"],
        ),
        t.valid(
            "jwk holding a foreign key, token signed with the configured key",
            tok(&format!(r#"{{"alg":"HS256","jwk":{}}}"#, attacker_hmac())),
            &["NotFetched"],
        ),
        t.valid(
            "x5c and x5t present, token signed with the configured key",
            tok(r#"{"alg":"HS256","x5c":["MIIB"],"x5t":"AAAA"}"#),
            &["NotFetched"],
        ),
    ];
    groups.push(group(
        JWT,
        "Key-locating parameters are ignored when the configured key verifies",
        key_a1(),
        None,
        &["HS256"],
        Some(at_now()),
        tests,
    ));

    // Key selection by kid in a key set.
    let mut k1 = key_a1();
    k1["kid"] = json!("k1");
    let mut k2 =
        json!({"kty": "oct", "k": b64u(&sha2::Sha512::digest(b"voxproof second HMAC key"))});
    k2["kid"] = json!("k2");
    let s1 = from_jwk(&k1);
    let s2 = from_jwk(&k2);
    let kt = |h: &str, k: &SignKey| token(h, &claims, "HS256", k);
    let tests = vec![
        t.valid(
            "kid k1, signed with k1",
            kt(r#"{"alg":"HS256","kid":"k1"}"#, &s1),
            &["KidSelect"],
        ),
        t.valid(
            "kid k2, signed with k2",
            kt(r#"{"alg":"HS256","kid":"k2"}"#, &s2),
            &["KidSelect"],
        ),
        t.invalid(
            "kid k1, signed with k2",
            kt(r#"{"alg":"HS256","kid":"k1"}"#, &s2),
            "bad-signature",
            &["KidSelect"],
        ),
        t.invalid(
            "kid naming no key of the set",
            kt(r#"{"alg":"HS256","kid":"k3"}"#, &s1),
            "unknown-key",
            &["KidSelect"],
        ),
        t.invalid(
            "kid K1: kid values are case-sensitive (RFC 7515 §4.1.4)",
            kt(r#"{"alg":"HS256","kid":"K1"}"#, &s1),
            "unknown-key",
            &["KidSelect"],
        ),
        t.acceptable(
            "no kid while the set holds two keys: trying each key, or refusing, are both allowed",
            kt(r#"{"alg":"HS256"}"#, &s1),
            "unknown-key",
            &["KidAbsent"],
        ),
    ];
    groups.push(group(
        JWT,
        "A JWK Set of two HMAC keys: kid selects among configured keys only",
        json!({"keys": [k1, k2]}),
        None,
        &["HS256"],
        Some(at_now()),
        tests,
    ));

    envelope(
        "jwt-header",
        &[
            "JOSE Header processing per RFC 7515 §4 and §5.2, RFC 7797 and RFC 8725, with HS256 under the RFC 7515 A.1 key (and a second HMAC key derived from a fixed label), built and signed by vectors/generator/src/jwt (RustCrypto hmac).",
        ],
        notes(&[
            ("Typ", "typ is for the application (RFC 7515 §4.1.9, RFC 7519 §5.1); a generic JWT verifier accepts any string or none."),
            ("HeaderType", "A registered header parameter of the wrong JSON type, in a parameter the verifier need not read: accepting (ignoring it) and rejecting are both defensible."),
            ("UnknownParameter", "Header parameters that are neither registered nor critical are ignored when not understood (RFC 7515 §4)."),
            ("Kid", "kid is a hint only (RFC 7515 §4.1.4); with one configured key it selects nothing."),
            ("HeaderJson", "The header as a JSON object (RFC 7515 §5.2 step 3, RFC 7515 §5.3 for escapes)."),
            ("AlgSyntax", "alg is a case-sensitive string and MUST be present (RFC 7515 §4.1.1)."),
            ("NonUtf8", "The header is not UTF-8 (RFC 7515 §5.2 step 3)."),
            ("Bom", "A byte order mark before the JSON text: RFC 8259 §8.1 lets parsers ignore it."),
            ("DuplicateHeader", "A header name twice. RFC 7515 §4 allows rejecting or keeping the lexically last; invalid only when both choices reject."),
            ("CritUnknown", "crit names an extension the recipient does not understand: 'the JWS is invalid' (RFC 7515 §4.1.11)."),
            ("CritAbsent", "crit names a parameter absent from the header, which producers MUST NOT do."),
            ("CritSyntax", "crit is not an array of strings; crit MUST be understood and processed by implementations (RFC 7515 §4.1.11), and this value cannot be."),
            ("CritEmpty", "crit is []: producers MUST NOT use it, recipients MAY reject it (RFC 7515 §4.1.11)."),
            ("CritStandard", "crit lists names defined by RFC 7515 or duplicates: producers MUST NOT, recipients MAY reject (RFC 7515 §4.1.11)."),
            ("B64", "The b64 header parameter of RFC 7797 with its default value true."),
            ("B64False", "b64 false: the unencoded payload option, which RFC 7797 §7 forbids for JWTs."),
            ("B64NoCrit", "b64 present but not listed in crit, against RFC 7797 §6."),
            ("RfcExample", "Copied verbatim from the RFC named in the comment."),
            ("NotFetched", "jku, x5u, jwk, x5c, x5t point at or carry keys; a verifier MUST NOT fetch or trust them (RFC 8725 §3.10). Signed with the configured key, the token is valid without any fetch."),
            ("KidSelect", "kid chooses among the configured keys; an unknown kid selects nothing."),
            ("KidAbsent", "No kid with several configured keys: RFC 7515 leaves key selection to the application."),
        ]),
        groups,
    )
}
