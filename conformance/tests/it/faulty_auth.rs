//! Proof that every auth case can fail: each runs against a server lacking
//! the check it tests, and must come out FAILED. Every `auth.` case must be
//! claimed by a fault. Plus: the auth group passes on the embedded reference.
//!
//! A faulty server (`common/faulty.rs`) is the reference's upgrade decision
//! with one thing changed. Where the reference can be configured into the
//! fault, it is: a day of leeway, no issuer, no authentication, another key.
//! Otherwise a hook answers around `upgrade::decide`: its refusal or its 101
//! mangled, silence, a 1008 close at once, or (hand-written, as no
//! configuration of the verifier skips a check or takes the algorithm from
//! the token) a second decision after a refusal it should have kept.

use crate::common;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::faulty::{self, Decision, Fault, Hooks};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use std::io::Write;
use std::net::TcpStream;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use voxproof_conformance::cases::auth::{AuthSettings, Key, TokenIn};
use voxproof_conformance::run::{run, run_case_with, RunConfig};
use voxproof_conformance::verdict::Verdict;
use voxproof_conformance::{embedded, registry};
use voxproof_reference::auth::{carrier, verify, Auth, Policy, Scope};
use voxproof_reference::config::Config;
use voxproof_reference::handshake::{Limits, Request, ServerConfig};
use voxproof_reference::response::{Rejection, Response};
use voxproof_reference::upgrade::{decide, Upgrade};

// 64 bytes or more, so HS512 may use it too (RFC 7518 §3.2).
const SECRET: &[u8] =
    b"a secret of at least sixty-four bytes, so that every HS algorithm may use it";
const OTHER_SECRET: &[u8] = b"not the secret the client signs with, though just as long as it";
const AUD: &str = "voxproof";
const ISS: &str = "voxproof-faults";

/// The key the client signs with; the server verifies with its public half.
#[derive(Clone, Copy)]
enum Signer {
    Secret,
    Rsa,
}

impl Signer {
    fn alg(self) -> &'static str {
        match self {
            Signer::Secret => "HS256",
            Signer::Rsa => "RS256",
        }
    }

    /// The bytes the server is configured with.
    fn key_bytes(self) -> &'static [u8] {
        match self {
            Signer::Secret => SECRET,
            Signer::Rsa => &rsa_key().public_pem,
        }
    }
}

struct Rsa {
    private_pem: Vec<u8>,
    public_pem: Vec<u8>,
}

/// The RS256 key of vectors/jwt/algorithms.json (a published test key).
fn rsa_key() -> &'static Rsa {
    static KEY: OnceLock<Rsa> = OnceLock::new();
    KEY.get_or_init(|| {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../vectors/jwt/algorithms.json"
        ))
        .unwrap();
        let file: serde_json::Value = serde_json::from_str(&text).unwrap();
        let group = file["testGroups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["algorithms"][0] == "RS256")
            .unwrap();
        let n = |m: &str| {
            rsa::BigUint::from_bytes_be(
                &URL_SAFE_NO_PAD
                    .decode(group["key"][m].as_str().unwrap())
                    .unwrap(),
            )
        };
        let key = rsa::RsaPrivateKey::from_components(n("n"), n("e"), n("d"), vec![n("p"), n("q")])
            .unwrap();
        Rsa {
            private_pem: key
                .to_pkcs8_pem(LineEnding::LF)
                .unwrap()
                .as_bytes()
                .to_vec(),
            public_pem: key
                .to_public_key()
                .to_public_key_pem(LineEnding::LF)
                .unwrap()
                .into_bytes(),
        }
    })
}

fn policy(signer: Signer, algs: &[&str]) -> Option<Policy> {
    let p = match signer {
        Signer::Secret => Policy::hmac(SECRET, algs).ok()?,
        Signer::Rsa => Policy::public_key_pem(&rsa_key().public_pem, algs).ok()?,
    };
    Some(p.audience([AUD]).issuer(ISS))
}

fn strict_policy(signer: Signer) -> Policy {
    policy(signer, &[signer.alg()]).unwrap()
}

