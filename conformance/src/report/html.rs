//! The HTML report: one self-contained page for a person to read
//! ([docs/report-format.md](../../../docs/report-format.md#the-html-report)).

use super::junit::escape;
use crate::run::{CaseResult, RunReport};
use crate::verdict::{CloseOutcome, Closer, Verdict};
use crate::wire::{Dir, WireEvent};
use std::fmt::Write;

fn h(s: &str) -> String {
    escape(s, true)
}

fn class(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "v-ok",
        Verdict::NonStrict => "v-non-strict",
        Verdict::Informational => "v-informational",
        Verdict::Unimplemented => "v-unimplemented",
        Verdict::Error => "v-error",
        Verdict::Failed => "v-failed",
    }
}

fn badge(v: Verdict) -> String {
    format!("<span class=\"badge {}\">{}</span>", class(v), v.as_str())
}

/// The fragment id of a case. Ids are ASCII identifiers today; anything else
/// is encoded so the same string works as an id attribute and in an href
/// without URL decoding.
fn anchor(id: &str) -> String {
    let mut out = String::from("case-");
    for c in id.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            out.push(c);
        } else {
            let _ = write!(out, "~{:x}~", c as u32);
        }
    }
    out
}

fn closer(c: Closer) -> &'static str {
    match c {
        Closer::Suite => "suite",
        Closer::Target => "target",
        Closer::Nobody => "nobody",
    }
}

fn code(c: &CloseOutcome) -> String {
    c.code
        .map_or_else(|| "no code".to_string(), |c| c.to_string())
}

/// Escaped wire bytes with the escape sequences dimmed (one span per run of
/// them) and a line break after each `\n`, so an HTTP message reads as lines;
/// mostly binary data is shown as a hex dump instead. The input is the wire
/// log's own escaping (`\\`, `\r`, `\n`, `\t`, `\xNN`).
fn wire_data(data: &str) -> String {
    let (bytes, rest) = unescape(data);
    let binary = bytes
        .iter()
        .filter(|b| !(b.is_ascii_graphic() || matches!(b, b' ' | b'\r' | b'\n' | b'\t')))
        .count();
    if bytes.len() >= 8 && binary * 4 > bytes.len() {
        return format!("<pre class=\"hex\">{}{}</pre>", hex_dump(&bytes), h(rest));
    }
    let mut out = String::with_capacity(data.len() + 16);
    let mut chars = data.chars().peekable();
    let (mut plain, mut escapes) = (String::new(), String::new());
    let flush_escapes = |out: &mut String, escapes: &mut String| {
        if !escapes.is_empty() {
            let _ = write!(out, "<span class=\"esc\">{}</span>", h(escapes));
            escapes.clear();
        }
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            flush_escapes(&mut out, &mut escapes);
            plain.push(c);
            continue;
        }
        let seq = match chars.next() {
            Some('x') => {
                let hex: String = (0..2).filter_map(|_| chars.next()).collect();
                format!("\\x{hex}")
            }
            Some(n) => format!("\\{n}"),
            None => "\\".to_string(),
        };
        out.push_str(&h(&plain));
        plain.clear();
        escapes.push_str(&seq);
        if seq == "\\n" && chars.peek().is_some() {
            flush_escapes(&mut out, &mut escapes);
            out.push_str("<br>");
        }
    }
    flush_escapes(&mut out, &mut escapes);
    out.push_str(&h(&plain));
    out
}

/// The bytes of the wire log's escaping, and any text after them (the
/// "… (N more bytes)" note).
fn unescape(data: &str) -> (Vec<u8>, &str) {
    let b = data.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if i + 1 < b.len() => {
                match b[i + 1] {
                    b'r' => out.push(b'\r'),
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'x' if i + 3 < b.len() => {
                        let hex = std::str::from_utf8(&b[i + 2..i + 4]).unwrap_or("");
                        match u8::from_str_radix(hex, 16) {
                            Ok(v) => out.push(v),
                            Err(_) => return (out, &data[i..]),
                        }
                        i += 4;
                        continue;
                    }
                    other => out.push(other),
                }
                i += 2;
            }
            0x20..=0x7e => {
                out.push(b[i]);
                i += 1;
            }
            // Not the escaping's own output (the "…" of a truncation note).
            _ => return (out, &data[i..]),
        }
    }
    (out, "")
}

