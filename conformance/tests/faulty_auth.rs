//! Proof that every auth case can fail: each runs against a server lacking
//! the check it tests, and must come out FAILED. Every `auth.` case must be
//! claimed by a fault. Plus: the auth group passes on the embedded reference.
//!
//! A faulty server is the reference handshake and authorizer (pure
//! functions) with one thing changed: a verifier error it ignores, the
//! algorithm taken from the token, no auth at all, or its answers mangled.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
mod common;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use voxproof_conformance::cases::auth::{AuthSettings, Key, TokenIn};
use voxproof_conformance::run::{run, run_case_with, RunConfig};
use voxproof_conformance::target::Target;
use voxproof_conformance::verdict::Verdict;
use voxproof_conformance::{embedded, registry};
use voxproof_reference::auth::bearer::{authorize, Denied};
use voxproof_reference::auth::carrier;
use voxproof_reference::auth::{verify, Policy};
use voxproof_reference::handshake::{
    parse_request, respond, Accepted, Limits, Parsed, Request, ServerConfig,
};

// 64 bytes or more, so HS512 may use it too (RFC 7518 §3.2).
const SECRET: &[u8] =
    b"a secret of at least sixty-four bytes, so that every HS algorithm may use it";
const AUD: &str = "voxproof";
const ISS: &str = "voxproof-faults";

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Accept a token the verifier refuses with one of these error codes.
    Ignore(&'static [&'static str]),
    /// Verify under the token's own alg, keyed with the configured key bytes
    /// (CVE-2016-10555 style); `none` needs no signature.
    AlgFromToken,
    /// No authentication at all.
    NoAuth,
    /// Refuse every request with 401.
    RefuseAll,
    /// Send refusals with this status instead.
    Status(u16),
    /// Refusals without WWW-Authenticate.
    NoChallenge,
    /// Close without a response instead of refusing.
    Silent,
    /// Select the offered bearer.<token> subprotocol in the 101.
    EchoBearer,
    /// Close with 1008 right after the 101.
    CloseAtOnce,
}

#[derive(Clone, Copy)]
struct Fault {
    name: &'static str,
    cases: &'static [&'static str],
    mode: Mode,
    /// Configure an RSA key instead of the secret.
    rsa: bool,
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

