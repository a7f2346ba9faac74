//! RFC 6455 §5.2 frames: a crafter that writes any frame, valid or not, and a
//! reader that decodes whatever a target sends.

/// Opcodes (RFC 6455 §5.2, §11.8).
pub mod opcode {
    pub const CONTINUATION: u8 = 0x0;
    pub const TEXT: u8 = 0x1;
    pub const BINARY: u8 = 0x2;
    pub const CLOSE: u8 = 0x8;
    pub const PING: u8 = 0x9;
    pub const PONG: u8 = 0xA;
}

/// How the payload length is written. RFC 6455 §5.2 requires the minimal
/// form; the others exist to test that a target handles (or refuses) them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LenEncoding {
    Minimal,
    /// 126 + 16-bit length, whatever the length.
    Bits16,
    /// 127 + 64-bit length, whatever the length.
    Bits64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub fin: bool,
    /// RSV1..RSV3 as the low three bits (RSV1 = 0b100).
    pub rsv: u8,
    /// Four bits; reserved values are allowed here on purpose.
    pub opcode: u8,
    pub mask: Option<[u8; 4]>,
    pub payload: Vec<u8>,
    pub len_encoding: LenEncoding,
}

impl Frame {
    /// A final, unmasked frame with the minimal length encoding.
    pub fn new(opcode: u8, payload: impl Into<Vec<u8>>) -> Frame {
        Frame {
            fin: true,
            rsv: 0,
            opcode,
            mask: None,
            payload: payload.into(),
            len_encoding: LenEncoding::Minimal,
        }
    }

    pub fn masked(mut self, key: [u8; 4]) -> Frame {
        self.mask = Some(key);
        self
    }

    pub fn fin(mut self, fin: bool) -> Frame {
        self.fin = fin;
        self
    }

    pub fn rsv(mut self, rsv: u8) -> Frame {
        self.rsv = rsv & 0b111;
        self
    }

    pub fn len_encoding(mut self, e: LenEncoding) -> Frame {
        self.len_encoding = e;
        self
    }

    /// A close frame's payload: code then UTF-8 reason (RFC 6455 §5.5.1).
    pub fn close(code: Option<u16>, reason: &[u8]) -> Frame {
        let mut payload = Vec::new();
        if let Some(code) = code {
            payload.extend_from_slice(&code.to_be_bytes());
            payload.extend_from_slice(reason);
        }
        Frame::new(opcode::CLOSE, payload)
    }

    /// The bytes on the wire.
    pub fn encode(&self) -> Vec<u8> {
        self.encode_with(self.mask)
    }

    /// The bytes on the wire with this mask instead of the frame's own
    /// (spares a copy of a large payload).
    pub fn encode_with(&self, mask: Option<[u8; 4]>) -> Vec<u8> {
        let mut out = self.header_with(mask, self.payload.len());
        let start = out.len();
        out.extend_from_slice(&self.payload);
        if let Some(key) = mask {
            apply_mask(&mut out[start..], key);
        }
        out
    }

    /// The header alone (ending with the masking key when masked), with
    /// room reserved for `capacity` more bytes.
    pub fn header_with(&self, mask: Option<[u8; 4]>, capacity: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(capacity + 14);
        write_header(
            &mut out,
            self.first_byte(),
            self.payload.len() as u64,
            self.len_encoding,
            mask,
        );
        out
    }

    /// The header's first byte: FIN, RSV1..3 and the opcode.
    pub fn first_byte(&self) -> u8 {
        ((self.fin as u8) << 7) | ((self.rsv & 0b111) << 4) | (self.opcode & 0x0F)
    }

    /// Close code and reason when this is a close frame with a payload of ≥ 2 bytes.
    pub fn close_code(&self) -> Option<u16> {
        (self.opcode == opcode::CLOSE && self.payload.len() >= 2)
            .then(|| u16::from_be_bytes([self.payload[0], self.payload[1]]))
    }

    pub fn is_control(&self) -> bool {
        self.opcode & 0x8 != 0
    }
}

