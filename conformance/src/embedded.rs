//! The embedded default target: the reference server, in process, on a free
//! loopback port.

use crate::target::Target;
use voxproof_reference::server::{spawn, Config, Handle};

/// Start the reference server and return it with its `/echo` target (voice on).
pub fn start() -> Result<(Handle, Target), String> {
    let config = Config {
        listen: "127.0.0.1:0".parse().expect("literal address"),
        ..Config::default()
    };
    let handle =
        spawn(config).map_err(|e| format!("cannot start the embedded reference server: {e}"))?;
    let mut target = Target::parse(&format!("ws://{}/echo", handle.addr()))?;
    // The reference serves the voice protocol: its cases run by default.
    target.voice = Some(crate::target::VoiceService::default());
    Ok((handle, target))
}
