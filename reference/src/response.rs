//! HTTP responses the server writes before the framing layer takes over: the
//! 101 and every refusal (see docs/README.md#layout).

/// An HTTP response, ready to serialize.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!(
            "HTTP/1.1 {} {}\r\n",
            self.status,
            reason_phrase(self.status)
        );
        for (name, value) in &self.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(&self.body);
        out.into_bytes()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        426 => "Upgrade Required",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// A refused handshake: the status, extra headers, and why (sent as the body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub reason: String,
    /// What the server logs and never sends (a token refusal's cause: the
    /// body stays unspecific for a client that may be probing the verifier).
    pub detail: Option<String>,
}

impl Rejection {
    pub fn new(status: u16, reason: impl Into<String>) -> Self {
        Rejection {
            status,
            headers: Vec::new(),
            reason: reason.into(),
            detail: None,
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The response sent for this refusal; the connection closes after it.
    pub fn response(&self) -> Response {
        let body = format!("{}\n", self.reason);
        let mut headers = self.headers.clone();
        headers.push(("Content-Type".into(), "text/plain; charset=utf-8".into()));
        headers.push(("Content-Length".into(), body.len().to_string()));
        headers.push(("Connection".into(), "close".into()));
        Response {
            status: self.status,
            headers,
            body,
        }
    }
}