/// Append a frame header: `first` is the byte with FIN, RSV and the opcode;
/// `len` the payload length, written as `encoding` asks.
pub fn write_header(
    out: &mut Vec<u8>,
    first: u8,
    len: u64,
    encoding: LenEncoding,
    mask: Option<[u8; 4]>,
) {
    out.push(first);
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    let encoding = match encoding {
        LenEncoding::Minimal if len < 126 => None,
        LenEncoding::Minimal if len <= u64::from(u16::MAX) => Some(LenEncoding::Bits16),
        LenEncoding::Minimal => Some(LenEncoding::Bits64),
        other => Some(other),
    };
    match encoding {
        None => out.push(mask_bit | len as u8),
        Some(LenEncoding::Bits16) => {
            out.push(mask_bit | 126);
            // A payload over 65535 bytes cannot be written this way; the
            // length is truncated, which is itself a malformed frame.
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        Some(_) => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
    if let Some(key) = mask {
        out.extend_from_slice(&key);
    }
}

/// The masking key as seen from byte `offset` of a payload, so a payload
/// masked in pieces gets the same bytes as one masked whole.
pub fn key_at(key: [u8; 4], offset: usize) -> [u8; 4] {
    let r = offset % 4;
    [key[r], key[(r + 1) % 4], key[(r + 2) % 4], key[(r + 3) % 4]]
}

/// XOR `data` with the repeating 4-byte key (RFC 6455 §5.3), eight bytes at a
/// time: large messages are masked and unmasked on every run.
pub fn apply_mask(data: &mut [u8], key: [u8; 4]) {
    let wide = u64::from_ne_bytes([
        key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3],
    ]);
    let mut chunks = data.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let v = u64::from_ne_bytes(chunk.try_into().unwrap_or([0; 8])) ^ wide;
        chunk.copy_from_slice(&v.to_ne_bytes());
    }
    // The tail starts at a multiple of 8, so the key phase is still 0.
    for (i, b) in chunks.into_remainder().iter_mut().enumerate() {
        *b ^= key[i % 4];
    }
}

/// Result of reading from the bytes received so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// More bytes are needed.
    Partial,
    /// A frame and the number of bytes it took.
    Frame(Frame, usize),
    /// The bytes cannot be a frame (length with the most significant bit set,
    /// or a payload above the reader's limit).
    Invalid(String),
}

/// Everything before a frame's payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub fin: bool,
    pub rsv: u8,
    pub opcode: u8,
    pub mask: Option<[u8; 4]>,
    pub len: u64,
    pub len_encoding: LenEncoding,
    /// Bytes of the header itself.
    pub header_len: usize,
}

impl Header {
    /// Bytes of the whole frame.
    pub fn frame_len(&self) -> usize {
        self.header_len + self.len as usize
    }

    /// The frame, given its payload still masked as it came.
    pub fn with_payload(self, mut payload: Vec<u8>) -> Frame {
        if let Some(key) = self.mask {
            apply_mask(&mut payload, key);
        }
        Frame {
            fin: self.fin,
            rsv: self.rsv,
            opcode: self.opcode,
            mask: self.mask,
            payload,
            len_encoding: self.len_encoding,
        }
    }
}

/// Result of reading a header from the bytes received so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderParse {
    Partial,
    Header(Header),
    Invalid(String),
}

