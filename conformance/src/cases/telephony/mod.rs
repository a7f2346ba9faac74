//! Telephony cases (`twilio.*`, `telnyx.*`, `vonage.*`): the suite plays a
//! platform to a voice bot ([docs/telephony.md](../../../../docs/telephony.md#the-cases)).

pub mod telnyx;
pub mod twilio;
pub mod vonage;

use crate::case::{case, Case, Run};
use crate::cases::handshake::open::{check_101, RFC_ACCEPT};
use crate::ctx::Ctx;
use crate::platform::call::{dial, play, Plan, Recorded};
use crate::platform::caller::{Event, Phase};
use crate::platform::figures::{self, ms, percentile, Seen};
use crate::platform::{Platform, Session};
use crate::rule::Rule;
use crate::target::{Target, Telephony};
use crate::verdict::Outcome;
use std::time::Duration;

/// A call takes a few seconds of real time; the run's --timeout-ms applies
/// when it is longer.
pub const CALL: Option<Duration> = Some(Duration::from_secs(15));

/// The longest the caller waits for the bot to answer or to finish.
const PATIENCE: Duration = Duration::from_secs(4);

/// Silence while a bot that greets first says its greeting; 1.2 s when it
/// says nothing (frameworks start a greeting up to a second into a call).
pub fn greeting() -> Phase {
    Phase::Greeting {
        listen: Duration::from_millis(1200),
        quiet: Duration::from_millis(400),
        max: PATIENCE,
    }
}

/// The caller's side of a plain call: the greeting, if any, the utterance,
/// silence until the bot has answered and finished, the end of the stream.
pub fn plain_call() -> Vec<Phase> {
    vec![
        greeting(),
        Phase::Speak,
        Phase::UntilQuiet {
            quiet: Duration::from_millis(400),
            max: PATIENCE,
        },
        Phase::Event(Event::Stop),
    ]
}

/// The utterance, then, once the bot's answer has played `after`, `then`.
fn interrupting(then: Vec<Phase>) -> Vec<Phase> {
    let mut phases = vec![
        greeting(),
        Phase::Speak,
        Phase::UntilBotPlays {
            after: Duration::from_millis(300),
            max: PATIENCE,
        },
    ];
    phases.extend(then);
    phases
}

/// A telephony case's run: UNIMPLEMENTED unless the profile was given.
fn on(
    platform: Platform,
    run: impl Fn(&mut Ctx, Platform) -> Outcome + Send + Sync + 'static,
) -> Run {
    Run::with(move |ctx: &mut Ctx| {
        let played = ctx
            .target
            .telephony
            .as_ref()
            .is_some_and(|t| t.resource(platform.name()).is_some());
        if !played {
            return Outcome::unimplemented(format!(
                "pass --profile {} with --target the bot's stream URL",
                platform.name()
            ));
        }
        run(ctx, platform)
    })
}

/// Dial the bot and play `plan`; a refused handshake is the outcome.
pub fn call(ctx: &mut Ctx, plan: &Plan) -> Result<Recorded, Outcome> {
    let (conn, answer) = dial(ctx, plan)?;
    check_101(&answer, RFC_ACCEPT).map_err(|o| {
        Outcome::new(
            o.verdict,
            format!(
                "the bot refused the platform's opening handshake: {}",
                o.detail
            ),
        )
    })?;
    let nonce = u64::from(conn.id()) ^ (std::process::id() as u64) << 20 ^ nanos();
    let session = Session::new(plan.platform, nonce, plan.extra_fields);
    play(conn, plan, session).map_err(Outcome::failed)
}

fn nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// The first breach among `rules` in what the bot sent.
fn breach_of(rec: &Recorded, rules: &[Rule]) -> Option<Outcome> {
    rec.breaches().find(|b| rules.contains(&b.rule)).map(|b| {
        let o = if b.strict {
            Outcome::failed(format!("the bot sent {}", b.detail))
        } else {
            Outcome::non_strict(format!("the bot sent {}", b.detail))
        };
        o.resting_on(b.rule.clone())
    })
}

/// How many messages the bot sent, for OK details.
fn sent_summary(rec: &Recorded) -> String {
    let (mut audio, mut marks, mut clears) = (0, 0, 0);
    for (_, s) in &rec.timeline {
        match s {
            Seen::BotAudio { .. } => audio += 1,
            Seen::BotMark(_) => marks += 1,
            Seen::BotClear => clears += 1,
            _ => {}
        }
    }
    format!("{audio} media, {marks} marks, {clears} clears")
}

