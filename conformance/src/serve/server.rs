//! The sockets of `voxproof serve`: a thread per connection, results per agent, reports
//! ([docs/clients.md](../../../docs/clients.md#serve)).

use super::protocol::{self, Endpoint, Refusal};
use super::spec;
use crate::case::Case;
use crate::report::{self, autobahn};
use crate::run::{self, CaseResult, RunReport};
use crate::target::Target;
use crate::verdict::Verdict;
use crate::wire::frame::{decode, opcode, Decoded};
use crate::wire::http::{parse_request, HttpRequest};
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

/// What `voxproof serve` serves and where its reports go.
pub struct ServeConfig {
    /// The cases, numbered from 1 in this order.
    pub cases: Vec<Case>,
    /// `exclude-agent-cases`: agent pattern → case patterns not run for it.
    pub exclude_agent_cases: Vec<(String, Vec<String>)>,
    /// Deadline of each case, and of each step of a control connection.
    pub timeout: Duration,
    pub reports: Reports,
    /// Print a line per case run, skipped or refused request on stdout.
    pub print: bool,
}

/// Report files, written on each `/updateReports` and when the server stops.
#[derive(Debug, Clone, Default)]
pub struct Reports {
    /// Autobahn-format directory (`index.json` and a file per agent and case).
    pub autobahn: Option<PathBuf>,
    pub json: Option<PathBuf>,
    pub junit: Option<PathBuf>,
    pub html: Option<PathBuf>,
}

/// Every result when the server stopped: a report per agent.
#[derive(Debug, Clone)]
pub struct Served {
    pub agents: BTreeMap<String, RunReport>,
}

impl Served {
    pub fn failed(&self) -> usize {
        self.agents.values().map(RunReport::failed).sum()
    }
}

pub struct Server {
    listener: TcpListener,
    shared: Arc<Shared>,
}

struct Shared {
    config: ServeConfig,
    addr: SocketAddr,
    started: Instant,
    state: Mutex<State>,
    /// Signalled when a case finishes.
    finished: Condvar,
    /// One report writer at a time.
    writing: Mutex<()>,
    stopping: AtomicBool,
}

#[derive(Default)]
struct State {
    /// Agent → case index → its latest result.
    results: BTreeMap<String, BTreeMap<usize, Record>>,
    /// Cases running now, by agent and case index.
    running: HashMap<(String, usize), usize>,
}

#[derive(Clone)]
struct Record {
    result: CaseResult,
    started: SystemTime,
}

