//! `voxproof-client`: connect, check the handshake with our own code, send
//! messages (arguments, or stdin lines) and print the replies.

use clap::Parser;
use std::io::BufRead;
use std::process::ExitCode;
use std::time::Duration;
use tungstenite::Message;
use voxproof_reference::client::{connect, WsUrl};

/// Reference WebSocket client.
#[derive(Parser, Debug)]
#[command(name = "voxproof-client", version)]
struct Args {
    /// Server URL, e.g. ws://127.0.0.1:9001/echo
    #[arg(long)]
    url: String,
    /// Subprotocol to offer (repeatable).
    #[arg(long = "protocol", value_name = "NAME")]
    protocols: Vec<String>,
    /// How long to wait for each reply.
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    wait_ms: u64,
    /// Text messages to send; without any, each line of stdin is one message.
    messages: Vec<String>,
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
    let wait = Duration::from_millis(args.wait_ms);
    let (mut ws, protocol) = match connect(&url, &args.protocols, &[], wait) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(p) = protocol {
        eprintln!("subprotocol: {p}");
    }
    if let Err(e) = ws.get_mut().set_read_timeout(Some(wait)) {
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
                    eprintln!("server closed: {frame:?}");
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
