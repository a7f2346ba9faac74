//! Streaming audio over a voice connection: 20 ms frames sent on the
//! client's clock while whatever arrives is recorded.

use super::{describe_close, MaybeTls};
use crate::g711::{transcode, wav, Codec};
use crate::voice::protocol::{negotiate_codec, FRAME_BYTES, FRAME_MS};
use std::io::ErrorKind;
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

/// The codec a voice URL's resource (`/rooms/r?codec=pcmu`) asks for.
pub fn codec_of(resource: &str) -> Option<Codec> {
    let query = resource.split_once('?').map(|(_, q)| q);
    negotiate_codec(query).ok()
}

/// Codes cut into 160-byte frames; the last one is padded with silence.
pub fn frames(codes: &[u8], codec: Codec) -> Vec<Vec<u8>> {
    codes
        .chunks(FRAME_BYTES)
        .map(|c| {
            let mut f = c.to_vec();
            f.resize(FRAME_BYTES, codec.silence());
            f
        })
        .collect()
}

/// How a recording is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormat {
    /// 16-bit PCM, which every player reads (the default).
    Pcm16,
    /// G.711 in this law (WAV format 7 or 6), converted with the tables
    /// when the connection's codec is the other law.
    G711(Codec),
}

impl RecordFormat {
    /// `pcm16`, `pcmu` or `pcma`.
    pub fn from_name(name: &str) -> Option<RecordFormat> {
        match name.to_ascii_lowercase().as_str() {
            "pcm16" => Some(RecordFormat::Pcm16),
            other => Codec::from_name(other).map(RecordFormat::G711),
        }
    }
}

/// The WAV file of what arrived, as codes in the connection's `codec`.
pub fn recording(format: RecordFormat, codec: Codec, codes: &[u8]) -> Vec<u8> {
    match format {
        RecordFormat::Pcm16 => wav::write_pcm16(&codec.decode_vec(codes)),
        RecordFormat::G711(law) if law == codec => wav::write_g711(codec, codes),
        RecordFormat::G711(Codec::Pcma) => {
            wav::write_g711(Codec::Pcma, &transcode::ulaw_to_alaw_vec(codes))
        }
        RecordFormat::G711(Codec::Pcmu) => {
            wav::write_g711(Codec::Pcmu, &transcode::alaw_to_ulaw_vec(codes))
        }
    }
}

/// Send `frames` at start + k × 20 ms and record binary messages until
/// `duration` has passed (or the server closes). Text messages (control
/// events) go to `on_event`. Returns the received codes.
///
/// One thread does both: it reads with a timeout that ends when the next
/// frame is due, then sends. A TLS stream cannot be split between a reader
/// and a writer thread (both sides share the rustls state), and neither
/// tungstenite nor rustls loses anything when a read times out half-way.
pub fn stream(
    ws: &mut WebSocket<MaybeTls>,
    frames: &[Vec<u8>],
    duration: Duration,
    mut on_event: impl FnMut(&str),
) -> Result<Vec<u8>, String> {
    let start = Instant::now();
    let end = start + duration;
    let due = |k: usize| start + Duration::from_millis(FRAME_MS * k as u64);
    let mut next = 0;
    let mut received = Vec::new();
    loop {
        let now = Instant::now();
        while next < frames.len() && due(next) <= now {
            ws.send(Message::binary(frames[next].clone()))
                .map_err(|e| format!("sending audio: {e}"))?;
            next += 1;
        }
        if now >= end {
            break;
        }
        let wake = if next < frames.len() {
            due(next).min(end)
        } else {
            end
        };
        let wait = wake
            .saturating_duration_since(now)
            .max(Duration::from_millis(1));
        ws.get_mut()
            .set_read_timeout(Some(wait))
            .map_err(|e| e.to_string())?;
        match ws.read() {
            Ok(Message::Binary(b)) => received.extend_from_slice(&b),
            Ok(Message::Text(t)) => on_event(t.as_str()),
            Ok(Message::Close(frame)) => {
                on_event(&describe_close(frame.as_ref()));
                break;
            }
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => break,
            Err(e) => return Err(format!("receiving: {e}")),
        }
    }
    let _ = ws.close(None);
    let _ = ws
        .get_mut()
        .set_read_timeout(Some(Duration::from_millis(500)));
    while ws.read().is_ok() {}
    Ok(received)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codec_and_frames() {
        assert_eq!(codec_of("/rooms/r?codec=pcma"), Some(Codec::Pcma));
        assert_eq!(codec_of("/echo"), None);
        let f = frames(&[1; 170], Codec::Pcmu);
        assert_eq!(f.len(), 2);
        assert_eq!(f[1][9], 1);
        assert_eq!(f[1][10], 0xFF);
        let g = recording(RecordFormat::G711(Codec::Pcma), Codec::Pcma, &[0xD5; 4]);
        assert_eq!(
            wav::read(&g).unwrap(),
            wav::Audio::G711 {
                codec: Codec::Pcma,
                codes: vec![0xD5; 4]
            }
        );
        let u = recording(RecordFormat::G711(Codec::Pcmu), Codec::Pcma, &[0xD5; 4]);
        assert_eq!(
            wav::read(&u).unwrap(),
            wav::Audio::G711 {
                codec: Codec::Pcmu,
                codes: transcode::alaw_to_ulaw_vec(&[0xD5; 4])
            }
        );
        let p = recording(RecordFormat::Pcm16, Codec::Pcma, &[0xD5; 4]);
        assert_eq!(wav::read(&p).unwrap(), wav::Audio::Pcm16(vec![8; 4]));
        assert_eq!(RecordFormat::from_name("PCM16"), Some(RecordFormat::Pcm16));
        assert_eq!(
            RecordFormat::from_name("pcma"),
            Some(RecordFormat::G711(Codec::Pcma))
        );
        assert_eq!(RecordFormat::from_name("wav"), None);
    }
}