fn policy(rsa: bool, algs: &[&str]) -> Option<Policy> {
    let p = if rsa {
        Policy::public_key_pem(&rsa_key().public_pem, algs).ok()?
    } else {
        Policy::hmac(SECRET, algs).ok()?
    };
    Some(p.audience([AUD]).issuer(ISS))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn token_of(request: &Request, accepted: &Accepted) -> Option<String> {
    let auth = request
        .values("Authorization")
        .first()
        .map(|v| String::from_utf8_lossy(v).into_owned());
    carrier::find(auth.as_deref(), accepted.query.as_deref(), [])
        .ok()
        .map(|f| f.token)
}

/// The faulty decision: Ok to upgrade, or the refusal to send.
fn decide(fault: Fault, request: &Request, accepted: &Accepted) -> Result<(), Denied> {
    let alg = if fault.rsa { "RS256" } else { "HS256" };
    let strict = || {
        authorize(
            request,
            accepted,
            "/echo",
            &policy(fault.rsa, &[alg]).unwrap(),
            now(),
        )
    };
    match fault.mode {
        Mode::NoAuth | Mode::EchoBearer | Mode::CloseAtOnce => Ok(()),
        Mode::RefuseAll => Err(strict().err().unwrap_or_else(refuse_everything)),
        Mode::Ignore(codes) => strict().map(drop).or_else(|denied| {
            let token = token_of(request, accepted).ok_or(denied.clone())?;
            match verify(&token, &policy(fault.rsa, &[alg]).unwrap(), now()) {
                Err(e) if codes.contains(&e.code()) => Ok(()),
                _ => Err(denied),
            }
        }),
        Mode::AlgFromToken => strict().map(drop).or_else(|denied| {
            let token = token_of(request, accepted).ok_or(denied.clone())?;
            let header = token.split('.').next().unwrap_or_default();
            let header: serde_json::Value = URL_SAFE_NO_PAD
                .decode(header)
                .ok()
                .and_then(|h| serde_json::from_slice(&h).ok())
                .ok_or(denied.clone())?;
            let token_alg = header["alg"].as_str().unwrap_or_default();
            if token_alg.eq_ignore_ascii_case("none") {
                return Ok(());
            }
            // The configured key's bytes under whatever alg the token names.
            let p = if token_alg.starts_with("HS") {
                let bytes = if fault.rsa {
                    &rsa_key().public_pem[..]
                } else {
                    SECRET
                };
                Policy::hmac(bytes, &[token_alg]).ok()
            } else {
                policy(fault.rsa, &[token_alg])
            };
            match p.map(|p| verify(&token, &p.audience([AUD]).issuer(ISS), now())) {
                Some(Ok(_)) => Ok(()),
                _ => Err(denied),
            }
        }),
        Mode::Status(_) | Mode::NoChallenge | Mode::Silent => strict().map(drop),
    }
}

/// The refusal of a server that refuses even valid tokens.
fn refuse_everything() -> Denied {
    Denied {
        rejection: voxproof_reference::handshake::Rejection::new(401, "unauthorized")
            .with_header("WWW-Authenticate", "Bearer error=\"invalid_token\""),
        why: "refuses everything".into(),
    }
}

fn handle(mut stream: TcpStream, fault: Fault) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let limits = Limits {
        max_header_bytes: 1 << 20,
        max_headers: 256,
    };
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    let (request, _) = loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        match parse_request(&buf, &limits) {
            Ok(Parsed::Complete { request, consumed }) => break (request, consumed),
            Ok(Parsed::Partial) => continue,
            Err(_) => return,
        }
    };
    let config = ServerConfig {
        limits,
        ..ServerConfig::default()
    };
    let Ok(mut accepted) = respond(&request, &config) else {
        return;
    };
    match decide(fault, &request, &accepted) {
        Ok(()) => {
            if fault.mode == Mode::EchoBearer {
                let offered = request
                    .values("Sec-WebSocket-Protocol")
                    .first()
                    .map(|v| String::from_utf8_lossy(v).into_owned());
                if let Some(p) = offered {
                    accepted
                        .response
                        .headers
                        .push(("Sec-WebSocket-Protocol".into(), p));
                }
            }
            let _ = stream.write_all(&accepted.response.to_bytes());
            if fault.mode == Mode::CloseAtOnce {
                let _ = stream.write_all(&[0x88, 0x02, 0x03, 0xf0]);
            }
            // Hold the connection open until the client leaves.
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            while matches!(stream.read(&mut chunk), Ok(n) if n > 0) {}
        }
        Err(denied) => {
            let mut rejection = denied.rejection;
            match fault.mode {
                Mode::Silent => return,
                Mode::Status(s) => rejection.status = s,
                Mode::NoChallenge => rejection
                    .headers
                    .retain(|(n, _)| !n.eq_ignore_ascii_case("WWW-Authenticate")),
                _ => {}
            }
            let _ = stream.write_all(&rejection.response().to_bytes());
            let _ = stream.shutdown(std::net::Shutdown::Write);
            let _ = stream.read(&mut chunk);
        }
    }
}

fn serve(fault: Fault) -> Target {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || handle(stream, fault));
        }
    });
    Target::parse(&format!("ws://{addr}/echo")).unwrap()
}

fn settings(rsa: bool) -> AuthSettings {
    AuthSettings {
        key: if rsa {
            Key::PrivatePem(rsa_key().private_pem.clone())
        } else {
            Key::Secret(SECRET.to_vec())
        },
        public_pem: None,
        alg: if rsa { "RS256" } else { "HS256" }.into(),
        aud: Some(AUD.into()),
        iss: Some(ISS.into()),
        token_in: TokenIn::Header,
        target: None,
    }
}

const NONES: &[&str] = &[
    "auth.8725.alg-none-lower-unsigned",
    "auth.8725.alg-none-lower-signed",
    "auth.8725.alg-none-capital-unsigned",
    "auth.8725.alg-none-capital-signed",
    "auth.8725.alg-none-upper-unsigned",
    "auth.8725.alg-none-upper-signed",
    "auth.8725.alg-none-mixed-unsigned",
    "auth.8725.alg-none-mixed-signed",
];

const F: Fault = Fault {
    name: "",
    cases: &[],
    mode: Mode::NoAuth,
    rsa: false,
};

