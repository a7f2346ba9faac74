//! The thin shell: an adapter process spoken to in JSON lines over stdin and stdout, with a
//! timeout per answer ([docs/adapters.md](../../../docs/adapters.md#errors-and-timeouts)).

use super::protocol::{clip, hello_request, parse_hello, Hello, MAX_LINE};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Why an exchange brought no answer line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No answer within the timeout.
    Timeout(Duration),
    /// The adapter is gone (or closed its stdout); what it said last.
    Exited(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Timeout(t) => write!(f, "no answer within {} ms", t.as_millis()),
            Failure::Exited(why) => f.write_str(why),
        }
    }
}

/// Something that answers request lines: a process, or the reference in process.
pub trait Adapter {
    /// One request line out, one answer line back.
    fn exchange(&mut self, line: &str) -> Result<String, Failure>;
    /// Start afresh after a failure, hello included.
    fn restart(&mut self) -> Result<Hello, String>;
}

/// The reference, answering in process (`voxproof vectors` without `--exec`).
pub struct InProcess;

impl Adapter for InProcess {
    fn exchange(&mut self, line: &str) -> Result<String, Failure> {
        Ok(super::reference::answer_line(line))
    }
    fn restart(&mut self) -> Result<Hello, String> {
        parse_hello(&super::reference::answer_line(&hello_request()))
    }
}

/// An adapter process started from a command line.
pub struct Process {
    argv: Vec<String>,
    timeout: Duration,
    running: Option<Running>,
}

struct Running {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<Result<String, String>>,
    /// The last line the adapter wrote to stderr.
    stderr_tail: Arc<Mutex<String>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Process {
    /// Start `command` (split as a shell would, without a shell) and say hello.
    pub fn start(command: &str, timeout: Duration) -> Result<(Process, Hello), String> {
        let argv = split_command(command)?;
        let mut p = Process {
            argv,
            timeout,
            running: None,
        };
        let hello = p.restart()?;
        Ok((p, hello))
    }

    fn spawn(&self) -> Result<Running, String> {
        let mut child = Command::new(&self.argv[0])
            .args(&self.argv[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.argv[0]))?;
        let (stdin, stdout, stderr) =
            match (child.stdin.take(), child.stdout.take(), child.stderr.take()) {
                (Some(i), Some(o), Some(e)) => (i, o, e),
                _ => return Err("the adapter's pipes could not be opened".into()),
            };
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut buf = Vec::new();
                let mut limited = (&mut reader).take(MAX_LINE as u64 + 1);
                let sent = match limited.read_until(b'\n', &mut buf) {
                    Ok(0) => tx.send(Err("closed its output".to_string())),
                    Ok(_) if buf.len() > MAX_LINE => {
                        tx.send(Err(format!("wrote a line longer than {MAX_LINE} bytes")))
                    }
                    Ok(_) => tx.send(Ok(String::from_utf8_lossy(&buf).into_owned())),
                    Err(e) => tx.send(Err(format!("its output failed: {e}"))),
                };
                if sent.is_err() || buf.is_empty() || buf.len() > MAX_LINE {
                    return;
                }
            }
        });
        let stderr_tail = Arc::new(Mutex::new(String::new()));
        let tail = Arc::clone(&stderr_tail);
        std::thread::spawn(move || {
            // The last lines, without the runtime's own closing words
            // (Node ends a crash with its version): the error is before them.
            let mut last: Vec<String> = Vec::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let line = line.trim().to_string();
                if line.is_empty() || line.starts_with("Node.js v") {
                    continue;
                }
                last.push(line);
                if last.len() > 3 {
                    last.remove(0);
                }
                let error = last
                    .iter()
                    .rev()
                    .find(|l| l.contains("rror"))
                    .unwrap_or(&last[last.len() - 1]);
                if let Ok(mut t) = tail.lock() {
                    *t = error.clone();
                }
            }
        });
        Ok(Running {
            child,
            stdin,
            lines,
            stderr_tail,
        })
    }

    /// Why the adapter stopped answering: its exit status and last stderr line.
    fn gone(&mut self, what: &str) -> Failure {
        let Some(mut r) = self.running.take() else {
            return Failure::Exited("the adapter is not running".into());
        };
        // Give it a moment to finish exiting so the status is known.
        let mut status = None;
        for _ in 0..50 {
            if let Ok(Some(s)) = r.child.try_wait() {
                status = Some(s);
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        // The stderr reader may still be taking the last lines in.
        std::thread::sleep(Duration::from_millis(20));
        let tail = r.stderr_tail.lock().map(|t| t.clone()).unwrap_or_default();
        let status = match status {
            Some(s) => match s.code() {
                Some(c) => format!("exited with status {c}"),
                None => "was killed by a signal".to_string(),
            },
            None => what.to_string(),
        };
        let tail = if tail.is_empty() {
            String::new()
        } else {
            format!(" (stderr: {})", clip(&tail))
        };
        Failure::Exited(format!("the adapter {status}{tail}"))
    }
}

impl Adapter for Process {
    fn exchange(&mut self, line: &str) -> Result<String, Failure> {
        let Some(r) = self.running.as_mut() else {
            return Err(Failure::Exited("the adapter is not running".into()));
        };
        let written = r
            .stdin
            .write_all(line.as_bytes())
            .and_then(|()| r.stdin.write_all(b"\n"))
            .and_then(|()| r.stdin.flush());
        if written.is_err() {
            return Err(self.gone("stopped reading its input"));
        }
        match r.lines.recv_timeout(self.timeout) {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(why)) => Err(self.gone(&why)),
            Err(RecvTimeoutError::Disconnected) => Err(self.gone("closed its output")),
            Err(RecvTimeoutError::Timeout) => {
                // A late answer would be taken for the next one's: start afresh.
                self.running = None;
                Err(Failure::Timeout(self.timeout))
            }
        }
    }

    fn restart(&mut self) -> Result<Hello, String> {
        self.running = None;
        self.running = Some(self.spawn()?);
        let line = self
            .exchange(&hello_request())
            .map_err(|f| format!("no answer to hello: {f}"))?;
        parse_hello(&line)
    }
}

/// Split a command line as a POSIX shell would split words: blanks separate,
/// single quotes keep everything, double quotes keep all but `\"` and `\\`,
/// a backslash outside quotes keeps the next character.
pub fn split_command(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(format!("--exec {s}: a single quote is not closed")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => {
                                return Err(format!("--exec {s}: a double quote is not closed"))
                            }
                        },
                        Some(c) => word.push(c),
                        None => return Err(format!("--exec {s}: a double quote is not closed")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    word.push(c);
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    if words.is_empty() {
        return Err("--exec needs a command".into());
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::split_command;

    #[test]
    fn splits_as_a_shell_does() {
        assert_eq!(
            split_command(r#"python3 'a b.py' "c \"d\"" e\ f"#).unwrap(),
            ["python3", "a b.py", "c \"d\"", "e f"]
        );
        assert!(split_command("x 'open").is_err());
        assert!(split_command("   ").is_err());
    }
}