/// How the call ended early, if the bot ended it (its close, a dropped
/// connection, a breach of RFC 6455) before the caller was done.
fn ended_early(rec: &Recorded) -> Option<String> {
    if let Some((_, code)) = rec.bot_closed() {
        return Some(match code {
            Some(c) => format!("the bot closed the call with {c}"),
            None => "the bot closed the call".into(),
        });
    }
    (!rec.completed).then(|| {
        rec.ended
            .clone()
            .unwrap_or_else(|| "the call did not finish before the deadline".into())
    })
}

/// A hygiene case: a plain call, judged by `rules` alone.
#[track_caller]
pub fn hygiene(
    platform: Platform,
    id: &'static str,
    title: &'static str,
    rule: Rule,
    judged: Vec<Rule>,
    expects: &'static str,
) -> Case {
    case(Case {
        id: id.into(),
        title: title.into(),
        rule,
        sends: "a plain call: the platform's opening messages, 1.08 s of speech from \
                vectors/g711/wav/speech.pcm16.wav in 20 ms media messages, silence until the \
                bot's answer has played, then the end of the stream"
            .into(),
        expects: expects.into(),
        min_timeout: CALL,
        run: on(platform, move |ctx, p| {
            let rec = match call(ctx, &Plan::new(p, plain_call())) {
                Ok(r) => r,
                Err(o) => return o,
            };
            if let Some(o) = breach_of(&rec, &judged) {
                return o;
            }
            // A bot that sent nothing (it crashed, or stayed silent) has
            // not kept the rule; it has not been asked.
            if rec.bot_messages() == 0 {
                let how = ended_early(&rec)
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
                return Outcome::informational(format!(
                    "nothing to judge: the bot sent no message{how}"
                ));
            }
            let early = ended_early(&rec)
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            Outcome::ok(format!(
                "{} from the bot, none breaking the rule{early}",
                sent_summary(&rec)
            ))
        }),
        ..Case::BASE
    })
}

/// RFC 6455 breaches in what the bot sent (the platform's own rule for
/// them cited as the case's).
#[track_caller]
pub fn websocket(platform: Platform, id: &'static str, rule: Rule) -> Case {
    case(Case {
        id: id.into(),
        title: "The bot's frames keep RFC 6455 (no masked, reserved or fragmented control frames)"
            .into(),
        rule,
        sends: "a plain call".into(),
        expects: "every frame the bot sends well-formed for a server (RFC 6455 §5)".into(),
        min_timeout: CALL,
        run: on(platform, |ctx, p| {
            let rec = match call(ctx, &Plan::new(p, plain_call())) {
                Ok(r) => r,
                Err(o) => return o,
            };
            match &rec.violation {
                Some(v) => Outcome::failed_by(v.rule.clone(), v.detail.clone()),
                None if rec.bot_messages() == 0 => Outcome::informational(format!(
                    "nothing to judge: the bot sent no message{}",
                    ended_early(&rec)
                        .map(|h| format!(" ({h})"))
                        .unwrap_or_default()
                )),
                None => Outcome::ok(format!("{} in well-formed frames", sent_summary(&rec))),
            }
        }),
        ..Case::BASE
    })
}

/// What the platform sends that the bot must live with.
#[derive(Debug, Clone, Copy)]
pub enum Nudge {
    Event(Event),
    ExtraFields,
    Burst,
    Swapped,
}

/// A tolerance case: a call with `nudge` in it; the bot must keep the call.
/// `strict`: FAILED when it does not (the platform documents the nudge),
/// else NON-STRICT.
#[allow(clippy::too_many_arguments)]
#[track_caller]
pub fn tolerance(
    platform: Platform,
    id: &'static str,
    title: &'static str,
    rule: Rule,
    nudge: Nudge,
    strict: bool,
    sends: &'static str,
) -> Case {
    case(Case {
        id: id.into(),
        title: title.into(),
        rule,
        sends: sends.into(),
        expects: "the bot keeps the call open to the end of the stream".into(),
        min_timeout: CALL,
        run: on(platform, move |ctx, p| {
            let quiet = Phase::UntilQuiet {
                quiet: Duration::from_millis(400),
                max: PATIENCE,
            };
            let mut plan = Plan::new(p, plain_call());
            match nudge {
                Nudge::Event(e) => {
                    plan.phases = vec![
                        greeting(),
                        Phase::Event(e),
                        Phase::Speak,
                        Phase::Event(e),
                        quiet,
                        Phase::Event(Event::Stop),
                    ]
                }
                Nudge::ExtraFields => plan.extra_fields = true,
                Nudge::Burst => {
                    plan.phases = vec![
                        greeting(),
                        Phase::Burst {
                            pause: Duration::from_secs(1),
                            extra: 4,
                        },
                        quiet,
                        Phase::Event(Event::Stop),
                    ]
                }
                Nudge::Swapped => plan.phases[1] = Phase::SpeakSwapped,
            }
            let rec = match call(ctx, &plan) {
                Ok(r) => r,
                Err(o) => return o,
            };
            match ended_early(&rec) {
                Some(how) if strict => Outcome::failed(how),
                Some(how) => Outcome::non_strict(how),
                None => Outcome::ok(format!("the call went on: {}", sent_summary(&rec))),
            }
        }),
        ..Case::BASE
    })
}

