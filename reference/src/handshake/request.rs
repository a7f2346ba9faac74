//! Reading the client's opening handshake off the wire, under limits and split-invariant
//! ([docs/README.md](../../../docs/README.md#layout)).

use crate::response::Rejection;

/// Caps on the header section (CVE-2023-43669 showed what happens without them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of request line plus header fields plus the blank line.
    pub max_header_bytes: usize,
    /// Number of header field lines.
    pub max_headers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_header_bytes: 16 * 1024,
            max_headers: 64,
        }
    }
}

/// A parsed request: method, target and version as sent, header fields in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub target: String,
    /// Minor version of HTTP/1.x.
    pub minor_version: u8,
    /// Field lines in order; values are raw bytes (they may hold obs-text).
    pub headers: Vec<(String, Vec<u8>)>,
}

impl Request {
    /// Field values with this name, trimmed, in order.
    pub fn values(&self, name: &str) -> Vec<&[u8]> {
        super::fields::values(&self.headers, name)
    }

    /// Path and query of the request target, for origin-form and absolute-form.
    //= https://www.rfc-editor.org/rfc/rfc9112#section-3.2.2
    //# A server MUST accept the absolute-form in requests even though most
    //# HTTP/1.1 clients will only send the absolute-form to a proxy.
    pub fn path_and_query(&self) -> Option<(&str, Option<&str>)> {
        let t = self.target.as_str();
        let rest = if t.starts_with('/') {
            t
        } else {
            let (scheme, after) = t.split_once("://")?;
            if !["http", "https", "ws", "wss"]
                .iter()
                .any(|s| s.eq_ignore_ascii_case(scheme))
            {
                return None;
            }
            match after.find(['/', '?']) {
                Some(i) if after.as_bytes()[i] == b'/' => &after[i..],
                Some(i) => return Some(("/", Some(&after[i + 1..]))),
                None => "/",
            }
        };
        Some(match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        })
    }
}

/// Outcome of feeding the bytes received so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// The header section is not complete yet; read more.
    Partial,
    /// A whole request; `consumed` bytes belong to it, the rest is the peer's next data.
    Complete { request: Request, consumed: usize },
}

/// Parse the request in `buf` (all bytes received so far on the connection).
pub fn parse_request(buf: &[u8], limits: &Limits) -> Result<Parsed, Rejection> {
    // Never look past the byte limit: the answer then depends only on the
    // first `max_header_bytes + 1` bytes, whatever the read boundaries were.
    let window = &buf[..buf.len().min(limits.max_header_bytes + 1)];
    let mut headers = vec![httparse::EMPTY_HEADER; limits.max_headers];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(window) {
        Ok(httparse::Status::Partial) => {
            if window.len() > limits.max_header_bytes {
                return Err(too_large(limits));
            }
            Ok(Parsed::Partial)
        }
        Ok(httparse::Status::Complete(consumed)) => {
            if consumed > limits.max_header_bytes {
                return Err(too_large(limits));
            }
            let request = Request {
                method: req.method.unwrap_or_default().to_string(),
                target: req.path.unwrap_or_default().to_string(),
                minor_version: req.version.unwrap_or_default(),
                headers: req
                    .headers
                    .iter()
                    .map(|h| (h.name.to_string(), h.value.to_vec()))
                    .collect(),
            };
            Ok(Parsed::Complete { request, consumed })
        }
        Err(httparse::Error::TooManyHeaders) => Err(too_large(limits)),
        //= https://www.rfc-editor.org/rfc/rfc9112#section-5.1
        //# A server MUST reject, with a response status code of 400 (Bad
        //# Request), any received request message that contains whitespace
        //# between a header field name and colon.
        Err(httparse::Error::HeaderName) => Err(Rejection::new(400, "malformed header field name")),
        Err(httparse::Error::Version) => Err(Rejection::new(400, "HTTP/1.1 request required")),
        Err(e) => Err(Rejection::new(400, format!("malformed request: {e}"))),
    }
}

//= https://www.rfc-editor.org/rfc/rfc6585#section-5
//# The 431 status code indicates that the server is unwilling to process the
//# request because its header fields are too large.
fn too_large(limits: &Limits) -> Rejection {
    Rejection::new(
        431,
        format!(
            "header section over {} bytes or {} fields",
            limits.max_header_bytes, limits.max_headers
        ),
    )
}
