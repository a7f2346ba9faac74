//! One load connection: TCP or TLS to the target, the opening handshake, masked frames out,
//! frames in ([docs/performance.md](../../../docs/performance.md#method)).

use super::summary::Fault;
use crate::target::Target;
use crate::wire::frame::{self, opcode, Frame, LenEncoding, Pending};
use crate::wire::http::{parse_response, ParseResponse};
use rustls::ClientConnection;
use std::io::{ErrorKind, Read, Write};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Largest frame accepted from the target.
const MAX_PAYLOAD: u64 = 64 << 20;

/// A WebSocket connection driven by a load task.
pub struct Conn {
    sock: TcpStream,
    /// The TLS session, for wss://; rustls is fed from the async socket by hand.
    tls: Option<Box<ClientConnection>>,
    /// Frames received and not yet taken.
    pending: Pending,
    input: Vec<u8>,
    /// Outgoing bytes, reused.
    out: Vec<u8>,
    tls_out: Vec<u8>,
}

/// A failure and its reason, as a load task counts it.
pub type Failed = (Fault, String);

fn closed(e: std::io::Error) -> Failed {
    (Fault::ConnectionClosed, e.to_string())
}

impl Conn {
    /// Connect, then TLS (for wss://), then the opening handshake.
    pub async fn open(target: &Target) -> Result<Conn, Failed> {
        let sock = TcpStream::connect(target.route.addr)
            .await
            .map_err(|e| (Fault::ConnectFailed, e.to_string()))?;
        // Each message leaves at once, as an interactive client's would.
        let _ = sock.set_nodelay(true);
        let tls = match &target.route.tls {
            Some(t) => Some(Box::new(
                ClientConnection::new(t.config.clone(), t.name.clone())
                    .map_err(|e| (Fault::ConnectFailed, format!("TLS: {e}")))?,
            )),
            None => None,
        };
        let mut conn = Conn {
            sock,
            tls,
            pending: Pending::new(),
            input: vec![0; 64 * 1024],
            out: Vec::new(),
            tls_out: Vec::new(),
        };
        if conn.tls.is_some() {
            conn.tls_handshake()
                .await
                .map_err(|e| (Fault::ConnectFailed, format!("TLS handshake: {e}")))?;
        }
        conn.upgrade(target).await?;
        Ok(conn)
    }

    /// [`Conn::open`] bounded by `timeout` (a timeout is a fault like the others).
    pub async fn open_within(
        target: &Target,
        timeout: std::time::Duration,
    ) -> Result<Conn, Failed> {
        match tokio::time::timeout(timeout, Conn::open(target)).await {
            Ok(opened) => opened,
            Err(_) => Err((Fault::Timeout, "no handshake in time".into())),
        }
    }

    async fn tls_handshake(&mut self) -> std::io::Result<()> {
        loop {
            self.flush_tls().await?;
            let handshaking = self.tls.as_ref().is_some_and(|t| t.is_handshaking());
            if !handshaking {
                return Ok(());
            }
            let n = self.read_some().await?;
            if n == 0 {
                return Err(ErrorKind::UnexpectedEof.into());
            }
            self.absorb(n).await?;
        }
    }

    async fn upgrade(&mut self, target: &Target) -> Result<(), Failed> {
        use base64::Engine;
        let key = base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 16]>());
        let head = format!(
            "GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n",
            target.resource, target.authority
        );
        let request = format!("{head}{}\r\n", target.shape.lines(&head));
        self.write(request.as_bytes()).await.map_err(closed)?;
        loop {
            match parse_response(self.pending.bytes()) {
                ParseResponse::Complete(resp) if resp.status == 101 => {
                    self.pending.consume(resp.header_len);
                    return Ok(());
                }
                ParseResponse::Complete(resp) => {
                    return Err((Fault::HandshakeRefused, resp.status_line()))
                }
                ParseResponse::Malformed(e) => {
                    return Err((Fault::HandshakeRefused, format!("not HTTP: {e}")))
                }
                ParseResponse::Partial => {}
            }
            let n = self.read_some().await.map_err(closed)?;
            if n == 0 {
                return Err((
                    Fault::ConnectionClosed,
                    "closed before answering the handshake".into(),
                ));
            }
            self.absorb(n).await.map_err(closed)?;
        }
    }

    /// Wait for bytes from the socket. Cancel-safe, for `select!`: bytes
    /// read are kept for [`Conn::absorb`], which must follow with the count.
    pub async fn read_some(&mut self) -> std::io::Result<usize> {
        self.sock.read(&mut self.input).await
    }

    /// Take in the `n` bytes [`Conn::read_some`] read (decrypting them over TLS).
    pub async fn absorb(&mut self, n: usize) -> std::io::Result<()> {
        let Some(tls) = &mut self.tls else {
            self.pending.extend_from_slice(&self.input[..n]);
            return Ok(());
        };
        let mut rest = &self.input[..n];
        while !rest.is_empty() {
            tls.read_tls(&mut rest)?;
            tls.process_new_packets()
                .map_err(|e| std::io::Error::new(ErrorKind::InvalidData, e))?;
            let mut plain = [0u8; 16 * 1024];
            loop {
                match tls.reader().read(&mut plain) {
                    Ok(0) => break,
                    Ok(k) => self.pending.extend_from_slice(&plain[..k]),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                }
            }
        }
        // Handshake messages, alerts or key updates rustls owes the peer.
        self.flush_tls().await
    }

    async fn flush_tls(&mut self) -> std::io::Result<()> {
        let Some(tls) = &mut self.tls else {
            return Ok(());
        };
        self.tls_out.clear();
        while tls.wants_write() {
            tls.write_tls(&mut self.tls_out)?;
        }
        if !self.tls_out.is_empty() {
            self.sock.write_all(&self.tls_out).await?;
        }
        Ok(())
    }

    async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match &mut self.tls {
            None => self.sock.write_all(bytes).await,
            Some(tls) => {
                tls.writer().write_all(bytes)?;
                self.flush_tls().await
            }
        }
    }

    /// Send one final frame with `payload`, masked with a fresh key (RFC 6455 §5.3).
    pub async fn send(&mut self, op: u8, payload: &[u8]) -> std::io::Result<()> {
        let key = rand::random::<[u8; 4]>();
        let mut out = std::mem::take(&mut self.out);
        out.clear();
        frame::write_header(
            &mut out,
            0x80 | op,
            payload.len() as u64,
            LenEncoding::Minimal,
            Some(key),
        );
        let start = out.len();
        out.extend_from_slice(payload);
        frame::apply_mask(&mut out[start..], key);
        let result = self.write(&out).await;
        self.out = out;
        result
    }

    /// The next whole frame received, if any.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, String> {
        self.pending.take_frame(MAX_PAYLOAD)
    }

    /// Answer a ping (the target may probe idle connections).
    pub async fn pong(&mut self, ping: &Frame) -> std::io::Result<()> {
        self.send(opcode::PONG, &ping.payload).await
    }

    /// Close politely: a close frame (1000), then our FIN.
    pub async fn close(mut self) {
        let _ = self.send(opcode::CLOSE, &1000u16.to_be_bytes()).await;
        let _ = self.sock.shutdown().await;
    }
}
