//! `voxproof-fuzz-seeds`: writes, checks or prunes the fuzz targets' seed corpora
//! ([fuzz/README.md](../../../fuzz/README.md#seeds)).

use std::path::PathBuf;
use std::process::ExitCode;
use voxproof_conformance::fuzzing::seeds;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut corpus = seeds::fuzz_dir().join("corpus");
    let (mut check, mut prune) = (false, false);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--prune" => prune = true,
            "--corpus" => match it.next() {
                Some(dir) => corpus = PathBuf::from(dir),
                None => return usage("--corpus needs a directory"),
            },
            "-h" | "--help" => {
                println!("usage: voxproof-fuzz-seeds [--check] [--prune] [--corpus DIR]");
                return ExitCode::SUCCESS;
            }
            other => return usage(&format!("unknown argument {other}")),
        }
    }
    let extra = seeds::extra(&corpus);
    if check {
        let missing = seeds::missing(&corpus);
        for name in &missing {
            println!("missing: {name}");
        }
        if !extra.is_empty() {
            println!("{} files are no seed (fuzzer finds?)", extra.len());
        }
        return if missing.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    match seeds::write(&corpus) {
        Ok(n) => println!("wrote {n} seed files under {}", corpus.display()),
        Err(e) => {
            eprintln!("error: {}: {e}", corpus.display());
            return ExitCode::from(2);
        }
    }
    if prune {
        for name in &extra {
            if let Err(e) = std::fs::remove_file(corpus.join(name)) {
                eprintln!("error: cannot remove {name}: {e}");
                return ExitCode::from(2);
            }
        }
        println!("removed {} files that are no seed", extra.len());
    } else if !extra.is_empty() {
        println!(
            "{} files are no seed (fuzzer finds?); --prune removes them",
            extra.len()
        );
    }
    ExitCode::SUCCESS
}

fn usage(why: &str) -> ExitCode {
    eprintln!("error: {why}\nusage: voxproof-fuzz-seeds [--check] [--prune] [--corpus DIR]");
    ExitCode::from(2)
}
