//! Reading a server's HTTP response (and, serving clients, a client's request),
//! independent of the reference's code.

/// A response header section as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Minor version of HTTP/1.x.
    pub minor_version: u8,
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, Vec<u8>)>,
    /// Length of the header section; bytes after it are body or frames.
    pub header_len: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseResponse {
    Partial,
    Complete(HttpResponse),
    Malformed(String),
}

pub const MAX_RESPONSE_HEADERS: usize = 128;

/// Longest response head (status line and header section) the suite reads.
/// No RFC bounds what a client must accept (RFC 9110 §2.3 lets a recipient
/// set its own limits), so this is the suite's limit, reported as such.
pub const MAX_RESPONSE_HEAD: usize = 64 * 1024;

/// Finds the end of a response head as bytes arrive, scanning each byte
/// once: the head is parsed when its blank line is in (and once when the
/// status line is, so a response that is not HTTP is told at once), never
/// again on every read.
#[derive(Debug, Default, Clone)]
pub struct HeadScanner {
    /// Bytes already scanned.
    scanned: usize,
    /// The status line was complete and checked.
    status_checked: bool,
}

impl HeadScanner {
    /// Look at `buf` (the bytes received so far, a prefix of the stream).
    pub fn scan(&mut self, buf: &[u8]) -> ParseResponse {
        let from = self.scanned;
        self.scanned = buf.len();
        let mut end = None;
        for i in from..buf.len() {
            if buf[i] != b'\n' {
                continue;
            }
            if !self.status_checked {
                self.status_checked = true;
                if let ParseResponse::Malformed(e) = parse_response(&buf[..=i]) {
                    return ParseResponse::Malformed(e);
                }
            }
            // A blank line: LF LF or LF CR LF.
            let blank = (i >= 1 && buf[i - 1] == b'\n')
                || (i >= 2 && buf[i - 1] == b'\r' && buf[i - 2] == b'\n');
            if blank {
                end = Some(i);
                break;
            }
        }
        match end {
            Some(_) => match parse_response(buf) {
                // Should the blank line not end it after all, scan on.
                ParseResponse::Partial => ParseResponse::Partial,
                done => done,
            },
            None if buf.len() > MAX_RESPONSE_HEAD => ParseResponse::Malformed(format!(
                "the response head exceeded {} KiB without ending (the suite's limit; \
                 RFC 9110 §2.3 leaves length limits to the recipient)",
                MAX_RESPONSE_HEAD / 1024
            )),
            None => ParseResponse::Partial,
        }
    }
}

pub fn parse_response(buf: &[u8]) -> ParseResponse {
    let mut headers = [httparse::EMPTY_HEADER; MAX_RESPONSE_HEADERS];
    let mut resp = httparse::Response::new(&mut headers);
    match resp.parse(buf) {
        Ok(httparse::Status::Partial) => ParseResponse::Partial,
        Ok(httparse::Status::Complete(n)) => ParseResponse::Complete(HttpResponse {
            minor_version: resp.version.unwrap_or(0),
            status: resp.code.unwrap_or(0),
            reason: resp.reason.unwrap_or("").to_string(),
            headers: resp
                .headers
                .iter()
                .map(|h| (h.name.to_string(), h.value.to_vec()))
                .collect(),
            header_len: n,
        }),
        Err(e) => ParseResponse::Malformed(e.to_string()),
    }
}

fn trim(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(start, |i| i + 1);
    &v[start..end]
}

