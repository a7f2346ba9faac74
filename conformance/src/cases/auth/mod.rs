//! Bearer-token cases (`auth.*`), one file per RFC ([docs/auth.md](../../../../docs/auth.md#the-auth-cases)).

pub mod exchange;
pub mod mint;
pub mod rfc6750;
pub mod rfc7515;
pub mod rfc7519;
pub mod rfc8725;

pub use crate::target::{AuthSettings, Key, TokenIn};

use crate::case::Case;

/// The catalogue order: RFC 6750, 7519, 7515, 8725.
pub fn cases() -> Vec<Case> {
    let mut all = rfc6750::cases();
    all.extend(rfc7519::cases());
    all.extend(rfc7515::cases());
    all.extend(rfc8725::cases());
    all
}
