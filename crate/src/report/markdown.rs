//! The report as people read it: Markdown in their words, with its JSON text at the end.

use serde::Serialize;

use super::Report;
use crate::text::Text;

/// The report as Markdown for people, in the words `lookup` gives, with its JSON text
/// ([`json_text`]) at the end.
pub fn markdown(report: &Report, lookup: &mut dyn FnMut(&str, &[String]) -> String) -> String {
    let json = json_text(report);
    let mut say = |t: Text| t.render(lookup);
    let mut out = format!("# {}\n\n{}\n\n", say(Text::new("reportProblemTitle")), say(Text::new("reportProblemIntro")));
    out += &format!(
        "- {}: {}\n- Opt-Out Lens {} · {} · rules {}\n",
        say(Text::new("reportProblemMade")),
        report.made_at,
        report.extension_version,
        report.browser,
        report.rules_version
    );
    for s in &report.settings {
        let reason = s.reason.map(|r| format!(" ({})", code(&r))).unwrap_or_default();
        let state = code(&s.state);
        out += &format!("- `{}`: {state}{reason}", s.id);
        if let Some(n) = s.unrecognised {
            out += &format!(", {n} unrecognised switch(es)");
        }
        out += "\n";
    }
    if report.pages.is_empty() {
        out += &format!("\n{}\n", say(Text::new("reportProblemNoPages")));
    }
    for p in &report.pages {
        out += &format!("\n## {} `{}`\n\n", say(Text::new("reportProblemPage")), p.path);
        let status = p.http_status.map_or_else(|| "?".to_string(), |s| s.to_string());
        out += &format!(
            "- lang `{}` · HTTP {status} · {} ms after load · {} candidate(s){}{}\n",
            p.lang,
            // The record holds a rounded, non-negative value: printed as an integer, since
            // formatting an f64 costs the wasm about 14 KB.
            p.elapsed_ms as u64,
            p.candidate_count,
            if p.login_form { " · sign-in form" } else { "" },
            if p.dialog_open { " · dialog open" } else { "" }
        );
        if !p.heading.is_empty() {
            out += &format!("- heading: “{}”\n", cell(&p.heading));
        }
        for d in &p.decisions {
            let (state, reason) = d.observed.split();
            out += &format!("- decision: `{}` → {}{}\n", d.setting, code(&state), reason.map(|r| format!(" ({})", code(&r))).unwrap_or_default());
        }
        if !p.candidates.is_empty() {
            out += "\n| # | element | id | aria keys | state | label | matched | signals / why not |\n|---|---|---|---|---|---|---|---|\n";
            for c in &p.candidates {
                let element = format!(
                    "{}{}{}{}",
                    c.tag,
                    c.input_type.as_deref().map(|t| format!("[{t}]")).unwrap_or_default(),
                    c.role.as_deref().map(|r| format!(" role={r}")).unwrap_or_default(),
                    if c.hidden { " (hidden)" } else { "" }
                );
                // Written out rather than with `{:?}`: Debug formatting of texts costs the
                // wasm its escaping code and Unicode tables (about 3 KB).
                let checked = c.checked.map_or("none", |b| if b { "true" } else { "false" });
                let aria = c.aria_checked.as_deref().map_or_else(|| "none".to_string(), |a| format!("\"{a}\""));
                let state = c.state.map_or_else(|| format!("checked={checked} aria-checked={aria}"), |s| code(&s));
                let signals = if c.signals.is_empty() { String::new() } else { c.signals.join(", ") };
                let why = c.why_not.as_deref().map(|w| if signals.is_empty() { w.to_string() } else { format!("{signals}; {w}") }).unwrap_or(signals);
                out += &format!(
                    "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                    c.index,
                    cell(&element),
                    cell(&c.id),
                    cell(&c.aria_keys.join(" ")),
                    cell(&state),
                    cell(&c.label),
                    c.matched.as_deref().unwrap_or("—"),
                    cell(&why)
                );
            }
        }
    }
    if let Some(j) = &report.job {
        out += &format!("\n## {}: {} ({})\n\n", say(Text::new("reportProblemJob")), code(&j.kind), code(&j.status));
        for s in &j.steps {
            let outcome = s.outcome.map(|o| code(&o)).unwrap_or_else(|| "—".into());
            let reason = s.reason.map(|r| format!(" ({})", code(&r))).unwrap_or_default();
            out += &format!("- `{}`: {outcome}{reason}, failed loads {}, clicked {}\n", s.setting, s.failed_loads, s.clicked);
        }
    }
    out += &format!("\n## JSON\n\n```json\n{json}\n```\n");
    out
}

/// The report as the JSON text a person copies or saves (indented by two spaces).
pub fn json_text(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("\"the report could not be written: {e}\""))
}

/// A serde enum's wire name, e.g. `not-loaded`: its serde derive says it.
fn code<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::from("?"),
    }
}

/// Escapes text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ").replace('`', "'")
}
