//! `voxproof load connections`: many idle WebSocket connections at once, and what they cost
//! the target in memory ([docs/performance.md](../../../docs/performance.md#load-connections)).

use super::conn::Conn;
use super::summary::{ConnectionsSummary, Fault, Faults, Rss};
use super::OPENING_AT_ONCE;
use crate::target::Target;
use crate::wire::frame::opcode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, Semaphore};

/// What `load connections` was asked for.
#[derive(Debug, Clone)]
pub struct ConnectionsConfig {
    pub target: Target,
    pub count: usize,
    /// Connections started per second at most; None: as fast as they open.
    pub rate: Option<f64>,
    pub hold: Duration,
    /// The target's process, for its resident memory (Linux).
    pub pid: Option<u32>,
    pub threads: usize,
    /// A connect and handshake taking longer is a timeout.
    pub timeout: Duration,
    pub open_files_limit: Option<u64>,
}

/// After closing, the target is given this long to free the connections.
const SETTLE: Duration = Duration::from_secs(1);

/// The resident memory of `pid` in KiB (Linux).
pub fn resident_kib(pid: u32) -> Result<u64, String> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path)
        .map_err(|e| format!("--pid {pid}: cannot read {path}: {e}"))?;
    super::summary::parse_vm_rss(&status).ok_or_else(|| format!("--pid {pid}: no VmRSS in {path}"))
}

pub fn run(config: &ConnectionsConfig) -> Result<ConnectionsSummary, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.threads.max(1))
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the load threads: {e}"))?;
    runtime.block_on(run_async(config))
}

async fn run_async(config: &ConnectionsConfig) -> Result<ConnectionsSummary, String> {
    let before = config.pid.map(resident_kib).transpose()?;
    let faults = Arc::new(Faults::default());
    let opened = Arc::new(AtomicUsize::new(0));
    let settled = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(Semaphore::new(OPENING_AT_ONCE));
    let (release, released) = watch::channel(false);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..config.count {
        if let Some(rate) = config.rate {
            let due = started + Duration::from_secs_f64(i as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
        }
        let permit = gate
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| format!("internal: {e}"))?;
        let (target, faults, opened, settled) = (
            config.target.clone(),
            faults.clone(),
            opened.clone(),
            settled.clone(),
        );
        let mut released = released.clone();
        let timeout = config.timeout;
        tasks.spawn(async move {
            let conn = Conn::open_within(&target, timeout).await;
            drop(permit);
            let conn = match conn {
                Ok(c) => c,
                Err((fault, why)) => {
                    faults.add(fault, || why);
                    settled.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            };
            opened.fetch_add(1, Ordering::Relaxed);
            settled.fetch_add(1, Ordering::Relaxed);
            hold(conn, &mut released, &faults).await;
        });
    }
    while settled.load(Ordering::Relaxed) < config.count {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let opening = started.elapsed();
    tokio::time::sleep(config.hold).await;
    // Measured at the end of the hold: the target has settled by then.
    let with = config.pid.map(resident_kib).transpose()?;
    let _ = release.send(true);
    while tasks.join_next().await.is_some() {}
    let after = match config.pid {
        Some(pid) => {
            tokio::time::sleep(SETTLE).await;
            Some(resident_kib(pid)?)
        }
        None => None,
    };
    let rss = match (config.pid, before, with, after) {
        (Some(pid), Some(before_kib), Some(with_kib), Some(after_kib)) => Some(Rss {
            pid,
            before_kib,
            with_kib,
            after_kib,
        }),
        _ => None,
    };
    for line in faults.lines() {
        eprintln!("note: {line}");
    }
    Ok(ConnectionsSummary {
        target: config.target.url.clone(),
        count: config.count,
        opened: opened.load(Ordering::Relaxed),
        opening,
        rate: config.rate,
        hold: config.hold,
        open_files_limit: config.open_files_limit,
        rss,
        errors: faults.counts(),
    })
}

/// Keep `conn` open and idle until released, answering pings; a target
/// that closes it meanwhile is counted.
async fn hold(mut conn: Conn, released: &mut watch::Receiver<bool>, faults: &Faults) {
    loop {
        tokio::select! {
            _ = released.changed() => break,
            read = conn.read_some() => {
                let n = match read {
                    Ok(0) => {
                        faults.add(Fault::ConnectionClosed, || "the target closed an idle connection (FIN)".into());
                        return;
                    }
                    Ok(n) => n,
                    Err(e) => {
                        faults.add(Fault::ConnectionClosed, || e.to_string());
                        return;
                    }
                };
                if let Err(e) = conn.absorb(n).await {
                    faults.add(Fault::ConnectionClosed, || e.to_string());
                    return;
                }
                while let Ok(Some(frame)) = conn.next_frame() {
                    match frame.opcode {
                        opcode::PING => {
                            let _ = conn.pong(&frame).await;
                        }
                        opcode::CLOSE => {
                            faults.add(Fault::ConnectionClosed, || "the target sent a close frame on an idle connection".into());
                            return;
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    conn.close().await;
}
