//! `voxproof-client`: a WebSocket client for echo and voice URLs
//! ([docs/voice-protocol.md](../../../docs/voice-protocol.md#the-reference-client)).

use clap::Parser;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tungstenite::Message;
use voxproof_reference::bots::call::resample;
use voxproof_reference::bots::{Platform, TwilioAuth};
use voxproof_reference::client::call::{self, Caller};
use voxproof_reference::client::stream::RecordFormat;
use voxproof_reference::client::{connect_with, describe_close, stream, WsUrl};
use voxproof_reference::g711::wav;
use voxproof_reference::tls::{self, Trust};
use voxproof_reference::voice::protocol::parse_event;

/// Reference WebSocket client.
#[derive(Parser, Debug)]
#[command(name = "voxproof-client", version)]
struct Args {
    /// Server URL, e.g. ws://127.0.0.1:9001/echo or wss://example.test/echo
    #[arg(long)]
    url: String,
    /// wss://: trust only the certificate authorities in this PEM file
    /// [default: the platform's trust store].
    #[arg(long, value_name = "PEM")]
    ca_file: Option<PathBuf>,
    /// wss://: accept any server certificate (encrypted, but not authenticated).
    #[arg(long)]
    insecure: bool,
    /// Subprotocol to offer (repeatable).
    #[arg(long = "protocol", value_name = "NAME")]
    protocols: Vec<String>,
    /// How long to wait for each reply.
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    wait_ms: u64,
    /// Voice: 8 kHz mono WAV (16-bit PCM, µ-law or A-law) to send as 20 ms
    /// frames paced in real time, in the codec the URL's ?codec= names.
    #[arg(long, value_name = "WAV")]
    send: Option<PathBuf>,
    /// Voice: write what arrives to this WAV (8 kHz mono, 16-bit PCM unless
    /// --record-format says otherwise).
    #[arg(long, value_name = "WAV")]
    record: Option<PathBuf>,
    /// Voice: the recording's encoding: pcm16, or G.711 as pcmu or pcma.
    #[arg(long, default_value = "pcm16", value_name = "FORMAT", value_parser = record_format)]
    record_format: RecordFormat,
    /// Play a call to a voice bot as this platform streams one: twilio,
    /// telnyx or vonage (docs/telephony.md). With --send and --record.
    #[arg(long, value_name = "PLATFORM")]
    profile: Option<String>,
    /// --profile twilio: sign the request with this Twilio auth token
    /// (X-Twilio-Signature over the --url).
    #[arg(long, value_name = "TOKEN")]
    twilio_auth_token: Option<String>,
    /// Voice: how long to stay connected [default: the --send audio + 500 ms;
    /// with --profile, + 2000 ms, time for the bot to answer].
    #[arg(long, value_name = "MS")]
    duration_ms: Option<u64>,
    /// Bearer token, sent as `Authorization: Bearer TOKEN`.
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    /// Text messages to send; without any, each line of stdin is one message.
    messages: Vec<String>,
}

fn record_format(name: &str) -> Result<RecordFormat, String> {
    RecordFormat::from_name(name).ok_or_else(|| format!("{name}: use pcm16, pcmu or pcma"))
}

/// The TLS configuration for a wss:// URL from `--ca-file` or `--insecure`.
fn tls_config(args: &Args) -> Result<Arc<rustls::ClientConfig>, String> {
    let trust = match (&args.ca_file, args.insecure) {
        (Some(_), true) => return Err("--ca-file and --insecure exclude each other".into()),
        (_, true) => {
            eprintln!(
                "warning: --insecure: the server's certificate is not checked; \
                 anyone on the path can pose as the server"
            );
            Trust::Anything
        }
        (ca_file, false) => Trust::from_ca_file(ca_file.as_deref())?,
    };
    tls::client_config(&trust)
}