/// Nothing after the stop: the platform stops in the middle of the bot's
/// answer, then pings; what the bot sends after its pong it sent after
/// reading the stop.
#[track_caller]
pub fn after_stop(platform: Platform, id: &'static str, rule: Rule) -> Case {
    case(Case {
        id: id.into(),
        title: "The bot sends nothing once it has read the stop, even mid-answer".into(),
        rule,
        sends: "the utterance; 300 ms into the bot's answer, the stop and a ping".into(),
        expects:
            "no media, mark or clear after the bot's pong (the pong shows it has read the stop)"
                .into(),
        min_timeout: CALL,
        run: on(platform, |ctx, p| {
            let plan = Plan {
                linger: Duration::from_millis(800),
                ..Plan::new(p, interrupting(vec![Phase::Event(Event::Stop)]))
            };
            let rec = match call(ctx, &plan) {
                Ok(r) => r,
                Err(o) => return o,
            };
            let after = rec.after_stop();
            if !after.is_empty() {
                return Outcome::failed(format!(
                    "{} messages after the bot had read the stop, first: {}",
                    after.len(),
                    describe(after[0])
                ));
            }
            if rec.timeline.iter().any(|(_, s)| *s == Seen::StopRead) {
                return Outcome::ok("nothing after the stop");
            }
            if rec.closed_after_stop() {
                return Outcome::ok("the bot closed after the stop");
            }
            if rec.sent(Event::Stop).is_none() {
                let how = ended_early(&rec).unwrap_or_default();
                return Outcome::informational(format!("the call ended before the stop: {how}"));
            }
            Outcome::informational(
                "the bot neither answered the ping after the stop nor closed, so what it read cannot be told",
            )
        }),
        ..Case::BASE
    })
}

fn describe(s: &Seen) -> String {
    match s {
        Seen::BotAudio { length, .. } => format!("{} of audio", ms(*length)),
        Seen::BotMark(n) => format!("mark \"{n}\""),
        Seen::BotClear => "clear".into(),
        Seen::Breach(b) => b.detail.clone(),
        other => format!("{other:?}"),
    }
}

/// The platform closes the WebSocket in the middle of the bot's answer
/// (without a stop): the bot must answer the close.
#[track_caller]
pub fn close_mid_answer(platform: Platform, id: &'static str, title: &'static str) -> Case {
    case(Case {
        id: id.into(),
        title: title.into(),
        rule: Rule::new(
            "RFC 6455",
            "5.5.1",
            "If an endpoint receives a Close frame and did not previously send a Close frame, the endpoint MUST send a Close frame in response.",
        ),
        sends: "the utterance; 300 ms into the bot's answer, a close frame (1000) with no stop before it".into(),
        expects: "a close frame back".into(),
        min_timeout: CALL,
        run: on(platform, |ctx, p| {
            let plan = Plan {
                await_close_reply: true,
                ..Plan::new(p, interrupting(vec![Phase::Event(Event::Close)]))
            };
            let rec = match call(ctx, &plan) {
                Ok(r) => r,
                Err(o) => return o,
            };
            if let Some(v) = &rec.violation {
                return Outcome::failed_by(v.rule.clone(), v.detail.clone());
            }
            if rec.bot_closed().is_some() || !rec.suite_closed() {
                let how = ended_early(&rec).unwrap_or_default();
                return Outcome::informational(format!("{how} before the platform closed"));
            }
            match rec.close_reply() {
                Some(code) => Outcome::ok(format!(
                    "close {} in reply",
                    code.map_or("(no code)".into(), |c| c.to_string())
                )),
                None => Outcome::failed(format!(
                    "no close frame in reply: {}",
                    rec.ended.clone().unwrap_or_else(|| "none before the deadline".into())
                )),
            }
        }),
        ..Case::BASE
    })
}

