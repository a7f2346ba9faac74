//! Reproduces the figures and plots of docs/performance.md: servers started fresh for each
//! run, `voxproof load` driven as a library, JSON and SVG written to docs/perf/.
//!
//! ```sh
//! cargo build --release -p voxproof-reference --bins --example tungstenite_echo
//! cargo run --release -p voxproof-conformance --example figures -- echo    # throughput, latency
//! cargo run --release -p voxproof-conformance --example figures -- memory  # idle connections
//! cargo run --release -p voxproof-conformance --example figures -- voice   # the voice capacity ramp
//! cargo run --release -p voxproof-conformance --example figures -- plot    # SVGs again from the JSON
//! ```

use plotters::prelude::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use voxproof_conformance::load::{connections, echo, voice};
use voxproof_conformance::target::Target;
use voxproof_conformance::transport::Network;

/// Connections of the echo sweep.
const ECHO_CONNECTIONS: [usize; 5] = [10, 50, 100, 200, 400];
/// Runs of each server at each point, alternating servers.
const REPEATS: usize = 3;
/// Idle connections of the memory sweep.
const IDLE: [usize; 3] = [1_000, 5_000, 10_000];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = PathBuf::from(
        args.iter()
            .position(|a| a == "--out")
            .and_then(|i| args.get(i + 1))
            .map_or("docs/perf", String::as_str),
    );
    let result = match args.first().map(String::as_str) {
        Some("echo") => echo_sweep(&out).and_then(|_| plot(&out)),
        Some("memory") => memory_sweep(&out).and_then(|_| plot(&out)),
        Some("voice") => voice_ramp(&out).and_then(|_| plot(&out)),
        Some("plot") => plot(&out),
        _ => Err("usage: figures echo|memory|voice|plot [--out DIR]".into()),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}

