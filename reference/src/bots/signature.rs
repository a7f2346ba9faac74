//! Twilio's request signature: base64 of HMAC-SHA1 over the URL, keyed with the auth token
//! ([docs/telephony.md](../../../docs/telephony.md#reference-bot)).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::hmac;

/// A Twilio auth token. Its Debug form hides it, so that it never reaches
/// a log through the server's configuration.
#[derive(Clone)]
pub struct TwilioAuth {
    key: hmac::Key,
}

impl std::fmt::Debug for TwilioAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TwilioAuth(..)")
    }
}

impl TwilioAuth {
    pub fn new(auth_token: &str) -> TwilioAuth {
        // SHA-1 is what Twilio signs with; ring keeps it for such legacy uses.
        TwilioAuth {
            key: hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, auth_token.as_bytes()),
        }
    }

    /// The `X-Twilio-Signature` of a request to `url`. A WebSocket request
    /// is a GET: no POST parameters follow the URL.
    pub fn sign(&self, url: &str) -> String {
        STANDARD.encode(hmac::sign(&self.key, url.as_bytes()))
    }

    /// Whether `signature` signs one of `urls`, compared in constant time.
    pub fn verify(&self, signature: &str, urls: &[String]) -> bool {
        let Ok(tag) = STANDARD.decode(signature.trim()) else {
            return false;
        };
        urls.iter()
            .any(|url| hmac::verify(&self.key, url.as_bytes(), &tag).is_ok())
    }
}

/// The URLs Twilio may have signed for a request with this `Host` and
/// target: the stream URL as configured, `wss://host/path`. A server
/// without TLS of its own also accepts `ws://`: behind a TLS-terminating
/// proxy it cannot tell which scheme the platform used.
pub fn signed_urls(tls: bool, host: &str, target: &str) -> Vec<String> {
    let mut urls = vec![format!("wss://{host}{target}")];
    if !tls {
        urls.push(format!("ws://{host}{target}"));
    }
    urls
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha1_of_rfc_2202() {
        //= https://www.rfc-editor.org/rfc/rfc2202#section-3
        //# test_case =     2
        //# key =           "Jefe"
        //# key_len =       4
        //# data =          "what do ya want for nothing?"
        //# data_len =      28
        //# digest =        0xeffcdf6ae5eb2fa2d27416d5f184df9c259a7c79
        let digest = [
            0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74, 0x16, 0xd5, 0xf1, 0x84,
            0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79,
        ];
        let auth = TwilioAuth::new("Jefe");
        assert_eq!(
            auth.sign("what do ya want for nothing?"),
            STANDARD.encode(digest)
        );
    }

    #[test]
    fn verification() {
        let auth = TwilioAuth::new("12345");
        let urls = signed_urls(true, "example.com", "/twilio");
        assert_eq!(urls, ["wss://example.com/twilio"]);
        let good = auth.sign("wss://example.com/twilio");
        // As computed by Python's hmac module, independently of ring.
        assert_eq!(good, "4qZsm0/0bGQYw36gQ+0YyAX07W0=");
        assert!(auth.verify(&good, &urls));
        assert!(!auth.verify(&auth.sign("wss://example.com/telnyx"), &urls));
        assert!(!TwilioAuth::new("54321").verify(&good, &urls));
        assert!(!auth.verify("not base64!", &urls));
        assert!(!auth.verify("", &urls));
        // Without TLS here, the platform may still have signed wss://.
        let plain = signed_urls(false, "example.com", "/twilio");
        assert!(auth.verify(&good, &plain));
        assert!(auth.verify(&auth.sign("ws://example.com/twilio"), &plain));
        assert_eq!(format!("{auth:?}"), "TwilioAuth(..)");
    }
}