/// Read a frame header; payloads above `max_payload` are refused.
pub fn decode_header(buf: &[u8], max_payload: u64) -> HeaderParse {
    if buf.len() < 2 {
        return HeaderParse::Partial;
    }
    let (b0, b1) = (buf[0], buf[1]);
    let (len, len_encoding, mut at) = match b1 & 0x7F {
        126 => {
            if buf.len() < 4 {
                return HeaderParse::Partial;
            }
            (
                u64::from(u16::from_be_bytes([buf[2], buf[3]])),
                LenEncoding::Bits16,
                4,
            )
        }
        127 => {
            if buf.len() < 10 {
                return HeaderParse::Partial;
            }
            let mut b = [0u8; 8];
            b.copy_from_slice(&buf[2..10]);
            let len = u64::from_be_bytes(b);
            //= https://www.rfc-editor.org/rfc/rfc6455#section-5.2
            //# the most significant bit MUST be 0
            if len >> 63 != 0 {
                return HeaderParse::Invalid(
                    "64-bit payload length with the most significant bit set".into(),
                );
            }
            (len, LenEncoding::Bits64, 10)
        }
        n => (u64::from(n), LenEncoding::Minimal, 2),
    };
    // Record non-minimal encodings as such; the minimal form of each length is `Minimal`.
    let len_encoding = match len_encoding {
        LenEncoding::Bits16 if len >= 126 => LenEncoding::Minimal,
        LenEncoding::Bits64 if len > u64::from(u16::MAX) => LenEncoding::Minimal,
        other => other,
    };
    if len > max_payload {
        return HeaderParse::Invalid(format!(
            "payload of {len} bytes is over the reader's limit of {max_payload}"
        ));
    }
    let mask = if b1 & 0x80 != 0 {
        if buf.len() < at + 4 {
            return HeaderParse::Partial;
        }
        let key = [buf[at], buf[at + 1], buf[at + 2], buf[at + 3]];
        at += 4;
        Some(key)
    } else {
        None
    };
    HeaderParse::Header(Header {
        fin: b0 & 0x80 != 0,
        rsv: (b0 >> 4) & 0b111,
        opcode: b0 & 0x0F,
        mask,
        len,
        len_encoding,
        header_len: at,
    })
}

/// Decode one frame from the start of `buf`; payloads above `max_payload` are refused.
pub fn decode(buf: &[u8], max_payload: u64) -> Decoded {
    match decode_header(buf, max_payload) {
        HeaderParse::Partial => Decoded::Partial,
        HeaderParse::Invalid(e) => Decoded::Invalid(e),
        HeaderParse::Header(h) => {
            let end = h.frame_len();
            if buf.len() < end {
                return Decoded::Partial;
            }
            let payload = buf[h.header_len..end].to_vec();
            Decoded::Frame(h.with_payload(payload), end)
        }
    }
}

/// Received payloads at least this large come from, and return to, [`recycle`].
const SPARE_MIN: usize = 1 << 20;

/// Large receive buffers no longer needed, kept for the next large frame:
/// every large message would otherwise cost fresh pages (a page fault each
/// 4 KiB), whichever thread receives it.
static SPARES: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());

/// Return a large payload's buffer for reuse by later reads.
pub fn recycle(mut buf: Vec<u8>) {
    if buf.capacity() >= SPARE_MIN {
        buf.clear();
        if let Ok(mut spares) = SPARES.lock() {
            // A few are enough: frames are received a few at a time.
            if spares.len() < 16 {
                spares.push(buf);
            }
        }
    }
}

/// The smallest kept buffer with room for `len` bytes, emptied.
fn spare_buffer(len: usize) -> Option<Vec<u8>> {
    if len < SPARE_MIN {
        return None;
    }
    let mut spares = SPARES.lock().ok()?;
    let best = (0..spares.len())
        .filter(|&i| spares[i].capacity() >= len)
        .min_by_key(|&i| spares[i].capacity())?;
    Some(spares.swap_remove(best))
}

/// Bytes received and not yet consumed, as the runner's reader keeps them.
///
/// Taking a frame advances an offset instead of moving the bytes after it,
/// and the consumed prefix is dropped only once it is at least half of the
/// buffer, so a read full of small frames costs time linear in its size (a
/// `Vec` drained from the front for each frame is quadratic). A frame that
/// fills most of the buffer is handed over without copying its payload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pending {
    buf: Vec<u8>,
    start: usize,
}

impl Pending {
    pub fn new() -> Pending {
        Pending::default()
    }

    /// The bytes not yet consumed.
    pub fn bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    pub fn len(&self) -> usize {
        self.buf.len() - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes still needed to complete the frame at the front, once its
    /// header is in (0 when not known): a reader that reads no more than
    /// this fills the room reserved for a large payload without growing it.
    pub fn missing(&self) -> usize {
        match decode_header(self.bytes(), u64::MAX) {
            HeaderParse::Header(h) => h.frame_len().saturating_sub(self.len()),
            HeaderParse::Partial | HeaderParse::Invalid(_) => 0,
        }
    }

    /// Append bytes just received.
    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start >= self.buf.len() / 2 {
            self.compact();
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Drop the first `n` unconsumed bytes (at most all of them).
    pub fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.buf.len());
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
    }

