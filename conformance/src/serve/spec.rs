//! Autobahn's `fuzzingserver.json` and case selection by Autobahn ids or voxproof ids
//! ([docs/clients.md](../../../docs/clients.md#spec-file)).

use crate::case::Case;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Where Autobahn's fuzzingserver writes its reports when the spec names no `outdir`.
pub const AUTOBAHN_OUTDIR: &str = "./reports/clients/";

/// What voxproof takes from a spec file; other keys (`options`, `protocols`,
/// `webport`) are Autobahn's own settings and are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// `host:port` of the spec's `url`.
    pub listen: Option<String>,
    pub outdir: PathBuf,
    pub cases: Vec<String>,
    pub exclude_cases: Vec<String>,
    /// Agent pattern and the case patterns skipped for agents it matches.
    pub exclude_agent_cases: Vec<(String, Vec<String>)>,
}

impl Spec {
    /// Read and parse a spec file; the error is one line naming the file.
    pub fn read(path: &Path) -> Result<Spec, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--spec {}: cannot read it: {e}", path.display()))?;
        Spec::parse(&text).map_err(|e| format!("--spec {}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Spec, String> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("not a JSON spec file: {e}"))?;
        let Value::Object(obj) = value else {
            return Err("not a JSON object (Autobahn's fuzzingserver.json is one)".into());
        };
        let string = |key: &str| -> Result<Option<String>, String> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(format!("\"{key}\" must be a string")),
            }
        };
        let list = |v: Option<&Value>, what: &str| -> Result<Vec<String>, String> {
            match v {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| match i {
                        Value::String(s) => Ok(s.clone()),
                        _ => Err(format!("{what} must be a list of strings")),
                    })
                    .collect(),
                Some(_) => Err(format!("{what} must be a list of strings")),
            }
        };
        if string("key")?.is_some() || string("cert")?.is_some() {
            return Err(tls_refused());
        }
        let listen = string("url")?.map(|u| listen_of(&u)).transpose()?;
        let mut cases = list(obj.get("cases"), "\"cases\"")?;
        if obj.get("cases").is_none() {
            cases.push("*".into());
        }
        let exclude_cases = list(obj.get("exclude-cases"), "\"exclude-cases\"")?;
        let exclude_agent_cases =
            match obj.get("exclude-agent-cases") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Object(rules)) => rules
                    .iter()
                    .map(|(agent, cases)| {
                        let what = format!("\"exclude-agent-cases\".\"{agent}\"");
                        Ok((agent.clone(), list(Some(cases), &what)?))
                    })
                    .collect::<Result<_, String>>()?,
                Some(_) => return Err(
                    "\"exclude-agent-cases\" must be an object: {agent pattern: [case patterns]}"
                        .into(),
                ),
            };
        Ok(Spec {
            listen,
            outdir: PathBuf::from(string("outdir")?.unwrap_or_else(|| AUTOBAHN_OUTDIR.into())),
            cases,
            exclude_cases,
            exclude_agent_cases,
        })
    }
}

fn tls_refused() -> String {
    "wss:// (\"key\", \"cert\") is not supported: voxproof serve speaks ws:// (put a TLS proxy in front of it for wss://)".into()
}

/// `ws://host:port` → `host:port` (port 80 when none, as for any ws:// URL).
fn listen_of(url: &str) -> Result<String, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("\"url\" {url:?}: not a URL ({e})"))?;
    match parsed.scheme() {
        "ws" => {}
        "wss" => return Err(tls_refused()),
        other => {
            return Err(format!(
                "\"url\" {url:?}: scheme {other}:// (expected ws://host:port)"
            ))
        }
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| format!("\"url\" {url:?}: no host"))?;
    Ok(format!("{host}:{}", parsed.port().unwrap_or(80)))
}

/// The id a harness knows a case by: its Autobahn id (`1.1.1`), or the
/// voxproof id for cases Autobahn does not have (`client.handshake.…`).
pub fn serve_id(case: &Case) -> &str {
    case.autobahn.unwrap_or(&case.id)
}

