//! `voxproof load echo`: messages echoed over many connections, closed or open loop, with
//! round-trip percentiles ([docs/performance.md](../../../docs/performance.md#load-echo)).

use super::conn::Conn;
use super::summary::{self, EchoSummary, Fault, Faults};
use crate::target::Target;
use crate::wire::frame::opcode;
use hdrhistogram::Histogram;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What `load echo` was asked for.
#[derive(Debug, Clone)]
pub struct EchoConfig {
    pub target: Target,
    pub connections: usize,
    pub size: usize,
    pub warmup: Duration,
    pub duration: Duration,
    /// Messages per second over all connections (open loop); None: closed loop.
    pub rate: Option<f64>,
    pub threads: usize,
    /// An echo later than this is a timeout, and ends its connection.
    pub timeout: Duration,
    /// Print a progress line on stderr each second.
    pub progress: bool,
}

/// When connection `index` of `connections` sends, at `rate` messages per
/// second in all: its first message `offset` after the start, then one each
/// `interval`. The connections take turns, so the sends are evenly spread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    pub offset: Duration,
    pub interval: Duration,
}

impl Schedule {
    pub fn new(rate: f64, connections: usize, index: usize) -> Schedule {
        Schedule {
            offset: Duration::from_secs_f64(index as f64 / rate),
            interval: Duration::from_secs_f64(connections as f64 / rate),
        }
    }

    /// The time message `k` (from 0) is due, `start` being the run's.
    pub fn due(&self, start: Instant, k: u64) -> Instant {
        start + self.offset + self.interval.mul_f64(k as f64)
    }
}

/// The payload of message `seq` on connection `conn`: the sequence number,
/// then a pattern, so an echo of the wrong message or a damaged one shows.
pub fn fill_payload(buf: &mut Vec<u8>, size: usize, conn: usize, seq: u64) {
    buf.clear();
    let tag = seq.to_be_bytes();
    buf.extend((0..size).map(|i| match tag.get(i) {
        Some(&b) => b,
        None => (i as u8).wrapping_mul(31) ^ conn as u8,
    }));
}

/// Shared by the tasks of one run.
struct Run {
    /// Sends start here; the warm-up ends at `measure_from`, everything at `end`.
    start: Instant,
    measure_from: Instant,
    end: Instant,
    size: usize,
    rate: Option<f64>,
    connections: usize,
    timeout: Duration,
    faults: Faults,
    /// Echoes received so far, warm-up included (for the progress line).
    echoed: AtomicU64,
}

/// Run the load; Err is a one-line reason the run could not take place.
pub fn run(config: &EchoConfig) -> Result<EchoSummary, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.threads.max(1))
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the load threads: {e}"))?;
    runtime.block_on(run_async(config))
}

async fn run_async(config: &EchoConfig) -> Result<EchoSummary, String> {
    let faults = Faults::default();
    let mut opening = tokio::task::JoinSet::new();
    for _ in 0..config.connections {
        let target = config.target.clone();
        let timeout = config.timeout;
        opening.spawn(async move { Conn::open_within(&target, timeout).await });
    }
    let mut conns = Vec::new();
    while let Some(joined) = opening.join_next().await {
        match joined {
            Ok(Ok(c)) => conns.push(c),
            Ok(Err((fault, why))) => faults.add(fault, || why),
            Err(e) => faults.add(Fault::ConnectionClosed, || e.to_string()),
        }
    }
    if conns.is_empty() {
        let why = faults.lines().join("; ");
        return Err(format!(
            "target {}: no connection could be opened ({why})",
            config.target.url
        ));
    }
    let connected = conns.len();
    // Every connection starts together, a moment after they are all open.
    let start = Instant::now() + Duration::from_millis(20);
    let measure_from = start + config.warmup;
    let run = Arc::new(Run {
        start,
        measure_from,
        end: measure_from + config.duration,
        size: config.size,
        rate: config.rate,
        connections: connected,
        timeout: config.timeout,
        faults,
        echoed: AtomicU64::new(0),
    });
    let progress = config.progress.then(|| {
        let run = run.clone();
        tokio::spawn(async move { progress(&run).await })
    });
    let mut tasks = tokio::task::JoinSet::new();
    for (index, conn) in conns.into_iter().enumerate() {
        let run = run.clone();
        tasks.spawn(async move { drive(index, conn, &run).await });
    }
    let mut histogram = summary::histogram();
    let mut messages = 0;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((h, n)) => {
                let _ = histogram.add(&h);
                messages += n;
            }
            Err(e) => run.faults.add(Fault::ConnectionClosed, || e.to_string()),
        }
    }
    if let Some(p) = progress {
        p.abort();
        eprintln!();
    }
    for line in run.faults.lines() {
        eprintln!("note: {line}");
    }
    Ok(EchoSummary {
        target: config.target.url.clone(),
        connections: config.connections,
        connected,
        size: config.size,
        threads: config.threads,
        warmup: config.warmup,
        duration: config.duration,
        rate: config.rate,
        messages,
        latency: summary::latency(&histogram),
        errors: run.faults.counts(),
    })
}

async fn progress(run: &Run) {
    use std::io::Write;
    let mut last = 0;
    let mut tick = tokio::time::interval_at(
        (run.start + Duration::from_secs(1)).into(),
        Duration::from_secs(1),
    );
    loop {
        tick.tick().await;
        let now = run.echoed.load(Ordering::Relaxed);
        let phase = if Instant::now() < run.measure_from {
            "warm-up"
        } else {
            "measuring"
        };
        let total = run.end.duration_since(run.start).as_secs_f64();
        eprint!(
            "\r{:>6.1} / {total:.1} s  {phase:<9}  {:>9} msg/s  errors {}   ",
            run.start.elapsed().as_secs_f64(),
            now - last,
            run.faults.total()
        );
        let _ = std::io::stderr().flush();
        last = now;
    }
}

