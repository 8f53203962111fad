//! Shared by the libFuzzer target and the libFuzzer-free loop: page facts derived from
//! bytes, and the invariants checked on scan → state::apply → summary.

use std::sync::atomic::{AtomicU64, Ordering};

use arbitrary::{Result, Unstructured};
use opt_out_lens_core::catalogue::{Kind, Region, Setting, SwitchState, SETTINGS, SITE};
use opt_out_lens_core::managed::Managed;
use opt_out_lens_core::detect::{scan, Candidate, Observed, PageFacts, StateWord};
use opt_out_lens_core::normalize::normalize;
use opt_out_lens_core::state::{self, Stored, HISTORY_LIMIT, SCHEMA};
use opt_out_lens_core::summary::summary;

const ORIGINS: &[&str] = &[
    "https://www.linkedin.com",
    "https://linkedin.com",
    "http://www.linkedin.com",
    "https://www.linkedin.com:8443",
    "https://evil.example",
    "https://www.linkedin.com.evil.example",
    "",
];
const PATHS: &[&str] = &[
    "/mypreferences/d/categories/privacy",
    "/mypreferences/d/categories/ads",
    "/mypreferences/",
    "/psettings/",
    "/feed/",
    "/login",
    "/authwall",
    "/",
];
const WEIRD: &[&str] = &[
    "\u{202e}", "\u{200b}", "\u{feff}", "\u{2019}", "\u{2013}", "<img src=x onerror=alert(1)>", "&amp;",
    " ", "\t\n", "ß", "İ", "ﬁ", "\u{301}", "e\u{301}", "😀", "\u{0}", "%2F", "?", "#", "//", "..",
];

fn pick<'a>(u: &mut Unstructured, from: &[&'a str]) -> Result<&'a str> {
    Ok(from[u.choose_index(from.len())?])
}

/// A string that is often close to something the core knows.
fn text(u: &mut Unstructured) -> Result<String> {
    let mut s = String::new();
    for _ in 0..u.int_in_range(0..=3)? {
        match u.int_in_range(0..=5)? {
            0 => {
                let st = &SETTINGS[u.choose_index(SETTINGS.len())?];
                if !st.labels.is_empty() {
                    let l = &st.labels[u.choose_index(st.labels.len())?];
                    s.push_str(if u.arbitrary()? { l.text } else { l.norm });
                }
            }
            1 => s.push_str(SETTINGS[u.choose_index(SETTINGS.len())?].title),
            2 => s.push_str(pick(u, WEIRD)?),
            3 => s.push_str(&u.arbitrary::<String>()?),
            4 => {
                // Case games with a label.
                let st = &SETTINGS[u.choose_index(SETTINGS.len())?];
                s.push_str(&st.title.to_uppercase());
            }
            _ => s.push(' '),
        }
    }
    Ok(s)
}

fn key(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=2)? {
        0 => {
            let st = &SETTINGS[u.choose_index(SETTINGS.len())?];
            st.keys.first().map_or_else(String::new, |k| k.to_string())
        }
        1 => u.arbitrary()?,
        _ => String::new(),
    })
}

fn candidate(u: &mut Unstructured) -> Result<Candidate> {
    Ok(Candidate {
        tag: pick(u, &["input", "div", "button", "INPUT", "span", ""])?.to_string(),
        input_type: match u.int_in_range(0..=3)? {
            0 => Some("checkbox".into()),
            1 => Some("CheckBox".into()),
            2 => Some(u.arbitrary()?),
            _ => None,
        },
        role: match u.int_in_range(0..=4)? {
            0 | 1 => Some("switch".into()),
            2 => Some(pick(u, &[" Switch ", "SWITCH", "checkbox", "switch button", ""])?.into()),
            3 => Some(u.arbitrary()?),
            _ => None,
        },
        checked: u.arbitrary()?,
        hidden: u.ratio(1, 4)?,
        switch_hidden: u.ratio(1, 4)?,
        aria_checked: match u.int_in_range(0..=3)? {
            0 => Some("true".into()),
            1 => Some("false".into()),
            2 => Some(pick(u, &[" true ", "TRUE", "mixed", "", "1"])?.into()),
            _ => None,
        },
        labelledby: (0..u.int_in_range(0..=3)?).map(|_| key(u)).collect::<Result<_>>()?,
        labelledby_text: text(u)?,
        aria_label: text(u)?,
        label_text: text(u)?,
        context_text: text(u)?,
        // An element id: sometimes one a rule finds a switch by (the cookie switch's).
        id: match u.int_in_range(0..=2)? {
            0 => "nonEssentialCookieConsent".into(),
            1 => u.arbitrary()?,
            _ => String::new(),
        },
    })
}