/// The bounds the user may set: exceeding one is FAILED.
pub const MAX_RESPONSE: Rule = Rule::new(
    "telephony",
    "figures",
    "With --max-response-ms, a time to first audio above the bound (or no answer at all) is FAILED.",
);
pub const MAX_BARGE_IN: Rule = Rule::new(
    "telephony",
    "figures",
    "With --max-bargein-ms, a barge-in slower than the bound (or no clear at all) is FAILED.",
);

fn bound_rule(flag: &'static str) -> Rule {
    if flag == "--max-response-ms" {
        MAX_RESPONSE
    } else {
        MAX_BARGE_IN
    }
}

/// Time to first audio, with the call's other figures in the detail: the
/// marks' round trips and, for an echo, the mouth-to-ear delay.
#[track_caller]
pub fn first_audio(platform: Platform, id: &'static str, rule: Rule) -> Case {
    case(Case {
        id: id.into(),
        title: "Time to first audio (end of the caller's utterance → the bot's first speech), mark round trips, echo delay".into(),
        rule,
        sends: "a plain call; each mark returned when the audio before it has played (a virtual play-out buffer at real-time rate)".into(),
        expects: "figures (INFORMATIONAL); FAILED when the time to first audio is above --max-response-ms".into(),
        min_timeout: CALL,
        measures: true,
        run: on(platform, |ctx, p| {
            let rec = match call(ctx, &Plan::new(p, plain_call())) {
                Ok(r) => r,
                Err(o) => return o,
            };
            let bound = ctx.target.telephony.as_ref().and_then(|t| t.max_response);
            let figure = figures::first_audio(&rec.timeline);
            let o = judge_figure(figure, bound, "--max-response-ms", |d| {
                format!("time to first audio {}", ms(d))
            }, "the bot sent no speech after the caller's utterance");
            let early = ended_early(&rec)
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            Outcome {
                detail: format!("{}; {}; {}{early}", o.detail, marks(&rec), echo(&rec)),
                ..o
            }
        }),
        ..Case::BASE
    })
}

/// The marks' round trips: how far ahead of playback the bot queued audio.
fn marks(rec: &Recorded) -> String {
    let trips = figures::mark_round_trips(&rec.timeline);
    match (percentile(&trips, 50.0), percentile(&trips, 100.0)) {
        (Some(p50), Some(max)) => format!(
            "{} marks returned, round trip p50 {}, max {}",
            trips.len(),
            ms(p50),
            ms(max)
        ),
        _ => "no mark".into(),
    }
}

/// Mouth-to-ear delay, when the bot echoes the caller byte for byte.
fn echo(rec: &Recorded) -> String {
    let d = figures::mouth_to_ear(&rec.timeline);
    match (percentile(&d, 50.0), percentile(&d, 99.0)) {
        (Some(p50), Some(p99)) => format!(
            "echo of {} frames: mouth-to-ear p50 {}, p99 {}",
            d.len(),
            ms(p50),
            ms(p99)
        ),
        _ => "not an echo".into(),
    }
}

fn judge_figure(
    figure: Option<Duration>,
    bound: Option<Duration>,
    flag: &'static str,
    say: impl Fn(Duration) -> String,
    none: &str,
) -> Outcome {
    match (figure, bound) {
        (Some(d), Some(b)) if d > b => Outcome::failed_by(
            bound_rule(flag),
            format!("{}, above {flag} {}", say(d), b.as_millis()),
        ),
        (Some(d), Some(b)) => Outcome::ok(format!("{}, within {flag} {}", say(d), b.as_millis())),
        (Some(d), None) => Outcome::informational(say(d)),
        (None, Some(b)) => Outcome::failed_by(
            bound_rule(flag),
            format!("{none} ({flag} {})", b.as_millis()),
        ),
        (None, None) => Outcome::informational(none.to_string()),
    }
}

