//! Proof that every client opening-handshake case (`client.handshake.*`) can
//! fail, and that a client doing what RFC 6455 §4.1 asks passes them all.
//!
//! A small server plays `voxproof serve`: it accepts connections, reads each
//! request head with `parse_request` and runs the case its
//! `/runCase?case=N&agent=A` names with `run_accepted`. The clients:
//! tungstenite's (its verdicts pinned, with the few places it departs from
//! the RFC), a client written here that checks the response as §4.1 says and
//! then echoes through tungstenite, and that same client with one check
//! switched off (or one rule made stricter than the RFC), each of which must
//! make the cases about that check FAILED. Every case must be claimed.

use crate::common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha1::{Digest, Sha1};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;
use tungstenite::protocol::Role;
use tungstenite::{Message, WebSocket};
use voxproof_conformance::case::{Case, Origin};
use voxproof_conformance::cases::client;
use voxproof_conformance::run::{run_accepted, CaseResult};
use voxproof_conformance::target::Target;
use voxproof_conformance::verdict::Verdict;
use voxproof_conformance::wire::http::parse_request;

const PREFIX: &str = "client.handshake.";

/// Each case's deadline, long enough that a loaded machine still delivers
/// every echo before it. Only a client that sends nothing waits it out: the
/// one that drops bytes after the head, when its read took the probe too.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A client gives up reading after this (the server closes every connection
/// when its case ends, so this only bounds a defect of the test).
const CLIENT_PATIENCE: Duration = Duration::from_secs(30);

/// Client runs at once: they mostly wait on each other.
const PARALLEL: usize = 16;

const RFC_EXAMPLE_ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

// ------------------------------------------------------------------ the server

type Waiting = Arc<Mutex<HashMap<(String, usize), mpsc::Sender<CaseResult>>>>;

/// Results of runs asked for by (agent, case number); the number is
/// 1-based into `client::handshake::cases()`.
struct Server {
    addr: SocketAddr,
    waiting: Waiting,
}

fn start_server() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    let waiting: Waiting = Arc::default();
    let cases = Arc::new(client::handshake::cases());
    let w = waiting.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (w, cases) = (w.clone(), cases.clone());
            std::thread::spawn(move || serve(stream, &cases, &w));
        }
    });
    Server { addr, waiting }
}

fn serve(mut stream: TcpStream, cases: &[Case], waiting: &Waiting) {
    // One write, one segment: the byte-by-byte case's writes stay apart.
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(TIMEOUT));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let (request, len) = loop {
        match parse_request(&buf) {
            Ok(Some(done)) => break done,
            Ok(None) => {}
            // The waiting run sees its sender dropped.
            Err(_) => return,
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let n: usize = request
        .query("case")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let agent = request.query("agent").unwrap_or_default();
    let Some(tx) = waiting.lock().unwrap().remove(&(agent.clone(), n)) else {
        return;
    };
    let Ok(peer) = stream.peer_addr() else { return };
    let result = run_accepted(
        &cases[n - 1],
        &Target::client(&agent, peer),
        stream,
        request,
        &buf[..len],
        &buf[len..],
        TIMEOUT,
    );
    let _ = tx.send(result);
}

// ----------------------------------------------------------------- the runs

/// What a client offers in its request.
#[derive(Debug, Clone, Default)]
struct Offer {
    protocols: Vec<String>,
    extensions: Vec<String>,
}

/// The offer the vector's client made for a case (none for the split 101).
fn vector_offer(id: &str) -> Offer {
    let name = id.strip_prefix(PREFIX).unwrap_or(id);
    voxproof_vectors::handshake_client()
        .tests()
        .find(|t| t.name == name)
        .map(|t| Offer {
            protocols: t.protocols.clone(),
            extensions: t.extensions.clone(),
        })
        .unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Client {
    Tungstenite,
    Raw(Fault),
}

struct Job {
    agent: &'static str,
    id: String,
    client: Client,
    offer: Offer,
}

fn number_of(id: &str) -> usize {
    client::handshake::cases()
        .iter()
        .position(|c| c.id == id)
        .unwrap_or_else(|| panic!("no case {id}"))
        + 1
}

/// Run every job, PARALLEL at a time; results in the jobs' order.
fn run_all(jobs: Vec<Job>) -> Vec<(Job, CaseResult)> {
    let server = start_server();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<CaseResult>>> = Mutex::new(vec![None; jobs.len()]);
    std::thread::scope(|s| {
        for _ in 0..PARALLEL.min(jobs.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let r = run_one(&server, job);
                results.lock().unwrap()[i] = Some(r);
            });
        }
    });
    let results = results.into_inner().unwrap();
    jobs.into_iter()
        .zip(results)
        .map(|(j, r)| (j, r.expect("every job ran")))
        .collect()
}

