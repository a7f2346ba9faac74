//! `voxproof-server`: the reference WebSocket server.

use clap::Parser;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use voxproof_reference::auth::{Auth, Policy, Scope};
use voxproof_reference::bots::TwilioAuth;
use voxproof_reference::handshake::{Limits, ServerConfig};
use voxproof_reference::server::{Config, Server};
use voxproof_reference::tls;

/// Reference WebSocket server (RFC 6455). Routes: /echo echoes every message;
/// /twilio, /telnyx and /vonage (and their /echo and /turn) are a voice bot
/// for those platforms' media streams (docs/telephony.md).
/// With JWT key material, the upgrade needs a bearer token (docs/auth.md);
/// with --tls-cert and --tls-key it serves wss://.
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
    /// Output waiting this long without the peer reading any of it closes
    /// the connection with 1008 (e.g. 10s, 500ms, 2m; a bare number is seconds).
    #[arg(long, default_value = "10s", value_name = "DURATION", value_parser = duration)]
    write_timeout: Duration,
    /// No frame either way for this long closes the connection with 1001
    /// [default: no limit].
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    idle_timeout: Option<Duration>,
    /// Connections served at once; one more gets 503 with Retry-After before
    /// its request is read [default: no limit but the process's descriptors].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_connections: Option<u64>,
    /// Serve wss:// with this certificate chain (PEM, leaf first); needs --tls-key.
    #[arg(long, value_name = "PEM")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "PEM")]
    tls_key: Option<PathBuf>,
    /// Twilio auth token: /twilio streams must then carry Twilio's
    /// X-Twilio-Signature (others get 403).
    #[arg(long, value_name = "TOKEN")]
    twilio_auth_token: Option<String>,
    #[command(flatten)]
    jwt: JwtArgs,
}

/// Bearer-token authentication: give one source of key material to turn it on.
/// Keys are read from files or the command line; nothing is fetched from a URL.
#[derive(clap::Args, Debug)]
struct JwtArgs {
    /// Require tokens signed with this HMAC secret (its UTF-8 bytes; at least 32).
    #[arg(long, value_name = "S", group = "jwt_key")]
    jwt_secret: Option<String>,
    /// As --jwt-secret, the secret being the bytes of FILE.
    #[arg(long, value_name = "FILE", group = "jwt_key")]
    jwt_secret_file: Option<std::path::PathBuf>,
    /// Require tokens signed by the key of this PEM public key file.
    #[arg(long, value_name = "PEM", group = "jwt_key")]
    jwt_public_key: Option<std::path::PathBuf>,
    /// Require tokens signed by a key of this JWK Set file (kid selects).
    #[arg(long, value_name = "FILE", group = "jwt_key")]
    jwks: Option<std::path::PathBuf>,
    /// Algorithm accepted (repeatable); never taken from the token
    /// [default: HS256 with a secret, RS256 with a public key or JWK Set].
    #[arg(long = "jwt-alg", value_name = "ALG")]
    jwt_alg: Vec<String>,
    /// Audience this server answers to (repeatable); once set, aud is required.
    #[arg(long = "jwt-aud", value_name = "AUD")]
    jwt_aud: Vec<String>,
    /// Issuer required in iss.
    #[arg(long, value_name = "ISS")]
    jwt_iss: Option<String>,
    /// Seconds of clock skew allowed on exp and nbf.
    #[arg(long, default_value_t = 0, value_name = "SECONDS")]
    jwt_leeway: u64,
    /// Require tokens only on paths under this prefix (it is removed before
    /// routing: /secure/echo is /echo); default: on every path.
    #[arg(long, value_name = "PREFIX")]
    jwt_under: Option<String>,
}

/// A duration flag: a number and a unit (`ms`, `s`, `m`); a bare number is
/// seconds.
fn duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 10s or 500ms"))?;
    let seconds = match unit.trim() {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" => n * 60.0,
        other => return Err(format!("unit {other:?}: use ms, s or m")),
    };
    if seconds <= 0.0 || !seconds.is_finite() || seconds > 1e9 {
        return Err(format!("{text:?} is not a positive duration"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// The TLS configuration from `--tls-cert` and `--tls-key`: None without
/// them. Checked by hand rather than by clap, whose errors take several lines.
fn tls_config(args: &Args) -> Result<Option<Arc<rustls::ServerConfig>>, String> {
    match (&args.tls_cert, &args.tls_key) {
        (None, None) => Ok(None),
        (Some(cert), Some(key)) => tls::server_config(cert, key).map(Some),
        (Some(_), None) => Err("--tls-cert needs --tls-key".into()),
        (None, Some(_)) => Err("--tls-key needs --tls-cert".into()),
    }
}

/// The server's auth configuration from the flags: None without key material.
fn auth(args: &JwtArgs) -> Result<Option<Auth>, String> {
    let read = |path: &std::path::Path| {
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let algs = |default: &'static str| -> Vec<String> {
        if args.jwt_alg.is_empty() {
            vec![default.to_string()]
        } else {
            args.jwt_alg.clone()
        }
    };
    let policy = if let Some(secret) = &args.jwt_secret {
        let algs = algs("HS256");
        Policy::hmac(
            secret.as_bytes(),
            &algs.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    } else if let Some(path) = &args.jwt_secret_file {
        let algs = algs("HS256");
        Policy::hmac(
            &read(path)?,
            &algs.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    } else if let Some(path) = &args.jwt_public_key {
        let algs = algs("RS256");
        Policy::public_key_pem(
            &read(path)?,
            &algs.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    } else if let Some(path) = &args.jwks {
        let algs = algs("RS256");
        let text =
            String::from_utf8(read(path)?).map_err(|_| "the JWK Set is not UTF-8".to_string())?;
        Policy::jwks(&text, &algs.iter().map(String::as_str).collect::<Vec<_>>())
    } else {
        return Ok(None);
    };
    let mut policy = policy.map_err(|e| format!("JWT configuration: {e}"))?;
    policy = policy.leeway(args.jwt_leeway);
    if !args.jwt_aud.is_empty() {
        policy = policy.audience(args.jwt_aud.clone());
    }
    if let Some(iss) = &args.jwt_iss {
        policy = policy.issuer(iss.clone());
    }
    let scope = match &args.jwt_under {
        Some(prefix) => Scope::Under(prefix.trim_end_matches('/').to_string()),
        None => Scope::All,
    };
    Ok(Some(Auth::new(policy, scope)))
}

#[tokio::main]
async fn main() -> ExitCode {
    // Colours only on a terminal: a log file or a pipe gets plain text.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .init();
    let args = Args::parse();
    let auth = match auth(&args.jwt) {
        Ok(auth) => auth,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let tls = match tls_config(&args) {
        Ok(tls) => tls,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let scheme = if tls.is_some() { "wss" } else { "ws" };
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
        write_timeout: args.write_timeout,
        idle_timeout: args.idle_timeout,
        max_connections: args
            .max_connections
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        max_message_size: args.max_message_size,
        echo_path: args.echo_path,
        auth,
        tls,
        twilio_auth: args.twilio_auth_token.as_deref().map(TwilioAuth::new),
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
        Ok(addr) => tracing::info!("listening on {scheme}://{addr}{echo_path}"),
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

#[cfg(test)]
mod tests {
    use super::duration;
    use std::time::Duration;

    #[test]
    fn durations() {
        assert_eq!(duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(duration("2m"), Ok(Duration::from_secs(120)));
        assert!(duration("0").is_err());
        assert!(duration("10h").is_err());
        assert!(duration("fast").is_err());
    }
}
