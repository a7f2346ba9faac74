//! Verdicts that do not depend on load, and runs and reads that stay
//! bounded whatever the target does: each test stands a deterministic fake
//! target on loopback (a slow one, a silent one, a dripping one, one that
//! dies, one whose header never ends, one that pings forever).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use voxproof_conformance::run::{preflight, run, run_case, run_noted, RunConfig, NOT_RUN};
use voxproof_conformance::target::Target;
use voxproof_conformance::verdict::Verdict;
use voxproof_conformance::wire::log::{EVENT_COST, MAX_LOG_BYTES};
use voxproof_conformance::{cli, embedded, registry, report};

/// Listen on a free loopback port; `serve` gets each connection on its own thread.
fn listen(serve: impl Fn(TcpStream) + Send + Sync + 'static) -> (Target, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let serve = Arc::new(serve);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let serve = serve.clone();
            std::thread::spawn(move || serve(stream));
        }
    });
    (
        Target::parse(&format!("ws://127.0.0.1:{port}/echo")).unwrap(),
        port,
    )
}

/// Copy `from` to `to`, each read taking `per_read` of the one shared
/// `worker` (a single-threaded server: every connection waits its turn),
/// then pass the end on (FIN as FIN).
fn pump(mut from: TcpStream, mut to: TcpStream, worker: Arc<Mutex<()>>, per_read: Duration) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if !per_read.is_zero() {
                    let _busy = worker.lock().unwrap_or_else(|e| e.into_inner());
                    std::thread::sleep(per_read);
                }
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// A correct but slow server: the embedded reference behind a proxy whose
/// one worker spends `per_read` on every read from either side, for all
/// connections together. `accept_at_most` connections, then the port
/// closes (connect refused): a server that dies mid-run.
fn slow_reference(per_read: Duration, accept_at_most: usize) -> Target {
    let (handle, upstream) = embedded::start().expect("reference starts");
    std::mem::forget(handle);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let worker = Arc::new(Mutex::new(()));
    std::thread::spawn(move || {
        for (n, client) in listener.incoming().enumerate() {
            if n >= accept_at_most {
                return; // the listener drops: connects are refused
            }
            let Ok(client) = client else { continue };
            let Ok(server) = TcpStream::connect(upstream.route.addr) else {
                continue;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (w1, w2) = (worker.clone(), worker.clone());
            std::thread::spawn(move || pump(client, server, w1, per_read));
            std::thread::spawn(move || pump(s2, c2, w2, per_read / 2));
        }
    });
    Target::parse(&format!("ws://127.0.0.1:{port}{}", upstream.resource)).unwrap()
}

#[test]
fn a_slow_server_gets_the_same_verdicts_at_any_jobs() {
    // 4 ms of the one worker per read: alone a handshake takes a few ms,
    // with 32 cases at once a few hundred, and more with the 1 s deadline.
    let target = slow_reference(Duration::from_millis(4), usize::MAX);
    let cases = registry::select(
        registry::all(),
        &[
            "handshake.*".into(),
            "framing.basic.*".into(),
            "framing.pingpong.*".into(),
            "framing.close.*".into(),
            "framing.limits.9_1_1".into(),
            "framing.limits.9_2_1".into(),
        ],
        &[],
    );
    let verdicts = |config: RunConfig| -> BTreeMap<String, (Verdict, String)> {
        let config = RunConfig {
            timeout: Duration::from_millis(1000),
            ..config
        };
        run(&target, &cases, &config, &|_| {})
            .results
            .into_iter()
            .map(|r| (r.id, (r.verdict, r.detail)))
            .collect()
    };
    let alone = verdicts(RunConfig {
        jobs: 1,
        adaptive: false,
        ..RunConfig::default()
    });
    let default = verdicts(RunConfig::default());
    let differ: Vec<String> = alone
        .iter()
        .filter(|(id, (v, _))| default[*id].0 != *v)
        .map(|(id, (v, d))| {
            format!(
                "{id}: {v} alone ({d}), {} by default ({})",
                default[id].0, default[id].1
            )
        })
        .collect();
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    let failed: Vec<String> = default
        .iter()
        .filter(|(_, (v, _))| *v == Verdict::Failed)
        .map(|(id, (_, d))| format!("{id}: {d}"))
        .collect();
    assert!(
        failed.is_empty(),
        "FAILED on a correct server:\n{}",
        failed.join("\n")
    );
}

/// A preflight that fails: one line saying `says`; and the command line
/// (run in this process: a binary shared with other builds may be stale)
/// exits 2 well within 30 s.
fn stops_at_preflight(target: &Target, says: &str) {
    let start = Instant::now();
    let err = preflight(target, true, Duration::from_millis(2000)).unwrap_err();
    assert!(!err.contains('\n') && err.contains(says), "{err}");
    let code = cli::main(["voxproof", "--target", &target.url]);
    assert_eq!(code, 2, "{err}");
    let took = start.elapsed();
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

#[test]
fn a_silent_target_ends_the_run_at_preflight() {
    let (target, _) = listen(|mut s| {
        let _ = s.read(&mut [0u8; 4096]);
        std::thread::sleep(Duration::from_secs(60));
    });
    stops_at_preflight(&target, "silent: it accepted TCP but sent nothing");
}

#[test]
fn a_dripping_target_ends_the_run_at_preflight() {
    let (target, _) = listen(|mut s| {
        let _ = s.read(&mut [0u8; 4096]);
        for b in b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n" {
            if s.write_all(&[*b]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    stops_at_preflight(&target, "too slow");
}

#[test]
fn preflight_says_what_the_target_is_instead() {
    let answer = |head: &'static str| {
        listen(move |mut s| {
            let _ = s.read(&mut [0u8; 4096]);
            let _ = s.write_all(head.as_bytes());
            let _ = s.shutdown(Shutdown::Write);
            let _ = s.read(&mut [0u8; 4096]);
        })
        .0
    };
    let page = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
    stops_at_preflight(&answer(page), "not WebSocket");
    let auth = "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n";
    stops_at_preflight(&answer(auth), "needs a token");
    let missing = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
    stops_at_preflight(&answer(missing), "wrong path?");
}

#[test]
fn a_target_that_dies_mid_run_ends_it_with_the_rest_not_run() {
    // 40 connections, then connects are refused.
    let target = slow_reference(Duration::ZERO, 40);
    let cases = registry::select(registry::all(), &["handshake.*".into()], &[]);
    assert!(cases.len() > 60, "{} cases", cases.len());
    let start = Instant::now();
    let (report, notes) = run_noted(&target, &cases, &RunConfig::default(), &|_| {});
    let took = start.elapsed();
    assert!(took < Duration::from_secs(60), "took {took:?}");
    assert!(notes.stopped.is_some(), "{notes:?}");
    let not_run = report
        .results
        .iter()
        .filter(|r| r.verdict == Verdict::Unimplemented && r.detail.starts_with(NOT_RUN))
        .count();
    assert_eq!(not_run, notes.not_run);
    let summary: Vec<String> = report
        .results
        .iter()
        .map(|r| format!("{} {}: {}", r.verdict, r.id, r.detail))
        .collect();
    assert!(
        not_run > cases.len() / 2,
        "{not_run} not run:\n{}",
        summary.join("\n")
    );
    assert_eq!(report.results.len(), cases.len());
    let text = voxproof_conformance::cli::notes_text(&notes);
    assert!(
        text.contains("the run stopped") && text.contains("not run"),
        "{text}"
    );
}

#[test]
fn a_header_line_that_never_ends_is_refused_at_the_limit() {
    let written = Arc::new(AtomicUsize::new(0));
    let w = written.clone();
    let (target, _) = listen(move |mut s| {
        let _ = s.read(&mut [0u8; 4096]);
        let _ = s.write_all(b"HTTP/1.1 101 Switching Protocols\r\nX-Endless: ");
        let block = [b'a'; 16 * 1024];
        while s.write_all(&block).is_ok() {
            w.fetch_add(block.len(), Ordering::Relaxed);
        }
    });
    let case = registry::select(
        registry::all(),
        &["handshake.4_2_2.established".into()],
        &[],
    );
    let start = Instant::now();
    let r = run_case(&case[0], &target, Duration::from_secs(10));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(r.verdict, Verdict::Failed, "{}", r.detail);
    assert!(r.detail.contains("64 KiB"), "{}", r.detail);
    let logged: usize = r.wire.iter().map(|e| e.data.len() + EVENT_COST).sum();
    assert!(logged <= MAX_LOG_BYTES + 1024, "{logged} bytes logged");
    // What the target could write before the suite stopped reading: the
    // head limit, one read, and what the sockets buffer; not the endless rest.
    std::thread::sleep(Duration::from_millis(200));
    let sent = written.load(Ordering::Relaxed);
    assert!(sent < 32 << 20, "the target wrote {sent} bytes");
}

#[test]
fn endless_pings_keep_the_report_small() {
    let (target, _) = listen(|mut s| {
        let mut req = Vec::new();
        let mut buf = [0u8; 4096];
        while !req.windows(4).any(|w| w == b"\r\n\r\n") {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => req.extend_from_slice(&buf[..n]),
            }
        }
        let text = String::from_utf8_lossy(&req);
        let key = text
            .lines()
            .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
            .unwrap_or("")
            .trim()
            .to_string();
        let accept = voxproof_reference::handshake::accept::accept_for(&key);
        let _ = s.write_all(
            format!("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n")
                .as_bytes(),
        );
        let _ = s.set_nonblocking(true);
        for i in 0u64.. {
            let mut ping = vec![0x89, 125];
            ping.extend(std::iter::repeat_n((i % 251) as u8, 125));
            match s.write(&ping) {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(1))
                }
                Err(_) => return,
            }
            let _ = s.read(&mut buf);
        }
    });
    let cases = registry::select(registry::all(), &["framing.basic.*".into()], &[]);
    let config = RunConfig {
        timeout: Duration::from_millis(1000),
        ..RunConfig::default()
    };
    let report = run(&target, &cases, &config, &|_| {});
    let json = report::json::render(&report);
    // Per case: the wire log's budget (escaped as JSON at most twice over)
    // and the case's own fields.
    let bound = cases.len() * (2 * MAX_LOG_BYTES + 16 * 1024);
    assert!(
        json.len() < bound,
        "{} bytes for {} cases",
        json.len(),
        cases.len()
    );
    for r in &report.results {
        let logged: usize = r.wire.iter().map(|e| e.data.len() + EVENT_COST).sum();
        assert!(logged <= MAX_LOG_BYTES + 1024, "{}: {logged} bytes", r.id);
    }
}
