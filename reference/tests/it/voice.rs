//! Voice rooms over real sockets: reference clients in rooms and on the
//! voice echo, with expectations from the G.711 vectors.

use std::time::Duration;
use voxproof_reference::client::{connect, stream, WsUrl};
use voxproof_reference::server::{spawn, Config, Handle};
use voxproof_vectors::g711::WAV_FIXTURES;

fn server() -> Handle {
    spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    })
    .expect("server starts")
}

/// 40 distinct frames, each with 160 different codes (never silence).
fn frames(seed: usize) -> Vec<Vec<u8>> {
    (0..40)
        .map(|k| {
            (0..160)
                .map(|i| ((k * 13 + i * 7 + seed) % 256) as u8)
                .collect()
        })
        .collect()
}

/// Two clients talk at once in one room; each returns what it heard, as frames.
fn two_in_a_room(h: &Handle, room: &str, codecs: [&str; 2]) -> [Vec<Vec<u8>>; 2] {
    let sent = [frames(3), frames(101)];
    let heard: Vec<Vec<Vec<u8>>> = std::thread::scope(|s| {
        let joins: Vec<_> = (0..2)
            .map(|i| {
                let url = WsUrl::parse(&format!(
                    "ws://{}/rooms/{room}?codec={}",
                    h.addr(),
                    codecs[i]
                ))
                .unwrap();
                let (mut ws, _) = connect(&url, &[], &[], Duration::from_secs(5)).unwrap();
                let mine = sent[i].clone();
                s.spawn(move || {
                    let got = stream::stream(&mut ws, &mine, Duration::from_millis(1400), |_| {})
                        .unwrap();
                    got.chunks(160).map(<[u8]>::to_vec).collect()
                })
            })
            .collect();
        joins.into_iter().map(|j| j.join().unwrap()).collect()
    });
    [heard[0].clone(), heard[1].clone()]
}

/// `heard` minus silence is `expected`, in order, with nothing else.
fn assert_hears(heard: &[Vec<u8>], silence: u8, expected: &[Vec<u8>]) {
    let voiced: Vec<&Vec<u8>> = heard.iter().filter(|f| **f != vec![silence; 160]).collect();
    let want: Vec<&Vec<u8>> = expected.iter().collect();
    assert_eq!(voiced.len(), want.len(), "frames heard besides silence");
    assert!(voiced == want, "frames differ from what the other sent");
}

#[test]
fn two_clients_with_one_codec_hear_each_other_bit_exact() {
    let h = server();
    let [a, b] = two_in_a_room(&h, "same", ["pcmu", "pcmu"]);
    assert_hears(&a, 0xFF, &frames(101));
    assert_hears(&b, 0xFF, &frames(3));
}

#[test]
fn across_codecs_frames_go_through_the_conversion_tables() {
    let t = voxproof_vectors::g711_transcode();
    let h = server();
    let [u, a] = two_in_a_room(&h, "cross", ["pcmu", "pcma"]);
    let conv = |table: &[u8], f: &Vec<u8>| f.iter().map(|c| table[usize::from(*c)]).collect();
    let to_u: Vec<Vec<u8>> = frames(101)
        .iter()
        .map(|f| conv(&t.pcma_to_pcmu, f))
        .collect();
    let to_a: Vec<Vec<u8>> = frames(3).iter().map(|f| conv(&t.pcmu_to_pcma, f)).collect();
    assert_hears(&u, 0xFF, &to_u);
    assert_hears(&a, 0xD5, &to_a);
}

#[test]
fn wav_through_the_voice_echo_comes_back_bit_identical() {
    let h = server();
    let fixture = WAV_FIXTURES.iter().find(|f| f.name == "tone-1khz").unwrap();
    let audio = voxproof_reference::g711::wav::read(fixture.pcmu).unwrap();
    let codec = voxproof_reference::g711::Codec::Pcmu;
    let url = WsUrl::parse(&format!("ws://{}/echo?codec=pcmu", h.addr())).unwrap();
    let (mut ws, _) = connect(&url, &[], &[], Duration::from_secs(5)).unwrap();
    let codes = audio.to_codes(codec);
    let sent = stream::frames(&codes, codec);
    let got = stream::stream(&mut ws, &sent, Duration::from_millis(800), |_| {}).unwrap();
    let wav = stream::recording(stream::RecordFormat::G711(codec), codec, &got);
    assert_eq!(wav, fixture.pcmu, "the echoed WAV differs from the input");
}

#[test]
fn refusals_before_the_upgrade() {
    let h = server();
    for (path, status) in [
        ("/rooms/r", 400),
        ("/rooms/r?codec=opus", 400),
        ("/echo?codec=g722", 400),
        ("/rooms/a/b?codec=pcmu", 404),
    ] {
        let url = WsUrl::parse(&format!("ws://{}{path}", h.addr())).unwrap();
        let err = connect(&url, &[], &[], Duration::from_secs(5)).unwrap_err();
        assert!(err.contains(&status.to_string()), "{path}: {err}");
    }
}