impl HttpResponse {
    /// Trimmed values of every field line with this name (names compare case-insensitively).
    pub fn values(&self, name: &str) -> Vec<&[u8]> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| trim(v))
            .collect()
    }

    /// Elements of a comma-separated list field, all its lines combined (RFC 9110 §5.3).
    pub fn list(&self, name: &str) -> Vec<&[u8]> {
        self.values(name)
            .into_iter()
            .flat_map(|v| v.split(|&b| b == b','))
            .map(trim)
            .filter(|e| !e.is_empty())
            .collect()
    }

    /// All lines of a field joined by ", " (RFC 9110 §5.3), or None when absent.
    pub fn combined(&self, name: &str) -> Option<Vec<u8>> {
        let values = self.values(name);
        (!values.is_empty()).then(|| values.join(&b", "[..]))
    }

    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.list(name)
            .iter()
            .any(|e| e.eq_ignore_ascii_case(token.as_bytes()))
    }

    pub fn has(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// `101 Switching Protocols`-style summary for details.
    pub fn status_line(&self) -> String {
        format!("{} {}", self.status, self.reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combines_list_fields_across_lines() {
        let raw = b"HTTP/1.1 101 OK\r\nConnection: keep-alive\r\nconnection:  Upgrade \r\n\r\n";
        let ParseResponse::Complete(r) = parse_response(raw) else {
            panic!()
        };
        assert!(r.has_token("Connection", "upgrade"));
        assert_eq!(
            r.values("CONNECTION"),
            vec![&b"keep-alive"[..], &b"Upgrade"[..]]
        );
        assert_eq!(r.header_len, raw.len());
    }

    #[test]
    fn the_scanner_agrees_with_the_parser_at_every_split() {
        let raw = b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\r\nframes";
        for cut in 0..raw.len() {
            let mut s = HeadScanner::default();
            let first = s.scan(&raw[..cut]);
            assert_eq!(first, parse_response(&raw[..cut]), "cut at {cut}");
            if let ParseResponse::Partial = first {
                assert_eq!(s.scan(raw), parse_response(raw), "cut at {cut}");
            }
        }
    }

    #[test]
    fn a_head_that_never_ends_is_refused_at_the_limit() {
        let mut s = HeadScanner::default();
        let mut buf = b"HTTP/1.1 101 OK\r\nX: ".to_vec();
        assert_eq!(s.scan(&buf), ParseResponse::Partial);
        buf.resize(MAX_RESPONSE_HEAD, b'a');
        assert_eq!(s.scan(&buf), ParseResponse::Partial);
        buf.push(b'a');
        assert!(matches!(s.scan(&buf), ParseResponse::Malformed(e) if e.contains("64 KiB")));
        let mut s = HeadScanner::default();
        assert!(matches!(
            s.scan(b"SSH-2.0-x\r\n"),
            ParseResponse::Malformed(_)
        ));
    }

    #[test]
    fn partial_until_blank_line() {
        assert_eq!(
            parse_response(b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n"),
            ParseResponse::Partial
        );
    }
}

/// An opening handshake a client sent to the suite (serving clients).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub minor_version: u8,
    pub headers: Vec<(String, Vec<u8>)>,
}

impl HttpRequest {
    /// Values of every field line named `name` (case-insensitive).
    pub fn values(&self, name: &str) -> Vec<&[u8]> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
            .collect()
    }

    /// The comma-separated elements of every `name` field, trimmed.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.values(name)
            .iter()
            .flat_map(|v| {
                String::from_utf8_lossy(v)
                    .split(',')
                    .map(|e| e.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .filter(|e| !e.is_empty())
            .collect()
    }

    /// The query parameter `name`, percent-decoded.
    pub fn query(&self, name: &str) -> Option<String> {
        let (_, query) = self.target.split_once('?')?;
        query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == name).then(|| {
                percent_encoding::percent_decode_str(&v.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            })
        })
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
}

/// A request head from the front of `buf`: the request and the length of
/// its head, `Ok(None)` while incomplete.
pub fn parse_request(buf: &[u8]) -> Result<Option<(HttpRequest, usize)>, String> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_RESPONSE_HEADERS];
    let mut req = httparse::Request::new(&mut fields);
    match req.parse(buf) {
        Ok(httparse::Status::Complete(len)) => Ok(Some((
            HttpRequest {
                method: req.method.unwrap_or("").to_string(),
                target: req.path.unwrap_or("").to_string(),
                minor_version: req.version.unwrap_or(1),
                headers: req
                    .headers
                    .iter()
                    .map(|h| (h.name.to_string(), h.value.to_vec()))
                    .collect(),
            },
            len,
        ))),
        Ok(httparse::Status::Partial) if buf.len() > MAX_RESPONSE_HEAD => Err(format!(
            "a request head longer than {MAX_RESPONSE_HEAD} bytes"
        )),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(e) => Err(format!("not an HTTP request ({e})")),
    }
}

/// `Sec-WebSocket-Accept` for a key (RFC 6455 §4.2.2 step 5.4): base64 of
/// the SHA-1 of the key and the protocol's GUID. The suite computes it to
/// answer clients (`voxproof serve`); it judges servers against the vectors'
/// values, not this.
pub fn accept_key(key: &[u8]) -> String {
    use base64::Engine as _;
    use sha1::Digest as _;
    let mut sha = sha1::Sha1::new();
    sha.update(key);
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}