/// The reference with `policy` on every path (None: no authentication).
fn config(policy: Option<Policy>) -> Config {
    Config {
        handshake: ServerConfig {
            // A 16 KiB token must reach the verifier (auth.6750.oversized-token).
            limits: Limits {
                max_header_bytes: 1 << 20,
                max_headers: 256,
            },
            ..ServerConfig::default()
        },
        auth: policy.map(|p| Auth::new(p, Scope::All)),
        ..Config::default()
    }
}

fn configured(policy: Option<Policy>) -> Hooks {
    Hooks::new(config(policy))
}

fn with_policy(config: &Config, policy: Option<Policy>) -> Config {
    Config {
        auth: policy.map(|p| Auth::new(p, Scope::All)),
        ..config.clone()
    }
}

fn token_of(request: &Request) -> Option<String> {
    let auth = request
        .values("Authorization")
        .first()
        .map(|v| String::from_utf8_lossy(v).into_owned());
    let query = request.path_and_query().and_then(|(_, q)| q);
    carrier::find(auth.as_deref(), query, [])
        .ok()
        .map(|f| f.token)
}

fn unix(now: SystemTime) -> u64 {
    now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Hand-written (the verifier has no switch to skip a check): decide, and
/// when the token's first error is one of `codes`, decide again without auth.
fn ignoring(
    codes: &'static [&'static str],
) -> impl Fn(&Request, &Config, SystemTime) -> Decision + Send + Sync {
    move |request, config, now| {
        decide(request, config, now).or_else(|refusal| {
            let (Some(token), Some(auth)) = (token_of(request), &config.auth) else {
                return Err(refusal);
            };
            match verify(&token, &auth.policy, unix(now)) {
                Err(e) if codes.contains(&e.code()) => {
                    decide(request, &with_policy(config, None), now)
                }
                _ => Err(refusal),
            }
        })
    }
}

/// Hand-written (a policy names its algorithms and refuses `none`): after a
/// refusal, decide again under the alg the token names, keyed with the
/// configured key's bytes (CVE-2016-10555 style); `none` needs no signature.
fn alg_from_token(
    signer: Signer,
) -> impl Fn(&Request, &Config, SystemTime) -> Decision + Send + Sync {
    move |request, config, now| {
        decide(request, config, now).or_else(|refusal| {
            let Some(alg) = token_of(request).and_then(|t| header_alg(&t)) else {
                return Err(refusal);
            };
            let policy = if alg.eq_ignore_ascii_case("none") {
                None
            } else if alg.starts_with("HS") {
                match Policy::hmac(signer.key_bytes(), &[&alg]) {
                    Ok(p) => Some(p.audience([AUD]).issuer(ISS)),
                    Err(_) => return Err(refusal),
                }
            } else {
                match policy(signer, &[&alg]) {
                    Some(p) => Some(p),
                    None => return Err(refusal),
                }
            };
            decide(request, &with_policy(config, policy), now).map_err(|_| refusal)
        })
    }
}

fn header_alg(token: &str) -> Option<String> {
    let header = URL_SAFE_NO_PAD.decode(token.split('.').next()?).ok()?;
    let header: serde_json::Value = serde_json::from_slice(&header).ok()?;
    header["alg"].as_str().map(str::to_string)
}

/// Select the offered bearer.<token> subprotocol, echoing the token.
fn select_bearer(request: &Request, response: &mut Response) {
    if let Some(p) = request.values("Sec-WebSocket-Protocol").first() {
        let p = String::from_utf8_lossy(p).into_owned();
        response.headers.push(("Sec-WebSocket-Protocol".into(), p));
    }
}

fn close_with_1008(mut stream: TcpStream, _: Vec<u8>, _: &Request, _: &Upgrade) {
    let _ = stream.write_all(&[0x88, 0x02, 0x03, 0xf0]);
    faulty::hold(stream);
}

fn no_challenge(r: &mut Rejection) {
    r.headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("WWW-Authenticate"));
}