/// Page facts from fuzz bytes.
pub fn facts(u: &mut Unstructured) -> Result<PageFacts> {
    let url = match u.int_in_range(0..=4)? {
        0 | 1 => {
            let st = &SETTINGS[u.choose_index(SETTINGS.len())?];
            let p = st.paths.first().copied().unwrap_or("/");
            let slash = if u.arbitrary()? { "/" } else { "" };
            format!("{}{p}{slash}", pick(u, ORIGINS)?)
        }
        2 => format!("{}{}", pick(u, ORIGINS)?, pick(u, PATHS)?),
        3 => {
            // A sign-in page that says which page was asked for.
            let st = &SETTINGS[u.choose_index(SETTINGS.len())?];
            let p = st.paths.first().copied().unwrap_or("/");
            let target = if u.arbitrary()? { format!("https://www.linkedin.com{p}") } else { p.to_string() };
            format!("https://www.linkedin.com{}?session_redirect={}", pick(u, &["/login", "/uas/login", "/authwall"])?, target)
        }
        _ => u.arbitrary()?,
    };
    let n = u.int_in_range(0..=24)?;
    Ok(PageFacts {
        url,
        elapsed_ms: u.arbitrary()?,
        login_form: u.arbitrary()?,
        dialog_open: u.arbitrary()?,
        candidates: (0..n).map(|_| candidate(u)).collect::<Result<_>>()?,
        heading: text(u)?,
        checkboxes: u.int_in_range(0..=40)?,
        entries: (0..u.int_in_range(0..=3)?).map(|_| text(u)).collect::<Result<_>>()?,
        lang: text(u)?,
        links: (0..u.int_in_range(0..=3)?)
            .map(|_| Ok(opt_out_lens_core::category::LinkFact { href: text(u)?, text: text(u)?, row_texts: vec![text(u)?] }))
            .collect::<Result<_>>()?,
        signed_in: u.arbitrary()?,
        http_status: u.arbitrary()?,
        loaded_at: u.arbitrary()?,
        taken_at: u.arbitrary()?,
        candidate_ids: Vec::new(),
        identity: Vec::new(),
    })
}

/// How often the identification checks had something to check (the loop prints them: a
/// rule that never fires proves nothing).
pub static REACHED: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];

/// What the candidate shows, from the rules' description of a switch (the facts file, "Where
/// the toggles are"; `candidate_selector` in rules/linkedin.toml), not from detect.rs: only an
/// element whose role is `switch` is one. A native `<input>` must be a checkbox and shows its
/// `checked` property, whatever `aria-checked` says; any other element shows `aria-checked`,
/// exactly `true` or `false`. Anything else shows nothing to trust. As a truth table:
fn shows(c: &Candidate) -> Option<SwitchState> {
    let role = c.role.as_deref().map(|r| r.trim().to_ascii_lowercase());
    let input = c.tag == "input";
    let checkbox = c.input_type.as_deref().map(str::to_ascii_lowercase).as_deref() == Some("checkbox");
    let aria = c.aria_checked.as_deref().map(str::trim);
    let on = match (role.as_deref(), input, checkbox, c.checked, aria) {
        (Some("switch"), true, true, Some(checked), _) => checked,
        (Some("switch"), false, _, _, Some("true")) => true,
        (Some("switch"), false, _, _, Some("false")) => false,
        _ => return None,
    };
    Some(if on { SwitchState::On } else { SwitchState::Off })
}

/// The texts the page says a candidate is called (its `aria-labelledby` text, `aria-label`,
/// `<label>`), normalised, the blank ones left out.
fn names(c: &Candidate) -> Vec<String> {
    [&c.labelledby_text, &c.aria_label, &c.label_text].iter().map(|t| normalize(t)).filter(|t| !t.is_empty()).collect()
}

