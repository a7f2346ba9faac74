//! Runs `vectors/jwt/*.json` through the verifier, reading the JSON itself (not through the vectors
//! crate) ([docs/auth.md](../../../docs/auth.md#voxproof-vectors-jwt)).

use super::policy::{Policy, PolicyError};
use super::verify::{verify, verify_jws, AuthError};
use serde::Deserialize;
use serde_json::Value;

/// The files, embedded at build time, named as under `vectors/`.
pub const FILES: [(&str, &str); 5] = [
    (
        "jwt/published.json",
        include_str!("../../../vectors/jwt/published.json"),
    ),
    (
        "jwt/algorithms.json",
        include_str!("../../../vectors/jwt/algorithms.json"),
    ),
    (
        "jwt/claims.json",
        include_str!("../../../vectors/jwt/claims.json"),
    ),
    (
        "jwt/header.json",
        include_str!("../../../vectors/jwt/header.json"),
    ),
    (
        "jwt/attacks.json",
        include_str!("../../../vectors/jwt/attacks.json"),
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    /// The group needs an algorithm the verifier does not implement.
    Skip,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VectorOutcome {
    pub file: String,
    pub tc_id: u32,
    pub verdict: Verdict,
    pub detail: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct File {
    pub test_groups: Vec<Group>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Group {
    #[serde(rename = "type")]
    pub kind: String,
    pub key: Value,
    pub key_pem: Option<String>,
    pub algorithms: Vec<String>,
    pub validation: Option<Validation>,
    pub tests: Vec<Test>,
}

#[derive(Deserialize)]
pub(crate) struct Validation {
    pub now: u64,
    pub leeway: u64,
    pub aud: Option<Vec<String>>,
    pub iss: Option<String>,
    pub required: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Test {
    tc_id: u32,
    pub token: String,
    pub result: String,
    pub error: Option<String>,
    claims: Option<Value>,
    payload: Option<String>,
}

pub(crate) fn policy(g: &Group) -> Result<Policy, PolicyError> {
    let algs: Vec<&str> = g.algorithms.iter().map(String::as_str).collect();
    let mut p = match &g.key_pem {
        Some(pem) => Policy::public_key_pem(pem.as_bytes(), &algs)?,
        None => Policy::jwks(&g.key.to_string(), &algs)?,
    };
    if let Some(v) = &g.validation {
        p = p.leeway(v.leeway).require(v.required.iter().cloned());
        if let Some(aud) = &v.aud {
            p = p.audience(aud.iter().cloned());
        }
        if let Some(iss) = &v.iss {
            p = p.issuer(iss.clone());
        }
    }
    Ok(p)
}

/// Checks one test; `Err` carries what went wrong.
fn judge(g: &Group, p: &Policy, t: &Test) -> Result<String, String> {
    let got: Result<Option<Value>, AuthError> = if g.kind == "JwsVerify" {
        verify_jws(&t.token, p).map(|jws| {
            Some(Value::String(
                String::from_utf8_lossy(&jws.payload).into_owned(),
            ))
        })
    } else {
        let now = g.validation.as_ref().map_or(0, |v| v.now);
        verify(&t.token, p, now).map(|c| Some(Value::Object(c.into_map())))
    };
    let want_out = if g.kind == "JwsVerify" {
        t.payload.clone().map(Value::String)
    } else {
        t.claims.clone()
    };
    match (t.result.as_str(), got) {
        ("valid" | "acceptable", Ok(out)) => {
            if want_out.is_some() && out != want_out {
                Err(format!(
                    "accepted, but returned {out:?}, expected {want_out:?}"
                ))
            } else {
                Ok("accepted".into())
            }
        }
        ("invalid" | "acceptable", Err(e)) => match &t.error {
            Some(want) if want != e.code() => Err(format!("rejected with {e}, expected {want}")),
            _ => Ok(format!("rejected: {e}")),
        },
        ("valid", Err(e)) => Err(format!("rejected a valid token: {e}")),
        ("invalid", Ok(_)) => Err(format!(
            "accepted an invalid token (expected {})",
            t.error.as_deref().unwrap_or("?")
        )),
        (other, _) => Err(format!("unknown result {other:?}")),
    }
}

/// Runs the given files (name, JSON text).
pub fn run_jwt_vector_texts(files: &[(&str, &str)]) -> Vec<VectorOutcome> {
    let mut out = Vec::new();
    for (name, text) in files {
        let file: File = match serde_json::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                out.push(VectorOutcome {
                    file: name.to_string(),
                    tc_id: 0,
                    verdict: Verdict::Fail,
                    detail: format!("file does not parse: {e}"),
                });
                continue;
            }
        };
        for g in &file.test_groups {
            let p = policy(g);
            for t in &g.tests {
                let (verdict, detail) = match &p {
                    Err(PolicyError::UnsupportedAlgorithm(a)) => {
                        (Verdict::Skip, format!("algorithm {a} not implemented"))
                    }
                    Err(e) => (Verdict::Fail, format!("cannot configure the group: {e}")),
                    Ok(p) => match judge(g, p, t) {
                        Ok(d) => (Verdict::Pass, d),
                        Err(d) => (Verdict::Fail, d),
                    },
                };
                out.push(VectorOutcome {
                    file: name.to_string(),
                    tc_id: t.tc_id,
                    verdict,
                    detail,
                });
            }
        }
    }
    out
}

/// Runs every embedded JWT vector file: one outcome per test.
pub fn run_jwt_vectors() -> Vec<VectorOutcome> {
    run_jwt_vector_texts(&FILES)
}