fn run_one(server: &Server, job: &Job) -> CaseResult {
    let n = number_of(&job.id);
    let (tx, rx) = mpsc::channel();
    server
        .waiting
        .lock()
        .unwrap()
        .insert((job.agent.to_string(), n), tx);
    let path = format!("/runCase?case={n}&agent={}", job.agent);
    let (addr, client, offer) = (server.addr, job.client, job.offer.clone());
    let handle = std::thread::spawn(move || {
        let Ok(stream) = TcpStream::connect(addr) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(CLIENT_PATIENCE));
        match client {
            Client::Tungstenite => tungstenite_client(stream, addr, &path, &offer),
            Client::Raw(fault) => raw_client(stream, &path, &offer, fault),
        }
    });
    let result = rx
        .recv_timeout(TIMEOUT * 3)
        .unwrap_or_else(|e| panic!("{} ({}): no result: {e}", job.id, job.agent));
    let _ = handle.join();
    result
}

/// `VERDICT id (agent): detail` lines.
fn lines<'a>(results: impl IntoIterator<Item = &'a (Job, CaseResult)>) -> String {
    results
        .into_iter()
        .map(|(j, r)| format!("{} {} ({}): {}", r.verdict, r.id, j.agent, r.detail))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ids(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| format!("{PREFIX}{n}")).collect()
}

// ------------------------------------------------------------------ clients

fn echo(mut ws: WebSocket<TcpStream>, change: bool) {
    while let Ok(m) = ws.read() {
        if m.is_text() || m.is_binary() {
            let m = if change {
                Message::text(format!("echo: {}", m.to_text().unwrap_or_default()))
            } else {
                m
            };
            if ws.send(m).is_err() {
                break;
            }
        }
    }
}

fn tungstenite_client(stream: TcpStream, addr: SocketAddr, path: &str, offer: &Offer) {
    use tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://{addr}{path}")
        .into_client_request()
        .expect("a ws:// URL");
    let headers = request.headers_mut();
    if !offer.protocols.is_empty() {
        let value = offer.protocols.join(", ").parse().expect("a field value");
        headers.insert("Sec-WebSocket-Protocol", value);
    }
    if !offer.extensions.is_empty() {
        let value = offer.extensions.join(", ").parse().expect("a field value");
        headers.insert("Sec-WebSocket-Extensions", value);
    }
    if let Ok((ws, _)) = tungstenite::client(request, stream) {
        echo(ws, false);
    }
}

