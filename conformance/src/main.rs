fn main() {
    std::process::exit(voxproof_conformance::cli::main(std::env::args_os()));
}
