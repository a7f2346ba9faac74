//! Twilio's request signature: base64 HMAC-SHA1 of the URL under the auth token
//! ([docs/telephony.md](../../../docs/telephony.md#signed-requests)).

use ring::hmac;

/// `X-Twilio-Signature` for `url` and POST `params` (none for the
/// WebSocket's GET): the URL, then each parameter's name and value with no
/// delimiters, sorted by name (Twilio's security page, steps 1 to 5).
pub fn twilio(auth_token: &str, url: &str, params: &[(&str, &str)]) -> String {
    let mut params = params.to_vec();
    params.sort_unstable();
    let mut data = url.to_string();
    for (name, value) in params {
        data.push_str(name);
        data.push_str(value);
    }
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, auth_token.as_bytes());
    super::b64(hmac::sign(&key, data.as_bytes()).as_ref())
}

#[cfg(test)]
mod tests {
    #[test]
    fn twilio_s_published_example() {
        // https://www.twilio.com/docs/usage/security, "Explore the algorithm yourself".
        let params = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675310"),
            ("Digits", "1234"),
            ("From", "+14158675310"),
            ("To", "+18005551212"),
        ];
        assert_eq!(
            super::twilio(
                "12345",
                "https://example.com/myapp.php?foo=1&bar=2",
                &params
            ),
            "L/OH5YylLD5NRKLltdqwSvS0BnU="
        );
    }
}
