//! G.711 throughput: encode, decode and transcode of one 20 ms frame (160
//! samples) and of 1 Mi samples, per law, on one core.
//!
//! `cargo bench -p voxproof-reference --features bench --bench g711 -- --warm-up-time 1 --measurement-time 3`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use voxproof_reference::g711::{alaw_to_ulaw, ulaw_to_alaw, Codec};

const SIZES: [(usize, &str); 2] = [(160, "frame-160"), (1 << 20, "1Mi")];

/// Deterministic samples spread over the whole range (a fixed LCG), so the
/// table lookups are not all cache-hot on a few lines.
fn samples(n: usize) -> Vec<i16> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 48) as u16 as i16
        })
        .collect()
}

fn encode(c: &mut Criterion) {
    let mut g = c.benchmark_group("encode");
    for (n, label) in SIZES {
        let input = samples(n);
        let mut out = vec![0u8; n];
        g.throughput(Throughput::Elements(n as u64));
        for codec in Codec::ALL {
            g.bench_with_input(BenchmarkId::new(codec.name(), label), &input, |b, input| {
                b.iter(|| codec.encode(black_box(input), black_box(&mut out)))
            });
        }
    }
    g.finish();
}

fn decode(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode");
    for (n, label) in SIZES {
        let mut out = vec![0i16; n];
        g.throughput(Throughput::Elements(n as u64));
        for codec in Codec::ALL {
            let input = codec.encode_vec(&samples(n));
            g.bench_with_input(BenchmarkId::new(codec.name(), label), &input, |b, input| {
                b.iter(|| codec.decode(black_box(input), black_box(&mut out)))
            });
        }
    }
    g.finish();
}

fn transcode(c: &mut Criterion) {
    let mut g = c.benchmark_group("transcode");
    for (n, label) in SIZES {
        let mut out = vec![0u8; n];
        g.throughput(Throughput::Elements(n as u64));
        let ulaw = Codec::Pcmu.encode_vec(&samples(n));
        let alaw = Codec::Pcma.encode_vec(&samples(n));
        g.bench_with_input(
            BenchmarkId::new("PCMU-to-PCMA", label),
            &ulaw,
            |b, input| b.iter(|| ulaw_to_alaw(black_box(input), black_box(&mut out))),
        );
        g.bench_with_input(
            BenchmarkId::new("PCMA-to-PCMU", label),
            &alaw,
            |b, input| b.iter(|| alaw_to_ulaw(black_box(input), black_box(&mut out))),
        );
    }
    g.finish();
}

criterion_group!(benches, encode, decode, transcode);
criterion_main!(benches);
