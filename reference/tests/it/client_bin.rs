//! `voxproof-client` end to end against the reference server.

use std::process::Command;
use voxproof_reference::server::{spawn, Config};

#[test]
fn sends_arguments_and_prints_replies() {
    let h = spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    })
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_voxproof-client"))
        .args([
            "--url",
            &format!("ws://{}/echo", h.addr()),
            "hello",
            "second message",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "hello\nsecond message\n"
    );
}

#[test]
fn a_close_is_one_plain_line() {
    let h = spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        max_message_size: 16,
        ..Config::default()
    })
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_voxproof-client"))
        .args([
            "--url",
            &format!("ws://{}/echo", h.addr()),
            "a message longer than sixteen bytes",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim_end(),
        "closed by the server: 1009 (message too big)",
        "{err}"
    );
}

#[test]
fn bad_url_is_one_line_and_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_voxproof-client"))
        .args(["--url", "http://x/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("ws://"), "{err}");
}

#[test]
fn refused_handshake_is_reported() {
    let h = spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    })
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_voxproof-client"))
        .args(["--url", &format!("ws://{}/nowhere", h.addr()), "hi"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("404"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn fixture_path(name: &str) -> String {
    format!("{}/../vectors/g711/wav/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn streams_a_wav_through_the_voice_echo_and_records_it() {
    let h = spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    })
    .unwrap();
    let dir = std::env::temp_dir().join(format!("voxproof-client-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_g711 = dir.join("echo-pcmu.wav");
    let out_pcm = dir.join("echo.wav");
    // G.711 on request; 16-bit PCM by default.
    for (out, format) in [
        (&out_g711, &["--record-format", "pcmu"][..]),
        (&out_pcm, &[]),
    ] {
        let result = Command::new(env!("CARGO_BIN_EXE_voxproof-client"))
            .args([
                "--url",
                &format!("ws://{}/echo?codec=pcmu", h.addr()),
                "--send",
                &fixture_path("tone-1khz.pcmu.wav"),
                "--record",
                out.to_str().unwrap(),
                "--token",
                "ignored-by-this-server",
            ])
            .args(format)
            .output()
            .unwrap();
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
    }
    let sent = std::fs::read(fixture_path("tone-1khz.pcmu.wav")).unwrap();
    assert_eq!(std::fs::read(&out_g711).unwrap(), sent, "G.711 recording");
    // The PCM recording is the µ-law decoded by the vector table.
    let table = voxproof_vectors::g711_pcmu();
    let pcm = hound::WavReader::open(&out_pcm).unwrap();
    let samples: Vec<i16> = pcm.into_samples::<i16>().map(Result::unwrap).collect();
    let codes = voxproof_reference::g711::wav::read(&sent)
        .unwrap()
        .to_codes(voxproof_reference::g711::Codec::Pcmu);
    let want: Vec<i16> = codes.iter().map(|c| table.decode_of(*c)).collect();
    assert_eq!(samples, want);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_wav_that_is_not_8khz_mono_is_one_line_and_exit_2() {
    let mut bytes = std::fs::read(fixture_path("tone-1khz.pcm16.wav")).unwrap();
    // Sample rate 44100 and the byte rate that goes with it.
    bytes[24..28].copy_from_slice(&44_100u32.to_le_bytes());
    bytes[28..32].copy_from_slice(&88_200u32.to_le_bytes());
    let dir = std::env::temp_dir().join(format!("voxproof-client-44k-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("44k.wav");
    std::fs::write(&input, bytes).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_voxproof-client"))
        .args([
            "--url",
            "ws://127.0.0.1:9/rooms/r?codec=pcmu",
            "--send",
            input.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("44100 Hz") && err.contains("8000 Hz mono"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn client(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_voxproof-client"))
        .args(args)
        .output()
        .unwrap()
}

fn recorded(path: &std::path::Path) -> (u32, Vec<i16>) {
    let reader = hound::WavReader::open(path).unwrap();
    let rate = reader.spec().sample_rate;
    (
        rate,
        reader.into_samples::<i16>().map(Result::unwrap).collect(),
    )
}

#[test]
fn twilio_profile_records_the_echo_bot() {
    let h = spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    })
    .unwrap();
    let dir = std::env::temp_dir().join(format!("voxproof-profile-echo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("echo.wav");
    let result = client(&[
        "--profile",
        "twilio",
        "--url",
        &format!("ws://{}/twilio/echo", h.addr()),
        "--send",
        &fixture_path("speech.pcmu.wav"),
        "--record",
        out.to_str().unwrap(),
        "--duration-ms",
        "3000",
    ]);
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{err}");
    // The µ-law the client sent, decoded by the vector table, then silence.
    let table = voxproof_vectors::g711_pcmu();
    let sent = std::fs::read(fixture_path("speech.pcmu.wav")).unwrap();
    let codes = voxproof_reference::g711::wav::read(&sent)
        .unwrap()
        .to_codes(voxproof_reference::g711::Codec::Pcmu);
    let want: Vec<i16> = codes.iter().map(|c| table.decode_of(*c)).collect();
    let (rate, got) = recorded(&out);
    assert_eq!(rate, 8000);
    assert!(got.len() >= want.len(), "{} samples", got.len());
    assert_eq!(got[..want.len()], want[..]);
    assert!(got[want.len()..].iter().all(|&s| s == 0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn vonage_profile_hears_the_turn_bot_and_plays_its_marks() {
    let h = spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    })
    .unwrap();
    let dir = std::env::temp_dir().join(format!("voxproof-profile-turn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("bot.wav");
    let result = client(&[
        "--profile",
        "vonage",
        "--url",
        &format!("ws://{}/vonage", h.addr()),
        "--send",
        &fixture_path("speech.pcm16.wav"),
        "--record",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{err}");
    // An 8 kHz caller: the bot answers the utterance with the sweep, at 8 kHz.
    let sweep = std::fs::read(fixture_path("sweep.pcm16.wav")).unwrap();
    let sweep = voxproof_reference::g711::wav::read(&sweep)
        .unwrap()
        .to_linear();
    assert_eq!(recorded(&out), (8000, sweep));
    let marks: Vec<&str> = err.lines().filter(|l| l.starts_with("mark ")).collect();
    assert_eq!(marks.len(), 5, "{err}");
    assert!(marks[4].contains("prompt-1-end"), "{err}");
    assert!(err.contains("5 marks played, 0 clears"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn twilio_profile_signs_when_given_the_token() {
    let h = spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        twilio_auth: Some(voxproof_reference::bots::TwilioAuth::new("auth-token")),
        ..Config::default()
    })
    .unwrap();
    let url = format!("ws://{}/twilio/echo", h.addr());
    let send = fixture_path("tone-1khz.pcmu.wav");
    let args = ["--profile", "twilio", "--url", &url, "--send", &send];
    let signed = client(&[&args[..], &["--twilio-auth-token", "auth-token"]].concat());
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    let unsigned = client(&args);
    assert_eq!(unsigned.status.code(), Some(2));
    let err = String::from_utf8_lossy(&unsigned.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("403"), "{err}");
}

#[test]
fn an_unknown_profile_is_one_line_and_exit_2() {
    let out = client(&["--profile", "skype", "--url", "ws://127.0.0.1:9/x"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim_end(),
        "error: --profile skype: use twilio, telnyx or vonage"
    );
}