/// One check of RFC 6455 §4.1 missing from the client written here, or one
/// rule it applies more strictly than the RFC does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    /// Sec-WebSocket-Accept not checked at all.
    AnyAccept,
    /// Of several Sec-WebSocket-Accept lines, the first counts (tungstenite).
    AcceptFirstLine,
    /// Sec-WebSocket-Accept compared without regard to case.
    AcceptIgnoringCase,
    /// Compares Sec-WebSocket-Accept with the RFC 6455 §1.3 example's.
    RfcExampleAccept,
    IgnoresUpgrade,
    IgnoresConnection,
    /// Checks a 101's fields but never the status: any other response also
    /// ends the handshake (a forgotten `else`).
    AnyStatus,
    /// Any Sec-WebSocket-Protocol accepted.
    AnySubprotocol,
    /// Sec-WebSocket-Extensions never checked (tungstenite).
    AnyExtension,
    /// The response must come in one read.
    SingleRead,
    /// Bytes read past the response head are thrown away.
    DropsTrailing,
    /// Answers each message with one of its own (so an open connection shows
    /// as one that carries the probe wrongly).
    WrongEcho,
    /// Field names compared as written.
    CaseSensitiveNames,
    /// `websocket` and `Upgrade` compared as written.
    CaseSensitiveValues,
    /// Connection must be `Upgrade` alone, not a list holding it (tungstenite).
    ConnectionWholeValue,
    /// The reason phrase must be `Switching Protocols`.
    ExactReasonPhrase,
    /// Fails on any field the handshake does not use.
    RejectsUnknownFields,
    /// Keeps the whitespace after a field's colon but one space.
    NoOwsTrim,
    /// Having offered subprotocols, requires one to be selected (tungstenite).
    RequiresSubprotocol,
    /// Only its first offered subprotocol may be selected.
    FirstSubprotocolOnly,
    /// Offers extensions but fails when one is accepted.
    RejectsExtensions,
}

/// Each fault and the cases it must make FAILED.
const FAULTS: &[(Fault, &str, &[&str])] = &[
    (
        Fault::AnyAccept,
        "any-accept",
        &[
            "accept-wrong-key",
            "accept-lowercase",
            "accept-missing",
            "accept-no-padding",
            "accept-from-decoded-key",
            "accept-echoes-key",
            "accept-duplicate",
        ],
    ),
    (
        Fault::AcceptFirstLine,
        "accept-first-line",
        &["accept-duplicate"],
    ),
    (
        Fault::AcceptIgnoringCase,
        "accept-ignoring-case",
        &["accept-lowercase"],
    ),
    (
        Fault::RfcExampleAccept,
        "rfc-example-accept",
        &["accept-other-key"],
    ),
    (
        Fault::IgnoresUpgrade,
        "ignores-upgrade",
        &["upgrade-missing", "upgrade-h2c", "upgrade-list"],
    ),
    (
        Fault::IgnoresConnection,
        "ignores-connection",
        &["connection-missing", "connection-keep-alive"],
    ),
    (
        Fault::AnyStatus,
        "any-status",
        &["status-200", "status-400", "status-426", "status-302"],
    ),
    (
        Fault::AnySubprotocol,
        "any-subprotocol",
        &[
            "subprotocol-not-offered",
            "subprotocol-not-among-offered",
            "subprotocol-list-returned",
            "subprotocol-duplicate",
            "subprotocol-case-mismatch",
        ],
    ),
    (
        Fault::AnyExtension,
        "any-extension",
        &["extension-not-offered", "extension-not-among-offered"],
    ),
    (
        Fault::SingleRead,
        "single-read",
        &["rfc-example-byte-by-byte"],
    ),
    (
        Fault::DropsTrailing,
        "drops-trailing",
        &["frame-after-handshake"],
    ),
    (
        Fault::WrongEcho,
        "wrong-echo",
        &["rfc-example", "rfc-example-subprotocol", "http-version-10"],
    ),
    (
        Fault::CaseSensitiveNames,
        "case-sensitive-names",
        &["field-names-lowercase", "field-names-uppercase"],
    ),
    (
        Fault::CaseSensitiveValues,
        "case-sensitive-values",
        &[
            "upgrade-capitalized",
            "upgrade-uppercase",
            "connection-lowercase",
        ],
    ),
    (
        Fault::ConnectionWholeValue,
        "connection-whole-value",
        &["connection-keep-alive-upgrade"],
    ),
    (
        Fault::ExactReasonPhrase,
        "exact-reason-phrase",
        &["reason-phrase-other", "reason-phrase-empty"],
    ),
    (
        Fault::RejectsUnknownFields,
        "rejects-unknown-fields",
        &["unknown-fields"],
    ),
    (Fault::NoOwsTrim, "no-ows-trim", &["accept-ows"]),
    (
        Fault::RequiresSubprotocol,
        "requires-subprotocol",
        &["subprotocol-none-selected"],
    ),
    (
        Fault::FirstSubprotocolOnly,
        "first-subprotocol-only",
        &["subprotocol-second-choice"],
    ),
    (
        Fault::RejectsExtensions,
        "rejects-extensions",
        &["extension-accepted"],
    ),
];

