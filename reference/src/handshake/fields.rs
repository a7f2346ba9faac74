//! Header-field helpers shared by both sides of the handshake.

/// Field values with this name, in order, with surrounding whitespace removed.
//= https://www.rfc-editor.org/rfc/rfc9110#section-5.1
//# Field names are case-insensitive
pub fn values<'a>(headers: &'a [(String, Vec<u8>)], name: &str) -> Vec<&'a [u8]> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| trim(v))
        .collect()
}

//= https://www.rfc-editor.org/rfc/rfc9110#section-5.5
//# A field value does not include leading or trailing whitespace.
pub fn trim(v: &[u8]) -> &[u8] {
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

/// Elements of a comma-separated list field, all its field lines combined.
//= https://www.rfc-editor.org/rfc/rfc9110#section-5.3
//# A recipient MAY combine multiple field lines within a field section that
//# have the same field name into one field line, without changing the
//# semantics of the message, by appending each subsequent field line value to
//# the initial field line value in order, separated by a comma (",") and
//# optional whitespace (OWS, defined in Section 5.6.3).
pub fn list<'a>(headers: &'a [(String, Vec<u8>)], name: &str) -> Vec<&'a [u8]> {
    values(headers, name)
        .into_iter()
        .flat_map(|v| v.split(|&b| b == b','))
        .map(trim)
        //# A recipient MUST parse and ignore a reasonable number of empty list
        //# elements
        .filter(|e| !e.is_empty())
        .collect()
}

/// Whether a list field holds `token`, compared ASCII case-insensitively.
pub fn list_has(headers: &[(String, Vec<u8>)], name: &str, token: &str) -> bool {
    list(headers, name)
        .iter()
        .any(|e| e.eq_ignore_ascii_case(token.as_bytes()))
}

/// The extension name of one `Sec-WebSocket-Extensions` element (`name; params`).
pub fn extension_name(element: &[u8]) -> &[u8] {
    let end = element
        .iter()
        .position(|&b| b == b';')
        .unwrap_or(element.len());
    trim(&element[..end])
}

/// RFC 9110 §5.6.2 `token`.
pub fn is_token(v: &[u8]) -> bool {
    !v.is_empty()
        && v.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Whether every line of a list field is `1#token` (RFC 9110 §5.6.1), empty
/// elements allowed as the list rule permits.
pub fn is_token_list(headers: &[(String, Vec<u8>)], name: &str) -> bool {
    values(headers, name)
        .iter()
        .all(|line| list_elements(line).all(is_token) && list_elements(line).next().is_some())
}

fn list_elements(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|&b| b == b',')
        .map(trim)
        .filter(|e| !e.is_empty())
}

//= https://www.rfc-editor.org/rfc/rfc6455#section-9.1
//# extension-list = 1#extension
//# extension = extension-token *( ";" extension-param )
//# extension-token = registered-token
//# registered-token = token
//# extension-param = token [ "=" (token | quoted-string) ]
/// Whether every line of Sec-WebSocket-Extensions follows that grammar.
pub fn is_extension_list(headers: &[(String, Vec<u8>)], name: &str) -> bool {
    values(headers, name).iter().all(|line| {
        list_elements(line).next().is_some()
            && split_outside_quotes(line, b',')
                .iter()
                .map(|e| trim(e))
                .filter(|e| !e.is_empty())
                .all(|ext| {
                    let mut parts = split_outside_quotes(ext, b';').into_iter().map(trim);
                    parts.next().is_some_and(is_token)
                        && parts.all(|param| match param.iter().position(|&b| b == b'=') {
                            None => is_token(param),
                            Some(i) => {
                                let (name, value) = (trim(&param[..i]), trim(&param[i + 1..]));
                                is_token(name) && (is_token(value) || is_quoted_string(value))
                            }
                        })
                })
    })
}

fn split_outside_quotes(v: &[u8], sep: u8) -> Vec<&[u8]> {
    let (mut parts, mut start, mut quoted, mut escaped) = (Vec::new(), 0, false, false);
    for (i, &b) in v.iter().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            _ if b == sep && !quoted => {
                parts.push(&v[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&v[start..]);
    parts
}

/// RFC 9110 §5.6.4 `quoted-string` (obs-text excluded).
fn is_quoted_string(v: &[u8]) -> bool {
    if v.len() < 2 || v[0] != b'"' || v[v.len() - 1] != b'"' {
        return false;
    }
    let mut escaped = false;
    for &b in &v[1..v.len() - 1] {
        if escaped {
            escaped = false;
        } else if b == b'\\' {
            escaped = true;
        } else if b == b'"' || (b < 0x20 && b != b'\t') || b == 0x7f {
            return false;
        }
    }
    !escaped
}
