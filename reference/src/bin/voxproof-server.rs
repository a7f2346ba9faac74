//! `voxproof-server`: the reference WebSocket server.

use clap::Parser;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;
use voxproof_reference::handshake::{Limits, ServerConfig};
use voxproof_reference::server::{Config, Server};

/// Reference WebSocket server (RFC 6455). Routes: /echo echoes every message.
#[derive(Parser, Debug)]
#[command(name = "voxproof-server", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9001")]
    listen: SocketAddr,
    /// Subprotocol the server accepts when a client offers it (repeatable, most preferred first).
    #[arg(long = "protocol", value_name = "NAME")]
    protocols: Vec<String>,
    /// Largest message accepted; larger ones close the connection with 1009.
    #[arg(long, default_value_t = 64 << 20, value_name = "BYTES")]
    max_message_size: usize,
    /// Largest header section of the opening handshake; larger ones get 431.
    #[arg(long, default_value_t = 16 * 1024, value_name = "BYTES")]
    max_header_bytes: usize,
    /// Most header fields in the opening handshake; more get 431.
    #[arg(long, default_value_t = 64, value_name = "N")]
    max_headers: usize,
    /// Resource path of the echo service (other test suites may expect `/`).
    #[arg(long, default_value = "/echo", value_name = "PATH")]
    echo_path: String,
    /// Time a client has to send its whole opening handshake (then 408).
    #[arg(long, default_value_t = 10_000, value_name = "MS")]
    handshake_timeout_ms: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let config = Config {
        listen: args.listen,
        handshake: ServerConfig {
            protocols: args.protocols,
            limits: Limits {
                max_header_bytes: args.max_header_bytes,
                max_headers: args.max_headers,
            },
        },
        handshake_timeout: Duration::from_millis(args.handshake_timeout_ms),
        max_message_size: args.max_message_size,
        echo_path: args.echo_path,
        ..Config::default()
    };
    let echo_path = config.echo_path.clone();
    let server = match Server::bind(config).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(2);
        }
    };
    match server.local_addr() {
        Ok(addr) => tracing::info!("listening on ws://{addr}{}", echo_path),
        Err(e) => tracing::warn!("local address unknown: {e}"),
    }
    server
        .serve(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down: closing connections with 1001");
        })
        .await;
    ExitCode::SUCCESS
}