/// Barge-in: the caller speaks over the bot; how soon does it clear?
#[track_caller]
pub fn barge_in(platform: Platform, id: &'static str, rule: Rule) -> Case {
    case(Case {
        id: id.into(),
        title: "Barge-in: from the caller speaking over the bot to the bot's clear".into(),
        rule,
        sends: "the utterance; 300 ms into the bot's answer, the utterance again over it".into(),
        expects: "a figure (INFORMATIONAL); FAILED above --max-bargein-ms".into(),
        min_timeout: CALL,
        measures: true,
        run: on(platform, |ctx, p| {
            let phases = interrupting(vec![
                Phase::Speak,
                Phase::UntilQuiet {
                    quiet: Duration::from_millis(400),
                    max: PATIENCE,
                },
                Phase::Event(Event::Stop),
            ]);
            let rec = match call(ctx, &Plan::new(p, phases)) {
                Ok(r) => r,
                Err(o) => return o,
            };
            let bound = ctx.target.telephony.as_ref().and_then(|t| t.max_barge_in);
            let o = match figures::barge_in(&rec.timeline) {
                None => judge_figure(None, bound, "--max-bargein-ms", |_| String::new(),
                    "the bot never spoke after the caller's utterance, so the caller could not speak over it"),
                Some((_, clear)) => judge_figure(clear, bound, "--max-bargein-ms", |d| {
                    format!("barge-in {} (caller speaks over the bot → clear)", ms(d))
                }, "the bot did not clear its audio when the caller spoke over it"),
            };
            match ended_early(&rec) {
                Some(how) => Outcome {
                    detail: format!("{}; {how}", o.detail),
                    ..o
                },
                None => o,
            }
        }),
        ..Case::BASE
    })
}

/// The command line's telephony settings.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub twilio_auth_token: Option<String>,
    pub max_response: Option<Duration>,
    pub max_barge_in: Option<Duration>,
}

/// Apply the telephony profiles to `target`: with `--target`, the bot
/// serves each platform named on the target's own path; the embedded
/// reference (already configured) keeps its paths and takes the bounds.
/// The error is one line for the CLI.
pub fn configure(
    target: &mut Target,
    platforms: &[String],
    settings: Settings,
) -> Result<(), String> {
    if target.telephony.is_none() && !platforms.is_empty() {
        target.telephony = Some(Telephony {
            bots: platforms
                .iter()
                .map(|p| (p.clone(), target.resource.clone()))
                .collect(),
            ..Telephony::default()
        });
    }
    let Some(tel) = target.telephony.as_mut() else {
        let given = [
            (settings.twilio_auth_token.is_some(), "--twilio-auth-token"),
            (settings.max_response.is_some(), "--max-response-ms"),
            (settings.max_barge_in.is_some(), "--max-bargein-ms"),
        ];
        return match given.into_iter().find(|(g, _)| *g) {
            Some((_, flag)) => Err(format!("{flag} needs --profile twilio, telnyx or vonage")),
            None => Ok(()),
        };
    };
    if settings.twilio_auth_token.is_some() && tel.resource("twilio").is_none() {
        return Err("--twilio-auth-token needs --profile twilio".into());
    }
    if settings.twilio_auth_token.is_some() {
        tel.twilio_auth_token = settings.twilio_auth_token;
    }
    tel.max_response = settings.max_response;
    tel.max_barge_in = settings.max_barge_in;
    Ok(())
}

/// Before the cases: the bot takes each platform's opening handshake
/// (signed, when the suite has a token). A bot that is unreachable, or
/// refuses on its path, is one line rather than every case FAILED.
pub fn preflight(target: &Target, timeout: Duration) -> Result<(), String> {
    let Some(tel) = &target.telephony else {
        return Ok(());
    };
    for (name, resource) in &tel.bots {
        let Some(platform) = Platform::from_name(name) else {
            continue;
        };
        let url = tel.url_of(target, resource);
        let mut ctx = Ctx::new(target, std::time::Instant::now() + timeout);
        let plan = Plan::new(platform, vec![Phase::Event(Event::Stop)]);
        let (conn, answer) =
            dial(&mut ctx, &plan).map_err(|o| format!("bot {url} is unreachable: {}", o.detail))?;
        if let Err(o) = check_101(&answer, RFC_ACCEPT) {
            let signed = match (&tel.twilio_auth_token, platform) {
                (Some(_), Platform::Twilio) => format!(
                    " (the request was signed over {} with --twilio-auth-token)",
                    tel.signed_url(target, resource)
                ),
                _ => String::new(),
            };
            return Err(format!(
                "bot {url} did not take the opening handshake of {}: {}{signed}",
                platform.title(),
                o.detail
            ));
        }
        // The shortest call a bot expects: the opening, the stop, a close.
        let session = Session::new(platform, 0, false);
        let _ = play(
            conn,
            &Plan {
                linger: Duration::ZERO,
                ..plan
            },
            session,
        );
    }
    Ok(())
}

pub fn cases() -> Vec<Case> {
    let mut all = twilio::cases();
    all.extend(telnyx::cases());
    all.extend(vonage::cases());
    all
}
