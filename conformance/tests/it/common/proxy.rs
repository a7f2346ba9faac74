//! A small HTTP CONNECT proxy (RFC 9110 §9.3.6) for the transport tests: it
//! records what it was asked for, and can demand Basic credentials.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

pub struct Proxy {
    pub addr: SocketAddr,
    /// The request lines it received, e.g. `CONNECT 127.0.0.1:9 HTTP/1.1`.
    pub asked: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

/// Start a proxy; with `credentials` (`user:password`) it answers 407 to a
/// CONNECT without them. It runs until the test process ends.
pub fn start(credentials: Option<&str>) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    let asked = Arc::new(Mutex::new(Vec::new()));
    let expected = credentials.map(|c| {
        use base64::Engine;
        format!(
            "proxy-authorization: basic {}",
            base64::engine::general_purpose::STANDARD.encode(c)
        )
        .to_ascii_lowercase()
    });
    let log = asked.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let log = log.clone();
            let expected = expected.clone();
            std::thread::spawn(move || serve(client, &log, expected.as_deref()));
        }
    });
    Proxy { addr, asked }
}

fn serve(mut client: TcpStream, log: &Mutex<Vec<String>>, expected: Option<&str>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let line = text.lines().next().unwrap_or("").to_string();
    log.lock().unwrap().push(line.clone());
    let mut parts = line.split(' ');
    let (Some("CONNECT"), Some(to)) = (parts.next(), parts.next()) else {
        let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    if let Some(want) = expected {
        if !text.to_ascii_lowercase().contains(want) {
            let _ = client.write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                  Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n",
            );
            return;
        }
    }
    let Ok(upstream) = TcpStream::connect(to) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let _ = upstream.set_nodelay(true);
    let _ = client.set_nodelay(true);
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .is_err()
    {
        return;
    }
    let (c2, u2) = match (client.try_clone(), upstream.try_clone()) {
        (Ok(c), Ok(u)) => (c, u),
        _ => return,
    };
    let up = std::thread::spawn(move || pipe(client, upstream));
    pipe(u2, c2);
    let _ = up.join();
}

/// Copy until the source ends, then pass the end on (FIN, or a reset as
/// a full close).
fn pipe(mut from: TcpStream, mut to: TcpStream) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) => {
                let _ = to.shutdown(Shutdown::Write);
                return;
            }
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    let _ = from.shutdown(Shutdown::Both);
                    return;
                }
            }
            Err(_) => {
                let _ = to.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}