fn accept(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    STANDARD.encode(sha.finalize())
}

/// A response head as this client reads it: the status line's parts and
/// each field line's name and raw value (after the colon, untrimmed).
struct Head {
    version: String,
    status: String,
    reason: String,
    fields: Vec<(String, String)>,
}

fn parse_head(bytes: &[u8]) -> Option<Head> {
    let text: String = bytes.iter().map(|&b| char::from(b)).collect();
    let mut lines = text.split("\r\n");
    let (version, rest) = lines.next()?.split_once(' ')?;
    let (status, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    let fields = lines
        .take_while(|l| !l.is_empty())
        .map(|l| {
            l.split_once(':')
                .map(|(n, v)| (n.to_string(), v.to_string()))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Head {
        version: version.to_string(),
        status: status.to_string(),
        reason: reason.to_string(),
        fields,
    })
}

const KNOWN_FIELDS: [&str; 5] = [
    "Upgrade",
    "Connection",
    "Sec-WebSocket-Accept",
    "Sec-WebSocket-Protocol",
    "Sec-WebSocket-Extensions",
];

fn extension_names(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(|e| e.split(';').next().unwrap_or_default().trim().to_string())
        .filter(|e| !e.is_empty())
        .collect()
}

/// RFC 6455 §4.1's checks of the server's response (the status, then
/// steps 1-6), with `f`'s change; Err says which failed.
fn check(h: &Head, key: &str, offer: &Offer, f: Fault) -> Result<(), &'static str> {
    use Fault::*;
    // §4.1 ties the client to the status code and fields, not to the minor
    // version (handshake/client.json tcId 29 allows either).
    if !h.version.starts_with("HTTP/1.") {
        return Err("version");
    }
    if h.status != "101" {
        return if f == AnyStatus {
            Ok(())
        } else {
            Err("status")
        };
    }
    if f == ExactReasonPhrase && h.reason != "Switching Protocols" {
        return Err("reason phrase");
    }
    let values = |name: &str| -> Vec<String> {
        h.fields
            .iter()
            .filter(|(n, _)| match f {
                CaseSensitiveNames => n == name,
                _ => n.eq_ignore_ascii_case(name),
            })
            .map(|(_, v)| match f {
                NoOwsTrim => v.strip_prefix(' ').unwrap_or(v).to_string(),
                _ => v.trim_matches([' ', '\t']).to_string(),
            })
            .collect()
    };
    let same = |a: &str, b: &str| match f {
        CaseSensitiveValues => a == b,
        _ => a.eq_ignore_ascii_case(b),
    };
    if f == RejectsUnknownFields
        && h.fields
            .iter()
            .any(|(n, _)| !KNOWN_FIELDS.iter().any(|k| k.eq_ignore_ascii_case(n)))
    {
        return Err("unknown field");
    }
    let upgrade = values("Upgrade");
    if f != IgnoresUpgrade && !(upgrade.len() == 1 && same(&upgrade[0], "websocket")) {
        return Err("Upgrade");
    }
    let connection = values("Connection");
    let has_upgrade = match f {
        ConnectionWholeValue => connection.len() == 1 && same(&connection[0], "Upgrade"),
        _ => connection
            .iter()
            .flat_map(|v| v.split(','))
            .any(|t| same(t.trim(), "Upgrade")),
    };
    if f != IgnoresConnection && !has_upgrade {
        return Err("Connection");
    }
    let expected = match f {
        RfcExampleAccept => RFC_EXAMPLE_ACCEPT.to_string(),
        _ => accept(key),
    };
    let accepts = values("Sec-WebSocket-Accept");
    let accepted = match f {
        AnyAccept => true,
        AcceptFirstLine => accepts.first() == Some(&expected),
        AcceptIgnoringCase => accepts.len() == 1 && accepts[0].eq_ignore_ascii_case(&expected),
        _ => accepts == [expected],
    };
    if !accepted {
        return Err("Sec-WebSocket-Accept");
    }
    let names = extension_names(&values("Sec-WebSocket-Extensions"));
    if f == RejectsExtensions && !names.is_empty() {
        return Err("an extension");
    }
    if f != AnyExtension && !names.iter().all(|n| offer.extensions.contains(n)) {
        return Err("Sec-WebSocket-Extensions");
    }
    let selected = values("Sec-WebSocket-Protocol");
    let protocol_ok = match selected.as_slice() {
        [] => f != RequiresSubprotocol || offer.protocols.is_empty(),
        [p] => {
            offer.protocols.contains(p)
                && (f != FirstSubprotocolOnly || offer.protocols.first() == Some(p))
        }
        _ => false,
    };
    if f != AnySubprotocol && !protocol_ok {
        return Err("Sec-WebSocket-Protocol");
    }
    Ok(())
}

/// The client written here: its own request and response check, then
/// tungstenite for the frames (given the bytes read past the head). A
/// failed check fails the connection: it closes without a frame.
fn raw_client(mut stream: TcpStream, path: &str, offer: &Offer, f: Fault) {
    let key = STANDARD.encode(rand::random::<[u8; 16]>());
    let mut request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
    );
    if !offer.protocols.is_empty() {
        request += &format!("Sec-WebSocket-Protocol: {}\r\n", offer.protocols.join(", "));
    }
    if !offer.extensions.is_empty() {
        request += &format!(
            "Sec-WebSocket-Extensions: {}\r\n",
            offer.extensions.join(", ")
        );
    }
    request += "\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return;
    }
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if f == Fault::SingleRead || buf.len() > 64 * 1024 {
            return;
        }
    };
    let Some(head) = parse_head(&buf[..end]) else {
        return;
    };
    if check(&head, &key, offer, f).is_err() {
        return;
    }
    let rest = match f {
        Fault::DropsTrailing => Vec::new(),
        _ => buf[end..].to_vec(),
    };
    echo(
        WebSocket::from_partially_read(stream, rest, Role::Client, None),
        f == Fault::WrongEcho,
    );
}