/// 16 bytes a line: offset, hex, and the printable ones.
fn hex_dump(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 4 + 16);
    for (n, line) in bytes.chunks(16).enumerate() {
        let _ = write!(out, "{:04x} ", n * 16);
        for b in line {
            let _ = write!(out, " {b:02x}");
        }
        out.push_str(&"   ".repeat(16 - line.len()));
        out.push_str("  ");
        let text: String = line
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        out.push_str(&h(&text));
        out.push('\n');
    }
    out
}

fn wire_table(out: &mut String, wire: &[WireEvent]) {
    if wire.is_empty() {
        out.push_str("<p class=\"muted\">Nothing was sent or received.</p>\n");
        return;
    }
    out.push_str(
        "<table class=\"wire\"><thead><tr><th>at_ms</th><th>conn</th><th>dir</th>\
         <th>len</th><th>data</th></tr></thead><tbody>\n",
    );
    for e in wire {
        let (cls, dir, data) = match e.dir {
            Dir::Send => ("d-send", "→ send", wire_data(&e.data)),
            Dir::Recv => ("d-recv", "← recv", wire_data(&e.data)),
            Dir::Event => ("d-event", "• event", h(&e.data)),
        };
        let _ = writeln!(
            out,
            "<tr class=\"{cls}\"><td>{}</td><td>#{}</td><td>{dir}</td><td>{}</td><td>{data}</td></tr>",
            e.at_ms,
            e.conn,
            if e.dir == Dir::Event {
                String::new()
            } else {
                e.len.to_string()
            }
        );
    }
    out.push_str("</tbody></table>\n");
}

fn case_row(out: &mut String, r: &CaseResult) {
    let close = r.close.as_ref().map_or_else(String::new, |c| {
        format!(
            "{}<br><span class=\"muted\">by {}, {}</span>",
            badge(c.verdict),
            closer(c.closed_by),
            code(c)
        )
    });
    let _ = writeln!(
        out,
        "<tr class=\"case {cls}\"><td class=\"id\"><a href=\"#{a}\">{id}</a></td>\
         <td class=\"section\">{section}</td><td class=\"title\"><div class=\"clamp\" title=\"{title}\">{title}</div></td>\
         <td>{verdict}</td><td>{close}</td><td class=\"detail\">{detail}</td>\
         <td class=\"num\">{ms}</td></tr>",
        cls = class(r.verdict),
        a = anchor(&r.id),
        id = short_id(&r.id),
        section = h(&r.section),
        title = h(&r.title),
        verdict = badge(r.verdict),
        detail = h(&r.detail),
        ms = r.duration_ms,
    );
}

/// The id with its group prefix dimmed: within a group the last component
/// is what tells cases apart.
fn short_id(id: &str) -> String {
    match id.rsplit_once('.') {
        Some((group, last)) => format!("<span class=\"prefix\">{}.</span>{}", h(group), h(last)),
        None => h(id),
    }
}

