//! Regenerates the computed vector files. `--check` exits 1 when a committed
//! file differs from what the generator produces.

use std::path::Path;
use std::process::ExitCode;
use voxproof_vectors_generator as generate;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let dir = voxproof_vectors::dir();
    let outputs = match generate::outputs(&dir) {
        Ok(outputs) => outputs,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut stale = false;
    for (name, contents) in outputs {
        let path = Path::new(&dir).join(&name);
        let current = std::fs::read(&path).unwrap_or_default();
        if current == contents {
            println!("up to date: vectors/{name}");
        } else if check {
            println!("stale: vectors/{name}");
            stale = true;
        } else {
            let written = match path.parent() {
                Some(parent) => std::fs::create_dir_all(parent),
                None => Ok(()),
            }
            .and_then(|()| std::fs::write(&path, &contents));
            if let Err(e) = written {
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