    fn compact(&mut self) {
        self.buf.drain(..self.start);
        self.start = 0;
    }

    /// Take the next frame off the front: `Ok(None)` until it is whole, with
    /// room reserved for its payload once the header is in.
    pub fn take_frame(&mut self, max_payload: u64) -> Result<Option<Frame>, String> {
        let h = match decode_header(self.bytes(), max_payload) {
            HeaderParse::Header(h) => h,
            HeaderParse::Invalid(e) => return Err(e),
            HeaderParse::Partial => return Ok(None),
        };
        let total = h.frame_len();
        let len = self.len();
        if len < total {
            self.compact();
            if self.buf.capacity() < total {
                match spare_buffer(total) {
                    Some(mut spare) => {
                        spare.extend_from_slice(&self.buf);
                        self.buf = spare;
                    }
                    None => self.buf.reserve_exact(total - len),
                }
            }
            return Ok(None);
        }
        let payload = if self.start == 0 && total * 2 > len {
            // Most of the buffer: keep it as the payload, move the rest out.
            let rest = self.buf.split_off(total);
            let mut bytes = std::mem::replace(&mut self.buf, rest);
            bytes.drain(..h.header_len);
            bytes
        } else {
            let payload = self.bytes()[h.header_len..total].to_vec();
            self.consume(total);
            payload
        };
        Ok(Some(h.with_payload(payload)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6455_section_5_7_examples() {
        // A single-frame unmasked text message "Hello".
        let hello = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
        assert_eq!(Frame::new(opcode::TEXT, "Hello").encode(), hello);
        // A single-frame masked text message "Hello".
        let masked = [
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ];
        assert_eq!(
            Frame::new(opcode::TEXT, "Hello")
                .masked([0x37, 0xfa, 0x21, 0x3d])
                .encode(),
            masked
        );
        let Decoded::Frame(f, n) = decode(&masked, 1 << 20) else {
            panic!()
        };
        assert_eq!((f.payload.as_slice(), n), (&b"Hello"[..], masked.len()));
        // 256 bytes binary message in a single unmasked frame.
        let big = Frame::new(opcode::BINARY, vec![0u8; 256]).encode();
        assert_eq!(&big[..4], &[0x82, 0x7E, 0x01, 0x00]);
        // 64KiB binary message in a single unmasked frame.
        let huge = Frame::new(opcode::BINARY, vec![0u8; 65536]).encode();
        assert_eq!(&huge[..10], &[0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0]);
    }

    #[test]
    fn pending_takes_small_and_large_frames_in_order() {
        let small: Vec<Frame> = (0..1000u16)
            .map(|i| Frame::new(opcode::BINARY, i.to_be_bytes().to_vec()))
            .collect();
        let large = Frame::new(opcode::TEXT, vec![b'x'; 70_000]);
        let mut bytes: Vec<u8> = small.iter().flat_map(Frame::encode).collect();
        bytes.extend(large.encode());
        bytes.extend(small[0].encode());
        let mut pending = Pending::new();
        let mut got = Vec::new();
        // Reads of 4 KiB, as a socket might deliver them.
        for chunk in bytes.chunks(4096) {
            pending.extend_from_slice(chunk);
            while let Some(f) = pending.take_frame(1 << 20).unwrap() {
                got.push(f);
            }
        }
        let mut want = small.clone();
        want.push(large);
        want.push(small[0].clone());
        assert_eq!(got, want);
        assert!(pending.is_empty());
        // A frame alone in the buffer is handed over whole.
        pending.extend_from_slice(&Frame::new(opcode::PING, "p").encode()[..1]);
        assert_eq!(pending.take_frame(125), Ok(None));
        assert_eq!(pending.len(), 1);
    }

    #[test]
    fn non_minimal_lengths_round_trip() {
        for e in [LenEncoding::Bits16, LenEncoding::Bits64] {
            let f = Frame::new(opcode::TEXT, "hi").len_encoding(e);
            let Decoded::Frame(back, _) = decode(&f.encode(), 1 << 20) else {
                panic!()
            };
            assert_eq!(back, f);
        }
    }
}