/// A server under test, started fresh and stopped when dropped.
struct Server {
    name: &'static str,
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The release binaries next to this example (target/release/).
fn binary(name: &str) -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let examples = exe.parent().ok_or("no directory")?;
    let candidates = [examples.join(name), examples.join("..").join(name)];
    candidates.into_iter().find(|p| p.exists()).ok_or_else(|| {
        format!(
            "{name} is not built: cargo build --release -p voxproof-reference --bins --example tungstenite_echo"
        )
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9555)
}

fn start(name: &'static str) -> Result<Server, String> {
    let port = free_port();
    let mut cmd = match name {
        "reference" => {
            let mut c = Command::new(binary("voxproof-server")?);
            c.args(["--listen", &format!("127.0.0.1:{port}")]);
            c
        }
        _ => {
            let mut c = Command::new(binary("tungstenite_echo")?);
            c.arg(port.to_string());
            c
        }
    };
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {name}: {e}"))?;
    let server = Server { name, child, port };
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(server);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Err(format!("{name} did not listen on port {port}"))
}

fn target(url: &str) -> Result<Target, String> {
    Target::parse_via(url, &Network::default())
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn write_json(out: &Path, name: &str, v: &Value) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let path = out.join(name);
    let text = serde_json::to_string_pretty(v).unwrap_or_default() + "\n";
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn read_json(out: &Path, name: &str) -> Option<Value> {
    let text = std::fs::read_to_string(out.join(name)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Closed-loop echo of 20-byte messages at each connection count, each
/// server freshly started for each run, the servers alternating.
fn echo_sweep(out: &Path) -> Result<(), String> {
    let mut runs = Vec::new();
    for &connections in &ECHO_CONNECTIONS {
        for repeat in 0..REPEATS {
            for name in ["reference", "tungstenite"] {
                let server = start(name)?;
                let config = echo::EchoConfig {
                    target: target(&format!("ws://127.0.0.1:{}/echo", server.port))?,
                    connections,
                    size: 20,
                    warmup: Duration::from_secs(1),
                    duration: Duration::from_secs(10),
                    rate: None,
                    threads: threads(),
                    timeout: Duration::from_secs(5),
                    progress: false,
                };
                let s = echo::run(&config)?;
                eprintln!(
                    "echo {connections} connections, run {}: {} {:.0} msg/s",
                    repeat + 1,
                    server.name,
                    s.messages_per_second()
                );
                runs.push(
                    json!({"server": server.name, "repeat": repeat + 1, "figures": s.to_json()}),
                );
            }
        }
    }
    write_json(
        out,
        "echo.json",
        &json!({"command": "figures echo", "runs": runs}),
    )
}

/// Idle connections held, the server's resident memory read.
fn memory_sweep(out: &Path) -> Result<(), String> {
    voxproof_conformance::load::raise_open_files();
    let mut runs = Vec::new();
    for &count in &IDLE {
        for name in ["reference", "tungstenite"] {
            let server = start(name)?;
            let config = connections::ConnectionsConfig {
                target: target(&format!("ws://127.0.0.1:{}/echo", server.port))?,
                count,
                rate: Some(2_000.0),
                hold: Duration::from_secs(3),
                pid: Some(server.child.id()),
                threads: threads(),
                timeout: Duration::from_secs(10),
                open_files_limit: voxproof_conformance::load::raise_open_files(),
            };
            let s = connections::run(&config)?;
            eprintln!("{count} idle connections: {} done", server.name);
            runs.push(json!({"server": server.name, "figures": s.to_json()}));
        }
    }
    write_json(
        out,
        "memory.json",
        &json!({"command": "figures memory", "runs": runs}),
    )
}

/// Rooms of 4 added 25 at a time (100 streams) until p99 jitter passes 5 ms.
fn voice_ramp(out: &Path) -> Result<(), String> {
    voxproof_conformance::load::raise_open_files();
    let server = start("reference")?;
    let config = voice::VoiceConfig {
        target: target(&format!("ws://127.0.0.1:{}/", server.port))?,
        mode: voice::Mode::Rooms {
            participants: 4,
            codec: voice::Codec::Pcmu,
        },
        groups: 25,
        warmup: Duration::from_secs(2),
        duration: Duration::from_secs(10),
        ramp: Some(voice::Ramp {
            step: 25,
            max: 1_000,
        }),
        max_jitter: Duration::from_millis(5),
        threads: threads(),
        timeout: Duration::from_secs(10),
        progress: true,
    };
    let s = voice::run(&config)?;
    print!("{}", s.text());
    write_json(out, "voice.json", &s.to_json())
}

fn plot(out: &Path) -> Result<(), String> {
    if let Some(v) = read_json(out, "echo.json") {
        plot_echo(out, &v)?;
    }
    if let Some(v) = read_json(out, "memory.json") {
        plot_memory(out, &v)?;
    }
    if let Some(v) = read_json(out, "voice.json") {
        plot_voice(out, &v)?;
    }
    Ok(())
}

/// (x, y) values of one series.
type Points = Vec<(f64, f64)>;
/// A line on a chart: its name, colour, every run, the medians.
type Line = (String, RGBColor, Points, Points);

const SERVERS: [(&str, RGBColor); 2] = [("reference", BLUE), ("tungstenite", RED)];

/// (connections, value) of every run of `server`, and the medians.
fn series(
    runs: &[Value],
    server: &str,
    x: &str,
    y: impl Fn(&Value) -> Option<f64>,
) -> (Points, Points) {
    let points: Vec<(f64, f64)> = runs
        .iter()
        .filter(|r| r["server"] == server)
        .filter_map(|r| Some((r["figures"][x].as_f64()?, y(&r["figures"])?)))
        .collect();
    let mut xs: Vec<f64> = points.iter().map(|p| p.0).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let medians = xs
        .iter()
        .map(|&x| {
            let mut ys: Vec<f64> = points.iter().filter(|p| p.0 == x).map(|p| p.1).collect();
            ys.sort_by(f64::total_cmp);
            (x, ys[ys.len() / 2])
        })
        .collect();
    (points, medians)
}

fn draw_err<E: std::fmt::Display>(e: E) -> String {
    format!("cannot draw: {e}")
}

/// One chart: a line through each server's medians, every run as a dot.
fn chart(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    lines: &[Line],
) -> Result<(), String> {
    let root = SVGBackend::new(path, (720, 420)).into_drawing_area();
    root.fill(&WHITE).map_err(draw_err)?;
    let all = lines.iter().flat_map(|l| l.2.iter().chain(&l.3));
    let x_max = all.clone().map(|p| p.0).fold(1.0, f64::max) * 1.05;
    let y_max = all.map(|p| p.1).fold(1e-9, f64::max) * 1.1;
    let mut c = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)
        .map_err(draw_err)?;
    c.configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .draw()
        .map_err(draw_err)?;
    for (name, color, points, medians) in lines {
        let color = *color;
        c.draw_series(LineSeries::new(medians.clone(), color.stroke_width(2)))
            .map_err(draw_err)?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
        c.draw_series(
            points
                .iter()
                .map(|p| Circle::new(*p, 3, color.mix(0.5).filled())),
        )
        .map_err(draw_err)?;
    }
    c.configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE.mix(0.8))
        .draw()
        .map_err(draw_err)?;
    root.present().map_err(draw_err)?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn plot_echo(out: &Path, v: &Value) -> Result<(), String> {
    let runs = v["runs"].as_array().cloned().unwrap_or_default();
    let lines = |y: &dyn Fn(&Value) -> Option<f64>, suffix: &str| {
        SERVERS
            .iter()
            .map(|(s, c)| {
                let (points, medians) = series(&runs, s, "connections", y);
                (format!("{s}{suffix}"), *c, points, medians)
            })
            .collect::<Vec<_>>()
    };
    chart(
        &out.join("echo-throughput.svg"),
        "Echo throughput, 20-byte messages, closed loop",
        "connections",
        "messages per second",
        &lines(&|f| f["messages_per_second"].as_f64(), ""),
    )?;
    let mut latency = lines(&|f| f["latency_ms"]["p50"].as_f64(), " p50");
    latency.extend(
        lines(&|f| f["latency_ms"]["p99"].as_f64(), " p99")
            .into_iter()
            .map(|(n, c, p, m)| (n, c.mix(0.6).to_rgba().into_rgb(), p, m)),
    );
    chart(
        &out.join("echo-latency.svg"),
        "Echo round trip, 20-byte messages, closed loop",
        "connections",
        "round trip (ms)",
        &latency,
    )
}

trait IntoRgb {
    fn into_rgb(self) -> RGBColor;
}

impl IntoRgb for RGBAColor {
    /// The colour faded towards white, for a second line of one server.
    fn into_rgb(self) -> RGBColor {
        let fade = |c: u8| (f64::from(c) * self.3 + 255.0 * (1.0 - self.3)) as u8;
        RGBColor(fade(self.0), fade(self.1), fade(self.2))
    }
}

fn plot_memory(out: &Path, v: &Value) -> Result<(), String> {
    let runs = v["runs"].as_array().cloned().unwrap_or_default();
    let lines: Vec<_> = SERVERS
        .iter()
        .map(|(s, c)| {
            let (points, medians) = series(&runs, s, "count", |f| {
                Some(f["rss"]["with_kib"].as_f64()? / 1024.0)
            });
            (s.to_string(), *c, points, medians)
        })
        .collect();
    chart(
        &out.join("memory.svg"),
        "Resident memory with N idle connections open",
        "idle connections",
        "resident memory (MiB)",
        &lines,
    )
}

fn plot_voice(out: &Path, v: &Value) -> Result<(), String> {
    let steps = v["steps"].as_array().cloned().unwrap_or_default();
    let pick = |q: &str| -> Vec<(f64, f64)> {
        steps
            .iter()
            .filter_map(|s| Some((s["streams"].as_f64()?, s["jitter_ms"][q].as_f64()?)))
            .collect()
    };
    let bound = v["max_jitter_ms"].as_f64().unwrap_or(5.0);
    let path = out.join("voice-jitter.svg");
    let root = SVGBackend::new(&path, (720, 420)).into_drawing_area();
    root.fill(&WHITE).map_err(draw_err)?;
    let x_max = pick("p50").iter().map(|p| p.0).fold(1.0, f64::max) * 1.05;
    let y_max = pick("p999")
        .iter()
        .map(|p| p.1)
        .fold(bound, f64::max)
        .min(bound * 6.0)
        * 1.1;
    let mut c = ChartBuilder::on(&root)
        .caption(
            "Voice rooms of 4: inter-arrival jitter against streams",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)
        .map_err(draw_err)?;
    c.configure_mesh()
        .x_desc("concurrent streams (20 ms G.711)")
        .y_desc("|inter-arrival − 20 ms| (ms)")
        .draw()
        .map_err(draw_err)?;
    for (q, color) in [("p50", GREEN), ("p99", BLUE), ("p999", RED)] {
        let name = if q == "p999" { "p99.9" } else { q };
        c.draw_series(LineSeries::new(pick(q), color.stroke_width(2)))
            .map_err(draw_err)?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
        c.draw_series(
            pick(q)
                .into_iter()
                .map(|p| Circle::new(p, 3, color.filled())),
        )
        .map_err(draw_err)?;
    }
    c.draw_series(LineSeries::new(
        vec![(0.0, bound), (x_max, bound)],
        BLACK.mix(0.5),
    ))
    .map_err(draw_err)?
    .label(format!("bound ({bound} ms)"))
    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLACK.mix(0.5)));
    if let Some(cap) = v["capacity_streams"].as_f64() {
        c.draw_series(LineSeries::new(
            vec![(cap, 0.0), (cap, y_max)],
            MAGENTA.stroke_width(2),
        ))
        .map_err(draw_err)?
        .label(format!("capacity: {cap} streams"))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], MAGENTA));
    }
    c.configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .border_style(BLACK)
        .background_style(WHITE.mix(0.8))
        .draw()
        .map_err(draw_err)?;
    root.present().map_err(draw_err)?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