/// Whether anything about the candidate or its page points at `s`: one of its keys or
/// element ids, a name equal to one of its labels, its row holding a confirmed label, or a
/// page that may be its own (its path's last part in the URL, or a setting found by its
/// page's title). A mark needs at least one; this is looser than the rules, never stricter.
fn points_at(s: &Setting, c: &Candidate, url: &str) -> bool {
    let row = format!(" {} ", normalize(&c.context_text));
    c.labelledby.iter().any(|k| s.keys.contains(&k.as_str()))
        || s.element_ids.contains(&c.id.as_str())
        || names(c).iter().any(|n| s.labels.iter().any(|l| l.norm == n))
        || s.labels.iter().any(|l| l.confirmed && row.contains(&format!(" {} ", l.norm)))
        || s.by_heading
        || s.paths.iter().any(|p| p.trim_end_matches('/').rsplit('/').next().is_some_and(|last| url.contains(last)))
}

/// The setting a candidate's `aria-labelledby` keys name, when they name exactly one
/// switch and nothing else about it names any setting (no element id of one, no name at
/// all): the case the rules settle on the key alone, on any page.
fn named_by_key_alone(c: &Candidate) -> Option<&'static Setting> {
    let by_key: Vec<&'static Setting> =
        SETTINGS.iter().filter(|s| s.kind == Kind::Switch && c.labelledby.iter().any(|k| s.keys.contains(&k.as_str()))).collect();
    let quiet = names(c).is_empty() && !SETTINGS.iter().any(|s| s.element_ids.contains(&c.id.as_str()));
    match by_key.as_slice() {
        [one] if quiet => Some(one),
        _ => None,
    }
}

/// Whether the URL is a LinkedIn page the rules scan for switches (the rules' origin, a
/// scanned prefix), and not a sign-in page.
fn scanned_page(url: &str) -> bool {
    let Some(path) = url.strip_prefix(SITE.origin.trim_end_matches('/')) else { return false };
    let path = path.split(['?', '#']).next().unwrap_or("");
    SITE.scan_prefixes.iter().any(|p| path.starts_with(p)) && !SITE.login_paths.iter().any(|p| path.starts_with(p))
}