// -------------------------------------------------------------------- tests

/// Cases that need an offer a client offering nothing did not make.
const NEED_AN_OFFER: &[&str] = &[
    "rfc-example-subprotocol",
    "subprotocol-second-choice",
    "subprotocol-none-selected",
    "extension-accepted",
    "subprotocol-not-among-offered",
    "subprotocol-list-returned",
    "subprotocol-duplicate",
    "subprotocol-case-mismatch",
    "extension-not-among-offered",
];

/// Where tungstenite 0.29's client (src/handshake/client.rs,
/// `verify_response`) departs from RFC 6455 §4.1, whatever it offered:
/// Connection is compared as a whole value, not as a token list; the first
/// of several Sec-WebSocket-Accept lines is taken; Sec-WebSocket-Extensions
/// is not checked (a TODO in its source).
const TUNGSTENITE_FAILS: &[&str] = &[
    "connection-keep-alive-upgrade",
    "accept-duplicate",
    "extension-not-offered",
];

/// tungstenite refuses a response head that takes more than 64 reads
/// averaging under 128 bytes each, as an attack (`AttackCheck` in its
/// src/handshake/machine.rs): FAILED when its reads see the bytes apart, as
/// they do unless its thread was kept from reading for most of the writes.
const TUNGSTENITE_FAILS_SPLIT: &str = "rfc-example-byte-by-byte";