/// `--send`/`--record`: stream audio on a voice URL.
fn voice(
    args: &Args,
    url: &WsUrl,
    headers: &[(String, String)],
    tls: Option<&Arc<rustls::ClientConfig>>,
) -> ExitCode {
    let Some(codec) = stream::codec_of(&url.resource) else {
        eprintln!("error: --send/--record need a voice URL with ?codec=pcmu or ?codec=pcma");
        return ExitCode::from(2);
    };
    let codes = match &args.send {
        Some(path) => match std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|b| wav::read(&b).map_err(|e| e.to_string()))
        {
            Ok(audio) => audio.to_codes(codec),
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        None => Vec::new(),
    };
    let frames = stream::frames(&codes, codec);
    let duration = match (args.duration_ms, args.send.is_some()) {
        (Some(ms), _) => Duration::from_millis(ms),
        (None, true) => Duration::from_millis(20 * frames.len() as u64 + 500),
        (None, false) => {
            eprintln!("error: --record without --send needs --duration-ms");
            return ExitCode::from(2);
        }
    };
    let wait = Duration::from_millis(args.wait_ms);
    let (mut ws, _) = match connect_with(url, &args.protocols, headers, wait, tls) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // Control events as one line each; anything else (e.g. the close) as it came.
    let on_event = |text: &str| match parse_event(text) {
        Ok(event) => eprintln!("{event}"),
        Err(_) => eprintln!("{text}"),
    };
    let received = match stream::stream(&mut ws, &frames, duration, on_event) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = &args.record {
        let bytes = stream::recording(args.record_format, codec, &received);
        if let Err(e) = std::fs::write(path, bytes) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// A caller's WAV as samples and their rate: 8 kHz PCM, µ-law or A-law,
/// or 16-bit PCM mono at another rate (a 16 kHz Vonage caller).
fn caller_audio(path: &std::path::Path) -> Result<(Vec<i16>, u32), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let eight_khz = match wav::read(&bytes) {
        Ok(audio) => return Ok((audio.to_linear(), 8000)),
        Err(e) => e,
    };
    let reader = hound::WavReader::new(bytes.as_slice()).map_err(|_| eight_khz.to_string())?;
    let spec = reader.spec();
    if spec.channels != 1
        || spec.bits_per_sample != 16
        || spec.sample_format != hound::SampleFormat::Int
    {
        return Err(eight_khz.to_string());
    }
    let samples: Result<Vec<i16>, _> = reader.into_samples::<i16>().collect();
    let samples = samples.map_err(|e| format!("reading the samples: {e}"))?;
    Ok((samples, spec.sample_rate))
}

/// `--profile`: play a call to a voice bot as the platform would.
fn profile(
    args: &Args,
    name: &str,
    url: &WsUrl,
    tls: Option<&Arc<rustls::ClientConfig>>,
) -> ExitCode {
    let Some(platform) = Platform::from_name(name) else {
        eprintln!("error: --profile {name}: use twilio, telnyx or vonage");
        return ExitCode::from(2);
    };
    let (samples, rate) = match &args.send {
        Some(path) => match caller_audio(path) {
            Ok(audio) => audio,
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        None => (Vec::new(), 8000),
    };
    // Vonage streams L16 at 16 kHz for a wideband caller, 8 kHz otherwise;
    // the others stream 8 kHz G.711.
    let call_rate = if platform == Platform::Vonage && rate >= 16000 {
        16000
    } else {
        8000
    };
    let samples = resample(&samples, rate, call_rate);
    let mut caller = Caller::new(platform, call_rate);
    let audio_ms = samples.len() as u64 * 1000 / u64::from(call_rate);
    let duration = Duration::from_millis(args.duration_ms.unwrap_or(audio_ms + 2000));
    let mut headers = Vec::new();
    if let Some(token) = &args.twilio_auth_token {
        let signature = TwilioAuth::new(token).sign(&args.url);
        headers.push(("X-Twilio-Signature".to_string(), signature));
    }
    let wait = Duration::from_millis(args.wait_ms);
    let (mut ws, _) = match connect_with(url, &args.protocols, &headers, wait, tls) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let heard = match call::play(&mut ws, &mut caller, &samples, duration, |e| {
        eprintln!("{e}")
    }) {
        Ok(heard) => heard,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "the bot sent {} ms of audio, {} marks played, {} clears",
        heard.samples.len() as u64 * 1000 / u64::from(call_rate),
        heard.marks.len(),
        heard.clears
    );
    if let Some(path) = &args.record {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: call_rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let written = hound::WavWriter::create(path, spec).and_then(|mut w| {
            for s in &heard.samples {
                w.write_sample(*s)?;
            }
            w.finalize()
        });
        if let Err(e) = written {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args = Args::parse();
    let url = match WsUrl::parse(&args.url) {
        Ok(url) => url,
        Err(e) => {
            eprintln!("error: --url: {e}");
            return ExitCode::from(2);
        }
    };
    let headers: Vec<(String, String)> = args
        .token
        .iter()
        .map(|t| ("Authorization".to_string(), format!("Bearer {t}")))
        .collect();
    let tls = if url.tls {
        match tls_config(&args) {
            Ok(config) => Some(config),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        None
    };
    if let Some(name) = &args.profile {
        return profile(&args, name, &url, tls.as_ref());
    }
    if args.twilio_auth_token.is_some() {
        eprintln!("error: --twilio-auth-token goes with --profile twilio");
        return ExitCode::from(2);
    }
    if args.send.is_some() || args.record.is_some() {
        return voice(&args, &url, &headers, tls.as_ref());
    }
    let wait = Duration::from_millis(args.wait_ms);
    let (mut ws, protocol) = match connect_with(&url, &args.protocols, &headers, wait, tls.as_ref())
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(p) = protocol {
        eprintln!("subprotocol: {p}");
    }
    if let Err(e) = ws.get_ref().set_read_timeout(Some(wait)) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let lines: Box<dyn Iterator<Item = String>> = if args.messages.is_empty() {
        Box::new(std::io::stdin().lock().lines().map_while(Result::ok))
    } else {
        Box::new(args.messages.into_iter())
    };
    for line in lines {
        if let Err(e) = ws.send(Message::text(line)) {
            eprintln!("error: sending: {e}");
            return ExitCode::FAILURE;
        }
        // Print what comes back until a data message arrives or the wait ends.
        loop {
            match ws.read() {
                Ok(Message::Text(t)) => {
                    println!("{t}");
                    break;
                }
                Ok(Message::Binary(b)) => {
                    println!("<{} binary bytes>", b.len());
                    break;
                }
                Ok(Message::Close(frame)) => {
                    eprintln!("{}", describe_close(frame.as_ref()));
                    return ExitCode::FAILURE;
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    eprintln!("no reply within {} ms", args.wait_ms);
                    break;
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    let _ = ws.close(None);
    // Read until the server's close arrives (or the wait ends).
    while ws.read().is_ok() {}
    ExitCode::SUCCESS
}