/// Runs the pipeline on `pages` (one after another, as a session would) and panics on a
/// broken invariant.
pub fn check(pages: &[PageFacts], now0: f64, region: Option<Region>, managed: &Managed) {
    let mut stored = Stored { schema: SCHEMA, ..Stored::default() };
    let mut now = if now0.is_finite() { now0 } else { 0.0 };
    for facts in pages {
        let out = scan(facts);
        let mut seen = std::collections::HashSet::new();
        for m in &out.marks {
            assert!(m.index < facts.candidates.len(), "mark index {} out of {} candidates", m.index, facts.candidates.len());
            assert!(seen.insert(m.index), "candidate {} marked twice", m.index);
            let c = &facts.candidates[m.index];
            let shown = shows(c);
            assert!(shown.is_some(), "marked a candidate that is not a switch: {c:?}");
            assert!(!c.hidden, "marked a hidden copy: {c:?}");
            // The copies seen best decide: no unmarked copy of its setting is seen better.
            let better = out.hidden_copies.iter().any(|h| h.setting == m.setting && facts.candidates[h.index].sight() > c.sight());
            assert!(!better, "marked a copy seen less well than another of {}: {c:?}", m.setting);
            assert_eq!(shown, Some(m.state), "mark state differs from what the switch shows: {c:?}");
            assert!(!m.labels.is_empty() && m.labels.iter().all(|l| !l.key.is_empty()));
            let setting = SETTINGS.iter().find(|s| s.id == m.setting).expect("a mark names a catalogued setting");
            assert!(setting.kind == Kind::Switch, "marked {} (not a switch)", m.setting);
            assert!(points_at(setting, c, &facts.url), "marked {} though nothing about the candidate names it: {c:?}", m.setting);
            REACHED[0].fetch_add(1, Ordering::Relaxed);
        }
        // A rendered switch that its key alone names is marked as that setting, on any page
        // the rules scan.
        if scanned_page(&facts.url) {
            // (A copy another copy outranks, seen better, is reported as hidden instead.)
            let outranked = |i: usize| out.hidden_copies.iter().any(|h| h.index == i);
            for (i, c) in facts.candidates.iter().enumerate().filter(|(i, c)| !c.hidden && !outranked(*i) && shows(c).is_some()) {
                if let Some(s) = named_by_key_alone(c) {
                    assert!(out.marks.iter().any(|m| m.index == i && m.setting == s.id), "candidate {i}, named by its key alone, not marked {}: {c:?}", s.id);
                    REACHED[1].fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        for o in &out.observations {
            // A connection is read from the page's list entries, not from a switch: "on" only
            // where the page listed entries, and never "off".
            if SETTINGS.iter().any(|s| s.id == o.setting && s.kind == Kind::Connection) {
                assert!(o.observed != Observed::Off, "{} (a connection) observed off", o.setting);
                assert!(o.observed != Observed::On || !facts.entries.is_empty(), "{} observed on with no list entry", o.setting);
                continue;
            }
            if o.observed == Observed::Off || o.observed == Observed::On {
                let want = if o.observed == Observed::Off { SwitchState::Off } else { SwitchState::On };
                // Shown by a marked switch, or, for a setting whose only switches are hidden
                // (read, never marked), by a hidden switch.
                let marked = out.marks.iter().any(|m| m.setting == o.setting && m.state == want && shows(&facts.candidates[m.index]) == Some(want));
                let hidden_only = !out.marks.iter().any(|m| m.setting == o.setting)
                    && facts.candidates.iter().any(|c| c.hidden && shows(c) == Some(want));
                assert!(marked || hidden_only, "{} observed {:?} without a switch showing it", o.setting, o.observed);
            }
        }
        let before = stored.clone();
        state::apply(&mut stored, &out.observations, now, &[]);
        for (id, e) in &stored.settings {
            assert!(e.history.len() <= HISTORY_LIMIT);
            let now_obs = out.observations.iter().find(|o| &o.setting == id).map(|o| o.observed);
            if e.observed == Observed::Off {
                let was_off = before.settings.get(id).is_some_and(|b| b.observed == Observed::Off);
                assert!(now_obs == Some(Observed::Off) || (was_off && now_obs.is_none()) || (was_off && e == &before.settings[id]),
                    "{id} stored off without being seen off");
            }
            assert!(e.observed != Observed::Unknown(opt_out_lens_core::detect::Reason::Loading), "'still loading' stored");
        }
        let sum = summary(&stored, now, region, managed);
        assert!(sum.rows.len() <= SETTINGS.len());
        if managed.watch_settings.is_none() {
            assert_eq!(sum.rows.len(), SETTINGS.len());
        }
        for r in &sum.rows {
            if r.state == StateWord::Off {
                assert!(stored.settings.get(r.id).is_some_and(|e| e.observed == Observed::Off), "{} summarised off", r.id);
            }
        }
        now += 1000.0;
    }
}

/// One fuzz input: up to 4 pages of one session.
pub fn run(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let mut pages = Vec::new();
    let now: f64 = u.arbitrary().unwrap_or(0.0);
    let region = if u.arbitrary().unwrap_or(false) { Some(Region::ALL[u.choose_index(Region::ALL.len()).unwrap_or(0)]) } else { None };
    let managed = Managed {
        watch_settings: if u.arbitrary().unwrap_or(false) {
            Some(SETTINGS.iter().filter(|_| u.arbitrary().unwrap_or(true)).map(|s| s.id.to_string()).chain(std::iter::once("not-a-setting".into())).collect())
        } else {
            None
        },
        allow_opt_out: u.arbitrary().unwrap_or(None),
        region,
        reminder_days: u.arbitrary().unwrap_or(None),
        ..Managed::default()
    };
    for _ in 0..4 {
        match facts(&mut u) {
            Ok(f) => pages.push(f),
            Err(_) => break,
        }
        if u.is_empty() {
            break;
        }
    }
    check(&pages, now, region, &managed);
}