fn counts_text(cases: &[&CaseResult]) -> String {
    Verdict::ALL
        .iter()
        .filter_map(|v| {
            let n = cases.iter().filter(|r| r.verdict == *v).count();
            (n > 0).then(|| format!("{n} {v}"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn case_details(out: &mut String, r: &CaseResult) {
    let _ = writeln!(
        out,
        "<details class=\"case {cls}\" id=\"{a}\"><summary>{badge} <code>{id}</code> \
         <span class=\"muted\">{detail}</span></summary>\n<div class=\"body\">\n<dl>",
        cls = class(r.verdict),
        a = anchor(&r.id),
        badge = badge(r.verdict),
        id = h(&r.id),
        detail = h(&r.detail),
    );
    let mut field = |name: &str, html: String| {
        let _ = writeln!(out, "<dt>{name}</dt><dd>{html}</dd>");
    };
    field("title", h(&r.title));
    field("section", h(&r.section));
    field(
        "requirement",
        format!("<blockquote>{}</blockquote>", h(&r.requirement)),
    );
    field("sends", h(&r.sends));
    field("expects", h(&r.expects));
    if let Some(a) = &r.autobahn {
        field("Autobahn", format!("<code>{}</code>", h(a)));
    }
    field("verdict", format!("{} {}", badge(r.verdict), h(&r.detail)));
    if let Some(rule) = &r.rests_on {
        field(
            "rests on",
            format!(
                "{}<blockquote>{}</blockquote>",
                h(&rule.section),
                h(&rule.requirement)
            ),
        );
    }
    if let Some(c) = &r.close {
        field(
            "close",
            format!(
                "{} {}<br><span class=\"muted\">closed by {}, code {}, {}</span>",
                badge(c.verdict),
                h(&c.detail),
                closer(c.closed_by),
                code(c),
                if c.clean {
                    "clean"
                } else {
                    "not clean (RFC 6455 §7.1.1: close frames both ways, then the server closes TCP)"
                }
            ),
        );
    }
    field("duration", format!("{} ms", r.duration_ms));
    out.push_str("</dl>\n");
    wire_table(out, &r.wire);
    out.push_str("<p><a href=\"#cases\">↑ back to the table</a></p>\n</div></details>\n");
}

const CSS: &str = r#"
:root { --ok:#1a7f37; --ok-bg:#e8f5ec; --ns:#9a6700; --ns-bg:#fff5d6; --info:#0969da; --info-bg:#e8f1fc;
  --unimpl:#57606a; --unimpl-bg:#eef0f2; --failed:#cf222e; --failed-bg:#fde8ea; --line:#d0d7de; --muted:#57606a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0; padding: 0 24px 48px; }
code, .id, .num { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
h1 { font-size: 22px; margin: 20px 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
a { color: #0969da; text-decoration: none; } a:hover { text-decoration: underline; }
.muted { color: var(--muted); }
.meta { display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 0 0 12px; }
.meta span b { font-weight: 600; }
.filters { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0 6px; }
.filters label { cursor: pointer; border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; background: #f6f8fa; user-select: none; }
.filters label b { font-size: 18px; margin-right: 6px; }
.filters label.v-ok b { color: var(--ok); } .filters label.v-non-strict b { color: var(--ns); }
.filters label.v-informational b { color: var(--info); } .filters label.v-unimplemented b { color: var(--unimpl); }
.filters label.v-failed b { color: var(--failed); } .filters label.v-error b { color: #9a6700; }
input.filter { position: absolute; opacity: 0; pointer-events: none; }
#show-all:checked ~ header label[for=show-all], #show-notok:checked ~ header label[for=show-notok],
#show-ok:checked ~ header label[for=show-ok], #show-non-strict:checked ~ header label[for=show-non-strict],
#show-informational:checked ~ header label[for=show-informational],
#show-unimplemented:checked ~ header label[for=show-unimplemented],
#show-error:checked ~ header label[for=show-error],
#show-failed:checked ~ header label[for=show-failed] { border-color: #1f2328; background: #fff; box-shadow: inset 0 -3px 0 #1f2328; }
#show-notok:checked ~ main .case.v-ok,
#show-ok:checked ~ main .case:not(.v-ok), #show-non-strict:checked ~ main .case:not(.v-non-strict),
#show-informational:checked ~ main .case:not(.v-informational),
#show-unimplemented:checked ~ main .case:not(.v-unimplemented),
#show-failed:checked ~ main .case:not(.v-failed), #show-error:checked ~ main .case:not(.v-error),
#show-notok:checked ~ main table.cases tbody:not(:has(.case:not(.v-ok))),
#show-ok:checked ~ main table.cases tbody:not(:has(.v-ok)), #show-non-strict:checked ~ main table.cases tbody:not(:has(.v-non-strict)),
#show-informational:checked ~ main table.cases tbody:not(:has(.v-informational)),
#show-unimplemented:checked ~ main table.cases tbody:not(:has(.v-unimplemented)),
#show-error:checked ~ main table.cases tbody:not(:has(.v-error)),
#show-failed:checked ~ main table.cases tbody:not(:has(.v-failed)) { display: none; }
.bar { display: flex; height: 8px; border-radius: 4px; overflow: hidden; background: var(--line); margin: 4px 0 8px; max-width: 900px; }
.bar span.v-ok { background: var(--ok); } .bar span.v-non-strict { background: var(--ns); }
.bar span.v-informational { background: var(--info); } .bar span.v-unimplemented { background: #8c959f; }
.bar span.v-failed { background: var(--failed); } .bar span.v-error { background: #9a6700; }
.badge { display: inline-block; font-size: 11px; font-weight: 700; letter-spacing: .02em; padding: 1px 6px; border-radius: 10px; white-space: nowrap; color: #fff; }
.badge.v-ok { background: var(--ok); } .badge.v-non-strict { background: var(--ns); }
.badge.v-informational { background: var(--info); } .badge.v-unimplemented { background: #6e7781; }
.badge.v-failed { background: var(--failed); } .badge.v-error { background: #9a6700; }
table { border-collapse: collapse; width: 100%; }
table.cases { table-layout: fixed; }
table.cases th, table.cases td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
table.cases thead th { position: sticky; top: 0; background: #f6f8fa; z-index: 1; border-bottom: 2px solid var(--line); }
table.cases tr.group th { background: #f6f8fa; font-weight: 600; padding-top: 10px; }
table.cases tr.case td:first-child { border-left: 4px solid transparent; }
tr.case.v-ok td:first-child { border-left-color: var(--ok); }
tr.case.v-non-strict { background: var(--ns-bg); } tr.case.v-non-strict td:first-child { border-left-color: var(--ns); }
tr.case.v-informational { background: var(--info-bg); } tr.case.v-informational td:first-child { border-left-color: var(--info); }
tr.case.v-unimplemented { background: var(--unimpl-bg); } tr.case.v-unimplemented td:first-child { border-left-color: #8c959f; }
tr.case.v-failed { background: var(--failed-bg); } tr.case.v-failed td:first-child { border-left-color: var(--failed); }
tr.case.v-error { background: var(--failed-bg); } tr.case.v-error td:first-child { border-left-color: #9a6700; }
.clamp { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
td.num, th.num { text-align: right; white-space: nowrap; }
details.case { border: 1px solid var(--line); border-left-width: 4px; border-radius: 6px; margin: 6px 0; background: #fff; }
details.case.v-ok { border-left-color: var(--ok); } details.case.v-non-strict { border-left-color: var(--ns); }
details.case.v-informational { border-left-color: var(--info); } details.case.v-unimplemented { border-left-color: #8c959f; }
details.case.v-failed { border-left-color: var(--failed); } details.case.v-error { border-left-color: #9a6700; }
details.case > summary { cursor: pointer; padding: 6px 10px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
details.case[open] > summary { border-bottom: 1px solid var(--line); background: #f6f8fa; white-space: normal; }
p.warning { background: #fff8c5; border: 1px solid #d4a72c; padding: 0.5em; }
details.case:target { outline: 2px solid #0969da; }
details .body { padding: 8px 12px; }
dl { display: grid; grid-template-columns: 110px 1fr; gap: 4px 12px; margin: 4px 0 12px; }
dt { font-weight: 600; color: var(--muted); } dd { margin: 0; }
blockquote { margin: 0; padding: 2px 10px; border-left: 3px solid var(--line); font-style: italic; }
table.wire { font-size: 12.5px; }
table.wire th { white-space: nowrap; text-align: left; background: #f6f8fa; border-bottom: 1px solid var(--line); padding: 3px 8px; }
table.wire td { padding: 2px 8px; vertical-align: top; border-bottom: 1px solid #eaeef2; }
/* Wire rows carry no per-cell classes (a report can hold 100 000 of them):
   columns are at_ms, conn, dir, len, data. */
table.wire td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
table.wire td:nth-child(-n+4) { white-space: nowrap; text-align: right; }
table.wire td:nth-child(3) { text-align: left; font-weight: 600; font-family: inherit; }
table.wire td:nth-child(5) { width: 100%; white-space: pre-wrap; overflow-wrap: anywhere; }
tr.d-send { background: #eef5ff; } tr.d-send td:nth-child(3) { color: #0550ae; }
tr.d-recv { background: #effaf1; } tr.d-recv td:nth-child(3) { color: #116329; }
tr.d-event td { color: var(--muted); font-style: italic; } tr.d-event td:nth-child(5) { font-family: system-ui, sans-serif; }
.esc { color: #8c959f; }
pre.hex { margin: 0; font: 12px/1.35 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre; }
.prefix { color: #6e7781; }
"#;

/// Open the `<details>` a link points at (browsers without this still scroll to it).
const JS: &str = "function openTarget(){var e=document.getElementById(location.hash.slice(1));\
if(e&&e.tagName==='DETAILS'){e.open=true;e.scrollIntoView();}}\
addEventListener('hashchange',openTarget);openTarget();";

pub fn render(report: &RunReport) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let counts = report.summary();
    // Report order, not `Verdict`'s (worst last) order.
    let summary: Vec<(Verdict, usize)> = Verdict::ALL
        .iter()
        .map(|v| (*v, counts.get(v).copied().unwrap_or(0)))
        .collect();
    let total = report.results.len();
    let mut out = String::with_capacity(64 * 1024 + total * 4096);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>voxproof report — {target}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        target = h(&report.target)
    );
    // The filter inputs come first: the CSS reaches later siblings only.
    out.push_str("<input type=\"radio\" class=\"filter\" name=\"show\" id=\"show-all\" checked>\n");
    out.push_str("<input type=\"radio\" class=\"filter\" name=\"show\" id=\"show-notok\">\n");
    for v in Verdict::ALL {
        let _ = writeln!(
            out,
            "<input type=\"radio\" class=\"filter\" name=\"show\" id=\"show-{}\">",
            &class(v)[2..]
        );
    }

    let _ = writeln!(
        out,
        "<header>\n<h1>voxproof report</h1>\n<div class=\"meta\">\
         <span><b>target</b> <code>{}</code></span><span><b>voxproof</b> {version}</span>\
         <span><b>duration</b> {:.2} s</span><span><b>cases</b> {total}</span></div>",
        h(&report.target),
        report.duration.as_secs_f64()
    );
    for w in &report.warnings {
        let _ = writeln!(out, "<p class=\"warning\"><b>warning</b> {}</p>", h(w));
    }
    out.push_str("<div class=\"bar\">");
    for (v, n) in &summary {
        if *n > 0 {
            let _ = write!(
                out,
                "<span class=\"{}\" style=\"flex: {n}\" title=\"{n} {}\"></span>",
                class(*v),
                v.as_str()
            );
        }
    }
    out.push_str("</div>\n<nav class=\"filters\">\n");
    let _ = writeln!(
        out,
        "<label for=\"show-all\"><b>{total}</b>all</label>\
         <label for=\"show-notok\"><b>{}</b>not OK</label>",
        total - counts.get(&Verdict::Ok).copied().unwrap_or(0)
    );
    for (v, n) in &summary {
        let _ = writeln!(
            out,
            "<label for=\"show-{}\" class=\"{}\"><b>{n}</b>{}</label>",
            &class(*v)[2..],
            class(*v),
            v.as_str()
        );
    }
    out.push_str("</nav>\n</header>\n<main>\n");

    // Groups in the order their first case appears, as the console report.
    let groups = super::grouped(&report.results);

    out.push_str(
        "<h2 id=\"cases\">Cases</h2>\n<table class=\"cases\">\n<colgroup>\
         <col style=\"width: 21%\"><col style=\"width: 10%\"><col style=\"width: 22%\">\
         <col style=\"width: 8%\"><col style=\"width: 8%\"><col><col style=\"width: 4%\">\
         </colgroup>\n<thead><tr><th>id</th><th>section</th><th>title</th><th>verdict</th>\
         <th>close</th><th>detail</th><th class=\"num\">ms</th></tr></thead>\n",
    );
    for (_, label, cases) in &groups {
        let _ = writeln!(
            out,
            "<tbody>\n<tr class=\"group\"><th colspan=\"7\">{} <span class=\"muted\">({}: {})</span></th></tr>",
            h(label),
            super::cases_count(cases.len()),
            counts_text(cases)
        );
        for r in cases {
            case_row(&mut out, r);
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table>\n");

    out.push_str("<h2>Details</h2>\n<p class=\"muted\">Each case: what the standard requires, what was sent and expected, the wire log and the reason for the verdict.</p>\n");
    for r in groups.iter().flat_map(|(_, _, cases)| cases) {
        case_details(&mut out, r);
    }
    let _ = write!(out, "</main>\n<script>{JS}</script>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::{anchor, wire_data};

    #[test]
    fn wire_data_dims_escapes_and_breaks_lines() {
        assert_eq!(
            wire_data("GET / HTTP/1.1\\r\\nHost: <x>\\r\\n"),
            "GET / HTTP/1.1<span class=\"esc\">\\r\\n</span><br>\
             Host: &lt;x&gt;<span class=\"esc\">\\r\\n</span>"
        );
        assert_eq!(
            wire_data("a\\\\n\\x81\\x7e"),
            "a<span class=\"esc\">\\\\</span>n<span class=\"esc\">\\x81\\x7e</span>"
        );
    }

    #[test]
    fn mostly_binary_data_is_a_hex_dump() {
        // A masked frame: header, key, payload.
        let html = wire_data("\\x81\\x85\\x37\\xfa\\x21\\x3d\\x7f\\x9f\\x4d\\x51X… (3 more bytes)");
        assert_eq!(
            html,
            "<pre class=\"hex\">0000  81 85 37 fa 21 3d 7f 9f 4d 51 58                 ..7.!=..MQX\n… (3 more bytes)</pre>"
        );
        // One span per run of escapes, never one per byte.
        let text = wire_data("abcdefgh\\x00\\x01ijklmnop");
        assert_eq!(text.matches("<span").count(), 1, "{text}");
    }

    #[test]
    fn anchors_are_plain() {
        assert_eq!(anchor("handshake.4_2_1.a-b"), "case-handshake.4_2_1.a-b");
        assert_eq!(anchor("x y\"<"), "case-x~20~y~22~~3c~");
    }
}