fn settings(signer: Signer) -> AuthSettings {
    AuthSettings {
        key: match signer {
            Signer::Secret => Key::Secret(SECRET.to_vec()),
            Signer::Rsa => Key::PrivatePem(rsa_key().private_pem.clone()),
        },
        public_pem: None,
        alg: signer.alg().into(),
        aud: Some(AUD.into()),
        iss: Some(ISS.into()),
        token_in: TokenIn::Header,
        target: None,
    }
}

fn row(name: &'static str, cases: &'static [&'static str], hooks: Hooks) -> Fault<Signer> {
    Fault {
        name,
        cases,
        hooks,
        with: Signer::Secret,
    }
}

fn faults() -> Vec<Fault<Signer>> {
    let strict = || configured(Some(strict_policy(Signer::Secret)));
    vec![
        // The reference, misconfigured.
        row(
            "a day of leeway (exp and nbf)",
            &["auth.7519.expired", "auth.7519.not-yet-valid"],
            configured(Some(strict_policy(Signer::Secret).leeway(86_400))),
        ),
        row(
            "no issuer configured",
            &["auth.7519.wrong-issuer"],
            configured(
                Policy::hmac(SECRET, &["HS256"])
                    .ok()
                    .map(|p| p.audience([AUD])),
            ),
        ),
        row(
            "no auth at all",
            &[
                "auth.6750.missing-token",
                "auth.6750.missing-token-challenge",
                "auth.6750.oversized-token",
            ],
            configured(None),
        ),
        row(
            "another key configured (refuses every token)",
            &[
                "auth.6750.valid-token",
                "auth.7519.expiry-during-connection",
            ],
            configured(
                Policy::hmac(OTHER_SECRET, &["HS256"])
                    .ok()
                    .map(|p| p.audience([AUD]).issuer(ISS)),
            ),
        ),
        // Its answers mangled.
        // The cases whose token is wrong in form only are NON-STRICT when
        // accepted (see `form_flaws_accepted_are_non_strict`); a refusal
        // that is not one fails them.
        row(
            "answers 200",
            &[
                "auth.6750.missing-token",
                "auth.7519.expired",
                "auth.7515.padding",
                "auth.7515.whitespace",
                "auth.7515.not-base64url",
            ],
            strict().mangle_refusal(|r| r.status = 200),
        ),
        row(
            "answers 500",
            &["auth.7515.bad-signature", "auth.6750.oversized-token"],
            strict().mangle_refusal(|r| r.status = 500),
        ),
        row(
            "no challenge",
            &[
                "auth.6750.missing-token-challenge",
                "auth.6750.invalid-token-challenge",
            ],
            strict().mangle_refusal(no_challenge),
        ),
        row(
            "closes instead of refusing",
            &[
                "auth.6750.missing-token",
                "auth.6750.oversized-token",
                "auth.7515.four-segments",
                "auth.7515.header-not-object",
                "auth.7515.crit-absent",
                "auth.8725.other-alg-same-key",
            ],
            strict().silent_on(|_| true),
        ),
        row(
            "selects the bearer subprotocol",
            &["auth.6750.protocol-not-echoed"],
            strict().mangle_101(select_bearer),
        ),
        row(
            "closes with 1008 at once",
            &["auth.7519.expiry-during-connection"],
            strict().after_upgrade(close_with_1008),
        ),
        // Decisions the reference cannot be configured into.
        row(
            "skips aud",
            &["auth.7519.wrong-audience"],
            // The verifier refuses any aud when none is configured.
            strict().decide(ignoring(&["wrong-audience"])),
        ),
        row(
            "skips the signature",
            &[
                "auth.7515.bad-signature",
                "auth.6750.invalid-token-challenge",
            ],
            strict().decide(ignoring(&["bad-signature"])),
        ),
        row(
            "ignores crit",
            &["auth.7515.crit-unknown"],
            strict().decide(ignoring(&["unsupported-crit"])),
        ),
        row(
            "lenient parser",
            &["auth.7515.two-segments", "auth.7519.claims-not-object"],
            strict().decide(ignoring(&["malformed"])),
        ),
        row(
            "alg from the token (secret)",
            &["auth.8725.alg-none-*"],
            strict().decide(alg_from_token(Signer::Secret)),
        ),
        Fault {
            name: "alg from the token (RSA public key)",
            cases: &["auth.8725.hs-rs-confusion"],
            hooks: configured(Some(strict_policy(Signer::Rsa))).decide(alg_from_token(Signer::Rsa)),
            with: Signer::Rsa,
        },
    ]
}

#[test]
fn every_auth_case_fails_on_its_faulty_target() {
    // Pairs in parallel: each case is a short exchange, a few wait ~1 s.
    faulty::assert_each_fails("auth.", &faults(), 8, |case, fault, target| {
        let settings = settings(fault.with);
        run_case_with(case, &target, Duration::from_secs(3), Some(&settings))
    });
}

/// A token the key holder signed, with good claims, that is wrong in form
/// only: a target that accepts it lets no forged, expired or misdirected
/// token in, so the case is NON-STRICT with its reason, never FAILED
/// (docs/auth.md, "Severities").
#[test]
fn form_flaws_accepted_are_non_strict() {
    let strict = || configured(Some(strict_policy(Signer::Secret)));
    let lenient: [(&str, Hooks, Signer); 5] = [
        (
            "auth.7515.padding auth.7515.not-base64url auth.7515.four-segments auth.7515.header-not-object",
            strict().decide(ignoring(&["malformed"])),
            Signer::Secret,
        ),
        ("auth.7515.whitespace", configured(None), Signer::Secret),
        (
            "auth.7515.crit-absent",
            strict().decide(ignoring(&["unsupported-crit"])),
            Signer::Secret,
        ),
        (
            "auth.8725.other-alg-same-key",
            strict().decide(alg_from_token(Signer::Secret)),
            Signer::Secret,
        ),
        (
            "auth.8725.other-alg-same-key",
            configured(Some(strict_policy(Signer::Rsa))).decide(alg_from_token(Signer::Rsa)),
            Signer::Rsa,
        ),
    ];
    let all = registry::all();
    let mut problems = Vec::new();
    for (ids, hooks, signer) in lenient {
        for id in ids.split(' ') {
            let case = all.iter().find(|c| c.id == id).expect(id);
            let target = faulty::serve(hooks.clone());
            let r = run_case_with(
                case,
                &target,
                Duration::from_secs(3),
                Some(&settings(signer)),
            );
            if r.verdict != Verdict::NonStrict || !r.detail.contains("accepted with 101") {
                problems.push(format!("{id}: {} ({})", r.verdict, r.detail));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn auth_cases_pass_on_the_embedded_reference_and_are_unimplemented_without_keys() {
    let e = embedded::start_with_auth().expect("reference starts");
    let cases = registry::select(registry::all(), &["auth".into()], &[]);
    assert!(cases.len() >= 25, "{} auth cases", cases.len());
    let config = RunConfig {
        auth: Some(e.auth.clone()),
        ..RunConfig::default()
    };
    let report = run(&e.target, &cases, &config, &|_| {});
    let bad: Vec<String> = report
        .results
        .iter()
        .filter(|r| !matches!(r.verdict, Verdict::Ok))
        // The embedded key is a secret: HS/RS confusion cannot be tried.
        .filter(|r| !(r.id == "auth.8725.hs-rs-confusion" && r.verdict == Verdict::Unimplemented))
        .map(|r| format!("{} {}: {}", r.verdict, r.id, r.detail))
        .collect();
    assert!(
        bad.is_empty(),
        "not OK on the reference:\n{}",
        bad.join("\n")
    );

    let quick: Vec<_> = cases
        .into_iter()
        .filter(|c| c.id != "auth.7519.expiry-during-connection")
        .collect();
    let report = run(&e.target, &quick, &RunConfig::default(), &|_| {});
    for r in &report.results {
        assert_eq!(r.verdict, Verdict::Unimplemented, "{}: {}", r.id, r.detail);
        assert!(r.detail.contains("--jwt-secret"), "{}", r.detail);
    }
}