/// And once it offers what the vectors' client offered: it requires a
/// subprotocol to be selected, takes the first of several
/// Sec-WebSocket-Protocol lines, and accepts any extension.
const TUNGSTENITE_FAILS_OFFERING: &[&str] = &[
    "subprotocol-none-selected",
    "subprotocol-duplicate",
    "extension-not-among-offered",
];

fn with_verdict(results: &[(Job, CaseResult)], agent: &str, v: Verdict) -> BTreeSet<String> {
    results
        .iter()
        .filter(|(j, r)| j.agent == agent && r.verdict == v)
        .map(|(_, r)| r.id.clone())
        .collect()
}

#[test]
fn tungstenite_fails_only_where_it_departs_from_the_rfc() {
    let mut jobs = Vec::new();
    for c in client::handshake::cases() {
        jobs.push(Job {
            agent: "tungstenite",
            id: c.id.to_string(),
            client: Client::Tungstenite,
            offer: Offer::default(),
        });
        jobs.push(Job {
            agent: "tungstenite-offering",
            id: c.id.to_string(),
            client: Client::Tungstenite,
            offer: vector_offer(&c.id),
        });
    }
    let results = run_all(jobs);
    let report = lines(&results);
    let split = format!("{PREFIX}{TUNGSTENITE_FAILS_SPLIT}");
    for (_, r) in results.iter().filter(|(_, r)| r.id == split) {
        assert!(
            matches!(r.verdict, Verdict::Failed | Verdict::Ok),
            "{report}"
        );
    }
    let failed = with_verdict(&results, "tungstenite", Verdict::Failed);
    let others: BTreeSet<String> = failed.into_iter().filter(|id| *id != split).collect();
    assert_eq!(others, ids(TUNGSTENITE_FAILS), "{report}");
    let unimplemented = with_verdict(&results, "tungstenite", Verdict::Unimplemented);
    assert_eq!(unimplemented, ids(NEED_AN_OFFER), "{report}");
    for (_, r) in results
        .iter()
        .filter(|(_, r)| r.verdict == Verdict::Unimplemented)
    {
        assert!(r.detail.contains("the client offered no "), "{report}");
    }
    let failed = with_verdict(&results, "tungstenite-offering", Verdict::Failed);
    let failed: BTreeSet<String> = failed.into_iter().filter(|id| *id != split).collect();
    let expected: BTreeSet<String> = ids(TUNGSTENITE_FAILS)
        .into_iter()
        .chain(ids(TUNGSTENITE_FAILS_OFFERING))
        .collect();
    assert_eq!(failed, expected, "{report}");
    let unimplemented = with_verdict(&results, "tungstenite-offering", Verdict::Unimplemented);
    assert!(unimplemented.is_empty(), "{report}");
    // It refuses HTTP/1.0 (its parser wants 1.1), which tcId 29 allows.
    let (_, v10) = results
        .iter()
        .find(|(j, r)| j.agent == "tungstenite" && r.id == format!("{PREFIX}http-version-10"))
        .expect("the HTTP/1.0 case ran");
    assert_eq!(v10.verdict, Verdict::Informational, "{}", v10.detail);
}

#[test]
fn a_client_that_checks_what_the_rfc_asks_passes_every_case() {
    let jobs = client::handshake::cases()
        .iter()
        .map(|c| Job {
            agent: "checks-everything",
            id: c.id.to_string(),
            client: Client::Raw(Fault::None),
            offer: vector_offer(&c.id),
        })
        .collect();
    let results = run_all(jobs);
    let bad: Vec<_> = results
        .iter()
        .filter(|(_, r)| !matches!(r.verdict, Verdict::Ok | Verdict::Informational))
        .collect();
    assert!(bad.is_empty(), "{}", lines(bad));
    // The client's own key was used: the vector's is the RFC example's.
    let (_, first) = &results[0];
    assert_eq!(first.verdict, Verdict::Ok, "{}", first.detail);
}

