//! Where a bearer token travels on a WebSocket upgrade, as pure functions
//! ([docs/auth.md](../../../docs/auth.md#where-the-token-travels)).

/// How the token reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carrier {
    AuthorizationHeader,
    QueryParameter,
    Subprotocol,
}

/// A token and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub token: String,
    pub carrier: Carrier,
    /// For [`Carrier::Subprotocol`]: the offered value that carried it, which
    /// the server must not echo back as the selected subprotocol.
    pub subprotocol: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CarrierError {
    /// No token anywhere.
    Missing,
    /// A token in more than one place.
    Ambiguous,
    /// An Authorization header with another scheme or no token.
    NotBearer,
}

/// The subprotocol prefix that carries a token.
pub const SUBPROTOCOL_PREFIX: &str = "bearer.";

/// The token of an `Authorization: Bearer <token>` value.
pub fn from_authorization(value: &str) -> Option<&str> {
    //= https://www.rfc-editor.org/rfc/rfc6750#section-2.1
    //# credentials = "Bearer" 1*SP b64token
    // The scheme is case-insensitive (RFC 9110 §11.1).
    let (scheme, rest) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = rest.trim_start_matches(' ');
    (!token.is_empty() && !token.contains([' ', '\t'])).then_some(token)
}

/// The `access_token` parameter of a request target's query (without `?`).
pub fn from_query(query: &str) -> Option<String> {
    //= https://www.rfc-editor.org/rfc/rfc6750#section-2.3
    //# the client adds the access token to the request URI query component
    //# [...] using the "access_token" parameter
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "access_token")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

/// The token in a `bearer.<token>` entry of the offered subprotocols.
pub fn from_subprotocols<'a>(
    offered: impl IntoIterator<Item = &'a str>,
) -> Option<(&'a str, &'a str)> {
    offered.into_iter().map(str::trim).find_map(|p| {
        let token = p.strip_prefix(SUBPROTOCOL_PREFIX)?;
        (!token.is_empty()).then_some((token, p))
    })
}

/// Finds the one token of a request. `authorization` is the header value,
/// `query` the query component, `offered` the Sec-WebSocket-Protocol list.
pub fn find<'a>(
    authorization: Option<&str>,
    query: Option<&str>,
    offered: impl IntoIterator<Item = &'a str>,
) -> Result<Found, CarrierError> {
    let mut found = Vec::new();
    if let Some(value) = authorization {
        let token = from_authorization(value).ok_or(CarrierError::NotBearer)?;
        found.push(Found {
            token: token.into(),
            carrier: Carrier::AuthorizationHeader,
            subprotocol: None,
        });
    }
    if let Some(token) = query.and_then(from_query) {
        found.push(Found {
            token,
            carrier: Carrier::QueryParameter,
            subprotocol: None,
        });
    }
    if let Some((token, protocol)) = from_subprotocols(offered) {
        found.push(Found {
            token: token.into(),
            carrier: Carrier::Subprotocol,
            subprotocol: Some(protocol.into()),
        });
    }
    //= https://www.rfc-editor.org/rfc/rfc6750#section-2
    //# Clients MUST NOT use more than one method to transmit the token in
    //# each request.
    match found.len() {
        0 => Err(CarrierError::Missing),
        1 => Ok(found.remove(0)),
        _ => Err(CarrierError::Ambiguous),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_scheme_is_case_insensitive() {
        assert_eq!(from_authorization("Bearer a.b.c"), Some("a.b.c"));
        assert_eq!(from_authorization("bearer  a.b.c"), Some("a.b.c"));
        assert_eq!(from_authorization("Basic dXNlcjpwYXNz"), None);
        assert_eq!(from_authorization("Bearer"), None);
        assert_eq!(from_authorization("Bearer a b"), None);
    }

    #[test]
    fn query_and_subprotocol() {
        assert_eq!(
            from_query("room=1&access_token=a.b.c").as_deref(),
            Some("a.b.c")
        );
        assert_eq!(from_query("room=1"), None);
        assert_eq!(
            from_subprotocols(["voice.v1", " bearer.a.b.c"]),
            Some(("a.b.c", "bearer.a.b.c"))
        );
    }

    #[test]
    fn exactly_one_carrier() {
        assert_eq!(find(None, None, []), Err(CarrierError::Missing));
        assert_eq!(
            find(Some("Bearer x"), Some("access_token=y"), []),
            Err(CarrierError::Ambiguous)
        );
        let f = find(None, None, ["bearer.x"]).unwrap();
        assert_eq!((f.token.as_str(), f.carrier), ("x", Carrier::Subprotocol));
    }
}