/// One connection's loop: send when due, take echoes, until the end; the
/// round trips measured in the window and their count.
async fn drive(index: usize, mut conn: Conn, run: &Run) -> (Histogram<u64>, u64) {
    let mut histogram = summary::histogram();
    let mut counted = 0;
    let schedule = run
        .rate
        .map(|rate| Schedule::new(rate, run.connections, index));
    // Messages sent and not yet echoed: sequence number, the time its round
    // trip counts from, the time it was really sent.
    let mut in_flight: VecDeque<(u64, Instant, Instant)> = VecDeque::new();
    let mut seq = 0u64;
    let mut payload = Vec::with_capacity(run.size);
    let mut expected = Vec::with_capacity(run.size);
    loop {
        let now = Instant::now();
        if now >= run.end {
            break;
        }
        // Open loop: the schedule alone says when. Closed loop: the next
        // message goes when the previous echo is back.
        let due = match schedule {
            Some(s) => Some(s.due(run.start, seq)),
            None => in_flight.is_empty().then_some(run.start.max(now)),
        };
        let overdue = in_flight.front().map(|&(_, _, sent)| sent + run.timeout);
        let wake = [due, overdue, Some(run.end)]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(run.end);
        tokio::select! {
            read = conn.read_some() => {
                let n = match read {
                    Ok(0) => {
                        run.faults.add(Fault::ConnectionClosed, || "the target closed the connection (FIN)".into());
                        break;
                    }
                    Ok(n) => n,
                    Err(e) => {
                        run.faults.add(Fault::ConnectionClosed, || e.to_string());
                        break;
                    }
                };
                if let Err(e) = conn.absorb(n).await {
                    run.faults.add(Fault::ConnectionClosed, || e.to_string());
                    break;
                }
                let arrived = Instant::now();
                let mut stop = false;
                loop {
                    let frame = match conn.next_frame() {
                        Ok(Some(f)) => f,
                        Ok(None) => break,
                        Err(e) => {
                            run.faults.add(Fault::WrongEcho, || format!("unreadable frame: {e}"));
                            stop = true;
                            break;
                        }
                    };
                    match frame.opcode {
                        opcode::PING => {
                            if conn.pong(&frame).await.is_err() {
                                stop = true;
                                break;
                            }
                        }
                        opcode::PONG => {}
                        opcode::CLOSE => {
                            let code = frame.close_code().map_or("no code".to_string(), |c| c.to_string());
                            run.faults.add(Fault::ConnectionClosed, || format!("the target sent a close frame ({code})"));
                            stop = true;
                            break;
                        }
                        op => {
                            let Some((k, origin, _)) = in_flight.pop_front() else {
                                run.faults.add(Fault::WrongEcho, || "a message with none outstanding".into());
                                continue;
                            };
                            run.echoed.fetch_add(1, Ordering::Relaxed);
                            fill_payload(&mut expected, run.size, index, k);
                            if op != opcode::BINARY || !frame.fin || frame.payload != expected {
                                run.faults.add(Fault::WrongEcho, || format!(
                                    "message {k}: opcode {op}, {} bytes, not the binary message sent",
                                    frame.payload.len()
                                ));
                                continue;
                            }
                            if origin >= run.measure_from && arrived < run.end {
                                let us = arrived.saturating_duration_since(origin).as_micros() as u64;
                                histogram.saturating_record(us.max(1));
                                counted += 1;
                            }
                        }
                    }
                }
                if stop {
                    break;
                }
            }
            _ = tokio::time::sleep_until(wake.into()) => {
                let now = Instant::now();
                if now >= run.end {
                    break;
                }
                if overdue.is_some_and(|t| now >= t) {
                    run.faults.add(Fault::Timeout, || format!("no echo in {} ms", run.timeout.as_millis()));
                    break;
                }
                if due.is_some_and(|t| now >= t) {
                    fill_payload(&mut payload, run.size, index, seq);
                    // Open loop: the round trip counts from when the message
                    // was due, so time spent queued behind a slow echo shows.
                    let origin = if schedule.is_some() { due.unwrap_or(now) } else { now };
                    if let Err(e) = conn.send(opcode::BINARY, &payload).await {
                        run.faults.add(Fault::ConnectionClosed, || e.to_string());
                        break;
                    }
                    in_flight.push_back((seq, origin, now));
                    seq += 1;
                }
            }
        }
    }
    conn.close().await;
    (histogram, counted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_loop_schedule_spreads_sends_evenly() {
        // 1000 msg/s over 4 connections: each sends every 4 ms, 1 ms apart.
        let start = Instant::now();
        let mut all: Vec<Duration> = (0..4)
            .flat_map(|i| {
                let s = Schedule::new(1000.0, 4, i);
                (0..250).map(move |k| s.due(start, k) - start)
            })
            .collect();
        all.sort();
        assert_eq!(all.len(), 1000);
        for (n, d) in all.iter().enumerate() {
            let want = Duration::from_millis(n as u64);
            let off = d.abs_diff(want);
            assert!(off < Duration::from_micros(1), "send {n} at {d:?}");
        }
        let s = Schedule::new(1000.0, 4, 3);
        assert_eq!(s.offset, Duration::from_millis(3));
        assert_eq!(s.interval, Duration::from_millis(4));
    }

    #[test]
    fn payloads_name_their_message() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        fill_payload(&mut a, 20, 0, 7);
        fill_payload(&mut b, 20, 0, 8);
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
        fill_payload(&mut b, 20, 1, 7);
        assert_ne!(a, b);
        fill_payload(&mut a, 3, 0, 7);
        assert_eq!(a, [0, 0, 0]);
    }
}
