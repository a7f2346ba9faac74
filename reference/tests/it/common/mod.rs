//! The server binary as a child process, for tests that watch it from
//! outside: its log lines, its open sockets and its memory (Linux /proc).

#![allow(dead_code)]

pub mod tls;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

pub struct ServerProcess {
    child: std::process::Child,
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl ServerProcess {
    /// Start `voxproof-server --listen 127.0.0.1:0 ARGS`, with at most
    /// `nofile` open descriptors when given.
    pub fn start(args: &[&str], nofile: Option<u64>) -> ServerProcess {
        let mut command = Command::new(env!("CARGO_BIN_EXE_voxproof-server"));
        command
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(n) = nofile {
            use std::os::unix::process::CommandExt;
            // SAFETY: setrlimit is async-signal-safe, and the closure
            // touches nothing but its own copy of `n`.
            unsafe {
                command.pre_exec(move || {
                    let limit = libc::rlimit {
                        rlim_cur: n as libc::rlim_t,
                        rlim_max: n as libc::rlim_t,
                    };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let mut child = command.spawn().expect("the server binary starts");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (addr_tx, addr_rx) = mpsc::channel();
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                // ws:// or wss://
                let addr = line.find("listening on ").map(|at| {
                    let after = &line[at + "listening on ".len()..];
                    let rest = after.split_once("://").map_or("", |(_, rest)| rest);
                    rest.split('/').next().unwrap_or_default().to_string()
                });
                // Logged before the address is known, so that the line is
                // in the log once `start` returns.
                lines.lock().unwrap().push(line);
                if let Some(addr) = addr {
                    let _ = addr_tx.send(addr);
                }
            }
        });
        let addr = addr_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the server says where it listens")
            .parse()
            .expect("a socket address");
        ServerProcess { child, addr, log }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Every line logged so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Lines logged so far that contain `needle`.
    pub fn lines_with(&self, needle: &str) -> Vec<String> {
        self.log()
            .into_iter()
            .filter(|l| l.contains(needle))
            .collect()
    }

    /// Open sockets (the listener included).
    pub fn sockets(&self) -> usize {
        let dir = format!("/proc/{}/fd", self.pid());
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|e| std::fs::read_link(e.path()).ok())
                    .filter(|target| target.to_string_lossy().starts_with("socket:"))
                    .count()
            })
            .unwrap_or(0)
    }

    /// Resident memory, in MiB.
    pub fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("the server's /proc status");
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .expect("a VmRSS line");
        kib / 1024.0
    }

    /// Wait until `sockets()` is at most `n`; how long that took, or None
    /// if it had not happened by `within`.
    pub fn wait_for_sockets(&self, n: usize, within: Duration) -> Option<Duration> {
        let start = Instant::now();
        while start.elapsed() < within {
            if self.sockets() <= n {
                return Some(start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Stop `server` from another thread (stop() waits for its connections to
/// finish), read until the server's close frame arrives on `ws`, finish
/// the close handshake, and return the frame's code.
pub fn stop_and_read_close<S: std::io::Read + std::io::Write>(
    server: voxproof_reference::server::Handle,
    ws: &mut tungstenite::WebSocket<S>,
) -> Option<tungstenite::protocol::frame::coding::CloseCode> {
    use tungstenite::Message;
    let stopper = std::thread::spawn(move || server.stop());
    let close = loop {
        match ws.read() {
            Ok(Message::Close(frame)) => break frame,
            Ok(_) => continue,
            Err(e) => panic!("no close frame: {e}"),
        }
    };
    let _ = ws.close(None);
    while ws.read().is_ok() {}
    stopper.join().unwrap();
    close.map(|f| f.code)
}
