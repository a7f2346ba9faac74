//! Regenerates the computed vector files. `--check` exits 1 when a committed
//! file differs from what the generator produces.

use std::path::Path;
use std::process::ExitCode;
use voxproof_vectors::generate;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let dir = voxproof_vectors::dir();
    let mut outputs = vec![("accept.json", generate::to_json(&generate::accept::build()))];
    for (name, file) in generate::jwt::build_all() {
        outputs.push((name, generate::to_json(&file)));
    }
    let mut stale = false;
    for (name, text) in outputs {
        let path = Path::new(&dir).join(name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == text {
            println!("up to date: vectors/{name}");
        } else if check {
            println!("stale: vectors/{name}");
            stale = true;
        } else {
            if let Err(e) = std::fs::write(&path, &text) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
            println!("wrote: vectors/{name}");
        }
    }
    if stale {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