const FAULTS: &[Fault] = &[
    Fault {
        name: "skips exp",
        cases: &["auth.7519.expired"],
        mode: Mode::Ignore(&["expired"]),
        ..F
    },
    Fault {
        name: "skips nbf",
        cases: &["auth.7519.not-yet-valid"],
        mode: Mode::Ignore(&["not-yet-valid"]),
        ..F
    },
    Fault {
        name: "skips aud",
        cases: &["auth.7519.wrong-audience"],
        mode: Mode::Ignore(&["wrong-audience"]),
        ..F
    },
    Fault {
        name: "skips iss",
        cases: &["auth.7519.wrong-issuer"],
        mode: Mode::Ignore(&["wrong-issuer"]),
        ..F
    },
    Fault {
        name: "skips the signature",
        cases: &[
            "auth.7515.bad-signature",
            "auth.6750.invalid-token-challenge",
        ],
        mode: Mode::Ignore(&["bad-signature"]),
        ..F
    },
    Fault {
        name: "ignores crit",
        cases: &["auth.7515.crit-unknown", "auth.7515.crit-absent"],
        mode: Mode::Ignore(&["unsupported-crit"]),
        ..F
    },
    Fault {
        name: "lenient parser",
        cases: &[
            "auth.7515.two-segments",
            "auth.7515.four-segments",
            "auth.7515.padding",
            "auth.7515.not-base64url",
            "auth.7515.header-not-object",
            "auth.7519.claims-not-object",
        ],
        mode: Mode::Ignore(&["malformed"]),
        ..F
    },
    Fault {
        name: "alg from the token (secret)",
        cases: &[
            "auth.8725.other-alg-same-key",
            NONES[0],
            NONES[1],
            NONES[2],
            NONES[3],
            NONES[4],
            NONES[5],
            NONES[6],
            NONES[7],
        ],
        mode: Mode::AlgFromToken,
        ..F
    },
    Fault {
        name: "alg from the token (RSA public key)",
        cases: &["auth.8725.hs-rs-confusion", "auth.8725.other-alg-same-key"],
        mode: Mode::AlgFromToken,
        rsa: true,
    },
    Fault {
        name: "no auth at all",
        cases: &[
            "auth.6750.missing-token",
            "auth.6750.missing-token-challenge",
            "auth.6750.oversized-token",
            "auth.7515.whitespace",
        ],
        mode: Mode::NoAuth,
        ..F
    },
    Fault {
        name: "answers 200",
        cases: &["auth.6750.missing-token", "auth.7519.expired"],
        mode: Mode::Status(200),
        ..F
    },
    Fault {
        name: "answers 500",
        cases: &["auth.7515.bad-signature", "auth.6750.oversized-token"],
        mode: Mode::Status(500),
        ..F
    },
    Fault {
        name: "no challenge",
        cases: &[
            "auth.6750.missing-token-challenge",
            "auth.6750.invalid-token-challenge",
        ],
        mode: Mode::NoChallenge,
        ..F
    },
    Fault {
        name: "closes instead of refusing",
        cases: &["auth.6750.missing-token", "auth.6750.oversized-token"],
        mode: Mode::Silent,
        ..F
    },
    Fault {
        name: "refuses every token",
        cases: &[
            "auth.6750.valid-token",
            "auth.7519.expiry-during-connection",
        ],
        mode: Mode::RefuseAll,
        ..F
    },
    Fault {
        name: "selects the bearer subprotocol",
        cases: &["auth.6750.protocol-not-echoed"],
        mode: Mode::EchoBearer,
        ..F
    },
    Fault {
        name: "closes with 1008 at once",
        cases: &["auth.7519.expiry-during-connection"],
        mode: Mode::CloseAtOnce,
        ..F
    },
];

#[test]
fn every_auth_case_fails_on_its_faulty_target() {
    let all = registry::all();
    common::assert_every_case_claimed("auth.", FAULTS.iter().flat_map(|f| f.cases.iter().copied()));

    // Faults in parallel: each case is a short exchange, a few wait ~1 s.
    let problems: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = FAULTS
            .iter()
            .map(|fault| {
                let all = &all;
                s.spawn(move || {
                    let target = serve(*fault);
                    let settings = settings(fault.rsa);
                    let mut problems = Vec::new();
                    for id in fault.cases {
                        let case = all.iter().find(|c| c.id == *id).unwrap();
                        let r =
                            run_case_with(case, &target, Duration::from_secs(3), Some(&settings));
                        if r.verdict != Verdict::Failed {
                            problems.push(format!(
                                "{id} on `{}`: {} ({})",
                                fault.name, r.verdict, r.detail
                            ));
                        }
                    }
                    problems
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        problems.is_empty(),
        "cases that did not fail:\n{}",
        problems.join("\n")
    );
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