#[test]
fn every_case_fails_against_a_client_missing_its_check() {
    let mut jobs = Vec::new();
    for (fault, agent, names) in FAULTS {
        for id in ids(names) {
            jobs.push(Job {
                agent,
                offer: vector_offer(&id),
                id,
                client: Client::Raw(*fault),
            });
        }
    }
    let claimed: BTreeSet<String> = jobs.iter().map(|j| j.id.clone()).collect();
    assert_every_case_claimed(&claimed);
    let results = run_all(jobs);
    let not_failed: Vec<_> = results
        .iter()
        .filter(|(_, r)| r.verdict != Verdict::Failed)
        .collect();
    assert!(not_failed.is_empty(), "{}", lines(not_failed));
}

/// `common::assert_every_case_claimed`, over the client cases:
/// `registry::all()`, which that helper reads, holds only the cases run
/// against servers.
fn assert_every_case_claimed(claimed: &BTreeSet<String>) {
    let all: BTreeSet<String> = client::cases()
        .iter()
        .map(|c| c.id.to_string())
        .filter(|id| id.starts_with(PREFIX))
        .collect();
    let unclaimed: Vec<_> = all.difference(claimed).collect();
    assert!(
        unclaimed.is_empty(),
        "cases with no faulty client: {unclaimed:?}"
    );
    let unknown: Vec<_> = claimed.difference(&all).collect();
    assert!(unknown.is_empty(), "faults name unknown cases: {unknown:?}");
}

#[test]
fn the_cases_are_the_vector_files_tests() {
    let file = voxproof_vectors::handshake_client();
    let text = voxproof_vectors::raw::HANDSHAKE_CLIENT;
    let cases = client::handshake::cases();
    assert_eq!(cases.len(), file.tests().count() + 1);
    let unique: BTreeSet<&str> = cases.iter().map(|c| c.id.as_ref()).collect();
    assert_eq!(unique.len(), cases.len(), "ids are unique");
    let root = common::quotes::root();
    let mut rfcs: BTreeMap<String, String> = BTreeMap::new();
    for c in &cases {
        assert!(c.id.starts_with(PREFIX), "{}", c.id);
        if let Origin::Vector { file, line, tc_id } = &c.origin {
            assert_eq!(file, "vectors/handshake/client.json");
            let name = c.id.strip_prefix(PREFIX).unwrap_or_default();
            let at = text.lines().nth(line - 1).unwrap_or_default();
            assert!(
                at.contains(&format!("\"name\": \"{name}\"")),
                "{}: {at}",
                c.id
            );
            assert_eq!(tc_id_of(name), *tc_id, "{}", c.id);
        }
        // Each excerpt of the requirement is in an RFC the citation names.
        let citation = c.rule.citation();
        let bodies: Vec<String> = citation
            .match_indices("RFC ")
            .map(|(i, _)| {
                citation[i + 4..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
            })
            .filter_map(|n| {
                let body = rfcs
                    .entry(n.clone())
                    .or_insert_with(|| {
                        common::quotes::shipped_rfc(&root, &n)
                            .map(|(_, b)| b)
                            .unwrap_or_default()
                    })
                    .clone();
                (!body.is_empty()).then_some(body)
            })
            .collect();
        assert!(
            !bodies.is_empty(),
            "{}: {citation} names no shipped RFC",
            c.id
        );
        for excerpt in common::quotes::excerpts(&c.rule.text) {
            assert!(
                bodies
                    .iter()
                    .any(|b| common::quotes::occurs_from_mid_sentence(&excerpt, b)),
                "{}: not in {citation}: {excerpt}",
                c.id
            );
        }
    }
}

/// The tcId of the vector test called `name`.
fn tc_id_of(name: &str) -> u32 {
    voxproof_vectors::handshake_client()
        .tests()
        .find(|t| t.name == name)
        .map_or(0, |t| t.tc_id)
}
