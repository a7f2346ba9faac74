//! Reading a server's HTTP response, independent of the reference's code.

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
    fn partial_until_blank_line() {
        assert_eq!(
            parse_response(b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n"),
            ParseResponse::Partial
        );
    }
}