/// Autobahn's pattern rule: a pattern without `*` names one id exactly; with
/// `*` (any run of characters, dots included) it matches from the start of
/// the id and, when `whole`, up to its end (`exclude-agent-cases`); `cases`
/// and `exclude-cases` are matched from the start only, as Autobahn's
/// `re.match` does.
pub fn autobahn_match(pattern: &str, id: &str, whole: bool) -> bool {
    if !pattern.contains('*') {
        return pattern == id;
    }
    let pieces: Vec<&str> = pattern.split('*').collect();
    let Some(mut rest) = id.strip_prefix(pieces[0]) else {
        return false;
    };
    let (middle, last) = pieces[1..].split_at(pieces.len() - 2);
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    if whole {
        rest.ends_with(last[0])
    } else {
        rest.contains(last[0])
    }
}

/// A pattern selects a case when it matches the case's [`serve_id`] as
/// Autobahn matches ids, or as `voxproof run --cases` does (a glob, or a
/// dotted prefix: `1.1` selects `1.1.1`, `client.handshake` every
/// handshake case). A case with an Autobahn id is never selected by its
/// voxproof id, so `client.*` means the cases Autobahn does not have.
pub fn case_matches(pattern: &str, case: &Case, whole: bool) -> bool {
    let id = serve_id(case);
    autobahn_match(pattern, id, whole) || crate::registry::matches(pattern, id)
}

/// Cases matching an include pattern (all when none) and no exclude
/// pattern, in the order given (the order `voxproof serve` numbers them).
pub fn select(cases: Vec<Case>, include: &[String], exclude: &[String]) -> Vec<Case> {
    cases
        .into_iter()
        .filter(|c| include.is_empty() || include.iter().any(|p| case_matches(p, c, false)))
        .filter(|c| !exclude.iter().any(|p| case_matches(p, c, false)))
        .collect()
}

/// Whether `exclude-agent-cases` skips `case` for `agent`.
pub fn excluded_for(rules: &[(String, Vec<String>)], agent: &str, case: &Case) -> bool {
    rules.iter().any(|(agents, cases)| {
        autobahn_match(agents, agent, true) && cases.iter().any(|p| case_matches(p, case, true))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_follow_autobahn() {
        assert!(autobahn_match("*", "1.1.1", true));
        assert!(autobahn_match("1.*", "1.1.1", false));
        assert!(!autobahn_match("1.*", "10.1.1", false));
        assert!(autobahn_match("9.1.*", "9.1.6", true));
        assert!(!autobahn_match("9.1.*", "9.2.1", true));
        assert!(autobahn_match("1.1.1", "1.1.1", false));
        assert!(!autobahn_match("1.1", "1.1.1", false));
        // re.match anchors the start only; exclude-agent-cases anchors both ends.
        assert!(autobahn_match("*.1", "1.1.2", false));
        assert!(!autobahn_match("*.1", "1.1.2", true));
        assert!(autobahn_match("Tung*", "Tungstenite", true));
        assert!(autobahn_match("*stenite", "Tungstenite", true));
        assert!(!autobahn_match("*stenit", "Tungstenite", true));
    }

    #[test]
    fn a_spec_file_as_autobahn_writes_it() {
        let spec = Spec::parse(
            r#"{"url": "ws://127.0.0.1:9001", "outdir": "./autobahn/client", "cases": ["*"],
                "exclude-cases": ["9.*"], "exclude-agent-cases": {"Tung*": ["1.1.*"]},
                "options": {"failByDrop": false}}"#,
        )
        .unwrap();
        assert_eq!(spec.listen.as_deref(), Some("127.0.0.1:9001"));
        assert_eq!(spec.outdir, PathBuf::from("./autobahn/client"));
        assert_eq!(spec.exclude_cases, ["9.*"]);
        assert_eq!(
            spec.exclude_agent_cases,
            [("Tung*".to_string(), vec!["1.1.*".to_string()])]
        );
        let bare = Spec::parse("{}").unwrap();
        assert_eq!(bare.cases, ["*"]);
        assert_eq!(bare.outdir, PathBuf::from(AUTOBAHN_OUTDIR));
        assert!(Spec::parse(r#"{"url": "wss://x:9001"}"#)
            .unwrap_err()
            .contains("wss://"));
        assert!(Spec::parse(r#"{"cases": "*"}"#)
            .unwrap_err()
            .contains("list of strings"));
        assert!(Spec::parse("[1]").unwrap_err().contains("object"));
    }
}