impl Server {
    /// Listen on `listen` (`host:port`; port 0 picks a free one).
    pub fn bind(listen: &str, config: ServeConfig) -> Result<Server, String> {
        let listener = TcpListener::bind(listen).map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "cannot listen on {listen}: the address is in use (another server there? --listen HOST:PORT picks another)"
            ),
            _ => format!("cannot listen on {listen}: {e}"),
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        Ok(Server {
            listener,
            shared: Arc::new(Shared {
                config,
                addr,
                started: Instant::now(),
                state: Mutex::default(),
                finished: Condvar::new(),
                writing: Mutex::new(()),
                stopping: AtomicBool::new(false),
            }),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// `ws://127.0.0.1:9001`.
    pub fn url(&self) -> String {
        format!("ws://{}", self.shared.addr)
    }

    /// Serve until `/stopServer` (or `/updateReports?shutdownOnComplete=true`);
    /// then wait for the connections still open, write the reports and
    /// return every result.
    pub fn run(self) -> Result<Served, String> {
        let mut workers: Vec<std::thread::JoinHandle<()>> = Vec::new();
        for conn in self.listener.incoming() {
            if self.shared.stopping.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = conn else { continue };
            workers.retain(|w| !w.is_finished());
            let shared = self.shared.clone();
            let spawned = std::thread::Builder::new()
                .name("voxproof-serve".into())
                .spawn(move || shared.serve(stream));
            if let Ok(w) = spawned {
                workers.push(w);
            }
        }
        for w in workers {
            let _ = w.join();
        }
        self.shared.write_reports()?;
        Ok(self.shared.served())
    }
}

/// Why no request could be read.
enum NoRequest {
    /// Not HTTP (or too long): answered with a 400.
    Malformed(String),
    /// Nothing complete came before the connection ended or time ran out.
    Gone,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn say(&self, line: impl AsRef<str>) {
        if self.config.print {
            println!("{}", line.as_ref());
        }
    }

    fn serve(&self, mut stream: TcpStream) {
        let Ok(peer) = stream.peer_addr() else { return };
        let (request, head, past) = match read_request(&mut stream, self.config.timeout) {
            Ok(r) => r,
            Err(NoRequest::Malformed(why)) => {
                self.refuse(&mut stream, peer, "?", &Refusal { status: 400, why });
                return;
            }
            Err(NoRequest::Gone) => return,
        };
        let ids: Vec<&str> = self.config.cases.iter().map(spec::serve_id).collect();
        match protocol::route(&request, &ids) {
            Err(refusal) => self.refuse(&mut stream, peer, &request.target, &refusal),
            Ok(Endpoint::RunCase { case, agent }) => {
                self.run_case(stream, peer, request, &head, &past, case, agent)
            }
            Ok(endpoint) => self.control(stream, peer, &request, endpoint),
        }
    }

    fn refuse(&self, stream: &mut TcpStream, peer: SocketAddr, target: &str, r: &Refusal) {
        self.say(format!(
            "refused {target} from {peer}: {} {}",
            r.status, r.why
        ));
        let _ = stream.write_all(&protocol::refusal_response(r));
        let _ = stream.shutdown(Shutdown::Write);
    }

    #[allow(clippy::too_many_arguments)]
    fn run_case(
        &self,
        mut stream: TcpStream,
        peer: SocketAddr,
        request: HttpRequest,
        head: &[u8],
        past: &[u8],
        index: usize,
        agent: String,
    ) {
        let case = &self.config.cases[index];
        let id = spec::serve_id(case);
        if spec::excluded_for(&self.config.exclude_agent_cases, &agent, case) {
            // As Autobahn: the connection opens and closes; nothing is recorded.
            self.say(format!(
                "skipped       {id}  {}  [{agent}] (exclude-agent-cases)",
                case.id
            ));
            self.answer(&mut stream, peer, &request, &[], 1000, "");
            return;
        }
        let running = Running::start(self, &agent, index);
        let started = SystemTime::now();
        let client = Target::client(&agent, peer);
        let result = run::run_accepted(
            case,
            &client,
            stream,
            request,
            head,
            past,
            self.config.timeout,
        );
        let note = if result.verdict == Verdict::Ok {
            String::new()
        } else {
            format!(": {}", result.detail)
        };
        self.say(format!(
            "{:<13} {id}  {}  [{agent}]{note}",
            result.verdict.as_str(),
            case.id
        ));
        self.state()
            .results
            .entry(agent)
            .or_default()
            .insert(index, Record { result, started });
        drop(running);
    }

    /// A control endpoint: accept the WebSocket, answer, close.
    fn control(&self, mut stream: TcpStream, peer: SocketAddr, request: &HttpRequest, e: Endpoint) {
        let cases = &self.config.cases;
        match e {
            Endpoint::CaseCount => {
                let n = protocol::case_count(cases.len());
                self.answer(&mut stream, peer, request, &[n], 1000, "");
            }
            Endpoint::CaseInfo { case } => {
                let c = &cases[case];
                let info = protocol::case_info(spec::serve_id(c), &c.title);
                self.answer(&mut stream, peer, request, &[info], 1000, "");
            }
            Endpoint::CaseStatus { case, agent } => {
                if !self.open(&mut stream, peer, request) {
                    return;
                }
                // Autobahn answers once the case has a result; a case
                // still running is waited for (its deadline bounds it).
                match self.result_of(&agent, case) {
                    Some(v) => {
                        self.reply(&mut stream, &[protocol::case_status(v.as_str())], 1000, "")
                    }
                    None => {
                        let why = format!(
                            "case {} ({}) has no result for agent {agent}: run it with /runCase first",
                            case + 1,
                            spec::serve_id(&cases[case])
                        );
                        self.reply(&mut stream, &[], 1008, &why)
                    }
                }
            }
            Endpoint::UpdateReports { agent, stop } => {
                // A harness asks right after its last case closed, which
                // may still be recording its result. The reports are
                // written before the handshake is answered, so a harness
                // that closes at once still finds them (Autobahn's 101
                // leaves only after its reports are written, too).
                let response = match protocol::accept(request) {
                    Ok(r) => r,
                    Err(r) => return self.refuse(&mut stream, peer, &request.target, &r),
                };
                self.wait_idle(agent.as_deref());
                let written = self.write_reports();
                if let Err(e) = &written {
                    eprintln!("error: {e}");
                }
                if stream.write_all(&response).is_ok() {
                    match written {
                        Ok(()) => self.reply(&mut stream, &[], 1000, ""),
                        Err(e) => self.reply(&mut stream, &[], 1011, &e),
                    }
                }
                if stop {
                    self.stop();
                }
            }
            Endpoint::StopServer => {
                self.answer(&mut stream, peer, request, &[], 1000, "");
                self.stop();
            }
            Endpoint::RunCase { .. } => {}
        }
    }

    /// Accept, send `messages`, close with `code`.
    fn answer(
        &self,
        stream: &mut TcpStream,
        peer: SocketAddr,
        request: &HttpRequest,
        messages: &[String],
        code: u16,
        reason: &str,
    ) {
        if self.open(stream, peer, request) {
            self.reply(stream, messages, code, reason);
        }
    }

    /// Answer the opening handshake; false when refused or gone.
    fn open(&self, stream: &mut TcpStream, peer: SocketAddr, request: &HttpRequest) -> bool {
        match protocol::accept(request) {
            Ok(response) => stream.write_all(&response).is_ok(),
            Err(r) => {
                self.refuse(stream, peer, &request.target, &r);
                false
            }
        }
    }

    /// Send `messages` and a close; wait (within the timeout) for the
    /// client's close, then close TCP first, as RFC 6455 §7.1.1 prefers.
    fn reply(&self, stream: &mut TcpStream, messages: &[String], code: u16, reason: &str) {
        let mut out = Vec::new();
        for m in messages {
            out.extend(protocol::text(m));
        }
        out.extend(protocol::close(code, reason));
        if stream.write_all(&out).is_ok() {
            await_close(stream, Instant::now() + self.config.timeout);
        }
        let _ = stream.shutdown(Shutdown::Both);
    }

    fn result_of(&self, agent: &str, case: usize) -> Option<Verdict> {
        let key = (agent.to_string(), case);
        let mut st = self.state();
        while st.running.get(&key).is_some_and(|n| *n > 0) {
            st = self.finished.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        st.results
            .get(agent)
            .and_then(|r| r.get(&case))
            .map(|r| r.result.verdict)
    }

    /// Wait until no case of `agent` (of any agent, for None) is running.
    fn wait_idle(&self, agent: Option<&str>) {
        let mut st = self.state();
        while st
            .running
            .iter()
            .any(|((a, _), n)| *n > 0 && agent.is_none_or(|x| x == a))
        {
            st = self.finished.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the accept loop with a connection of our own.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        let _ = TcpStream::connect_timeout(&wake, self.config.timeout);
    }

    /// Each agent's results, in case order.
    fn snapshot(&self) -> BTreeMap<String, Vec<(usize, Record)>> {
        self.state()
            .results
            .iter()
            .map(|(agent, rs)| {
                let list = rs.iter().map(|(i, r)| (*i, r.clone())).collect();
                (agent.clone(), list)
            })
            .collect()
    }

    fn report_of(&self, agent: &str, records: &[(usize, Record)]) -> RunReport {
        RunReport {
            target: format!("client {agent} (voxproof serve on ws://{})", self.addr),
            auth_target: None,
            warnings: Vec::new(),
            duration: self.started.elapsed(),
            results: records.iter().map(|(_, r)| r.result.clone()).collect(),
        }
    }

    fn served(&self) -> Served {
        let agents = self
            .snapshot()
            .iter()
            .map(|(agent, records)| (agent.clone(), self.report_of(agent, records)))
            .collect();
        Served { agents }
    }

    /// Every report file configured, from every result so far.
    fn write_reports(&self) -> Result<(), String> {
        let _one_writer = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let snapshot = self.snapshot();
        let reports = &self.config.reports;
        if let Some(dir) = &reports.autobahn {
            let agents: Vec<autobahn::Agent> = snapshot
                .iter()
                .map(|(name, records)| autobahn::Agent {
                    name,
                    entries: records
                        .iter()
                        .map(|(i, r)| autobahn::Entry {
                            number: i + 1,
                            result: &r.result,
                            started: Some(r.started),
                        })
                        .collect(),
                })
                .collect();
            autobahn::write(dir, &agents, true)?;
        }
        if reports.json.is_none() && reports.junit.is_none() && reports.html.is_none() {
            return Ok(());
        }
        let mut all = self.combined(&snapshot);
        report::shorten_wire(&mut all.results, report::WireDetail::Summary);
        let files = [
            (
                &reports.json,
                "JSON",
                report::json::render as fn(&RunReport) -> String,
            ),
            (&reports.junit, "JUnit", report::junit::render),
            (&reports.html, "HTML", report::html::render),
        ];
        for (path, kind, render) in files {
            let Some(path) = path else { continue };
            std::fs::write(path, render(&all)).map_err(|e| {
                format!("cannot write the {kind} report to {}: {e}", path.display())
            })?;
        }
        Ok(())
    }

    /// One report of every agent's results: with several agents, each id
    /// is prefixed with its agent (`Tungstenite/client.framing.…`) so ids
    /// stay unique and group by agent.
    fn combined(&self, snapshot: &BTreeMap<String, Vec<(usize, Record)>>) -> RunReport {
        let names: Vec<&str> = snapshot.keys().map(String::as_str).collect();
        let mut results = Vec::new();
        for (agent, records) in snapshot {
            for (_, r) in records {
                let mut result = r.result.clone();
                if names.len() > 1 {
                    result.id = format!("{agent}/{}", result.id);
                }
                results.push(result);
            }
        }
        let who = match names.as_slice() {
            [] => "no client yet".to_string(),
            [one] => format!("client {one}"),
            many => format!("clients {}", many.join(", ")),
        };
        RunReport {
            target: format!("{who} (voxproof serve on ws://{})", self.addr),
            auth_target: None,
            warnings: Vec::new(),
            duration: self.started.elapsed(),
            results,
        }
    }
}

/// A case counted as running until dropped (also when the case panics).
struct Running<'a> {
    shared: &'a Shared,
    key: (String, usize),
}

impl<'a> Running<'a> {
    fn start(shared: &'a Shared, agent: &str, case: usize) -> Running<'a> {
        let key = (agent.to_string(), case);
        *shared.state().running.entry(key.clone()).or_default() += 1;
        Running { shared, key }
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let mut st = self.shared.state();
        if let Some(n) = st.running.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                st.running.remove(&self.key);
            }
        }
        drop(st);
        self.shared.finished.notify_all();
    }
}

/// The request head (and whatever came after it), within `timeout`.
fn read_request(
    stream: &mut TcpStream,
    timeout: Duration,
) -> Result<(HttpRequest, Vec<u8>, Vec<u8>), NoRequest> {
    let deadline = Instant::now() + timeout;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match parse_request(&buf) {
            Ok(Some((request, len))) => {
                let past = buf.split_off(len);
                return Ok((request, buf, past));
            }
            Ok(None) => {}
            Err(e) => return Err(NoRequest::Malformed(e)),
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(NoRequest::Gone);
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return Err(NoRequest::Gone),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Read (and drop) what the client sends until its close frame, the end
/// of the stream or `deadline`.
fn await_close(stream: &mut TcpStream, deadline: Instant) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match decode(&buf, 1 << 20) {
            Decoded::Frame(frame, _) if frame.opcode == opcode::CLOSE => return,
            Decoded::Frame(_, used) => {
                buf.drain(..used);
                continue;
            }
            Decoded::Invalid(_) => return,
            Decoded::Partial => {}
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}
