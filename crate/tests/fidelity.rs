//! Issue 20: rendered copies decide, the member's identity never reaches a report, the
//! new evidence (signed-in sign, paths, labels), and popup counts that match their rows.

mod common;

use common::{en, Drive};
use opt_out_lens_core::catalogue::SETTINGS;
use opt_out_lens_core::detect::{scan, should_scan, Candidate, Observation, Observed, PageFacts, Reason};
use opt_out_lens_core::job::Outcome;
use opt_out_lens_core::managed::Managed;
use opt_out_lens_core::report::{build, json_text, markdown, record, remember, Environment};
use opt_out_lens_core::scan::examine;
use opt_out_lens_core::report::scrub::{Identity, MEMBER};
use opt_out_lens_core::state::{apply, load};
use opt_out_lens_core::summary::summary;

const AI_PAGE: &str = "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement";
const PRIVACY_PAGE: &str = "https://www.linkedin.com/mypreferences/d/categories/privacy";
const AI_KEY: &str = "allowDataForGenerativeAI";

fn switch(key: &str, checked: bool, hidden: bool) -> Candidate {
    Candidate {
        tag: "input".into(),
        input_type: Some("checkbox".into()),
        role: Some("switch".into()),
        checked: Some(checked),
        labelledby: if key.is_empty() { vec![] } else { vec![key.into()] },
        hidden,
        ..Candidate::default()
    }
}

fn facts(url: &str, candidates: Vec<Candidate>) -> PageFacts {
    PageFacts { url: url.into(), elapsed_ms: 10_000.0, candidates, ..PageFacts::default() }
}

fn word(o: Observed) -> String {
    match o {
        Observed::On => "on".into(),
        Observed::Off => "off".into(),
        Observed::Unknown(r) => format!("unknown {r:?}"),
    }
}

/// (candidates as (on, hidden), page) -> (marked indices, AI's observation, hidden indices).
#[test]
fn rendered_copies_decide_and_hidden_ones_are_never_marked() {
    #[allow(clippy::type_complexity)]
    let table: &[(&str, &str, &[(bool, bool)], &[usize], &str, &[usize])] = &[
        ("hidden stale off first, rendered on", AI_PAGE, &[(false, true), (true, false)], &[1], "on", &[0]),
        ("rendered on first, hidden stale off", AI_PAGE, &[(true, false), (false, true)], &[0], "on", &[1]),
        ("hidden on first, rendered off", AI_PAGE, &[(true, true), (false, false)], &[1], "off", &[0]),
        ("rendered off, hidden on", AI_PAGE, &[(false, false), (true, true)], &[0], "off", &[1]),
        ("off another page too (by key)", PRIVACY_PAGE, &[(false, true), (true, false)], &[1], "on", &[0]),
        ("two rendered copies disagree: unknown, both marked as now", AI_PAGE, &[(true, false), (false, false)], &[0, 1], "unknown Conflicting", &[]),
        ("two rendered agree, a hidden one disagrees", AI_PAGE, &[(true, false), (false, true), (true, false)], &[0, 2], "on", &[1]),
        ("the only switch is hidden (a collapsed section): read, not marked", AI_PAGE, &[(false, true)], &[], "off", &[0]),
        ("only hidden copies, disagreeing: unknown", AI_PAGE, &[(false, true), (true, true)], &[], "unknown Conflicting", &[0, 1]),
        ("only hidden copies, agreeing", AI_PAGE, &[(true, true), (true, true)], &[], "on", &[0, 1]),
    ];
    for &(what, url, copies, marked, observed, hidden) in table {
        let out = scan(&facts(url, copies.iter().map(|&(on, h)| switch(AI_KEY, on, h)).collect()));
        let got_marks: Vec<usize> = out.marks.iter().map(|m| m.index).collect();
        assert_eq!(got_marks, marked, "{what}: marks");
        assert!(out.marks.iter().all(|m| !copies[m.index].1), "{what}: a hidden copy is never marked");
        let ai: Vec<&Observation> = out.observations.iter().filter(|o| o.setting == "ai-training").collect();
        assert_eq!(ai.len(), 1, "{what}: one observation");
        assert_eq!(word(ai[0].observed), observed, "{what}: observation");
        let got_hidden: Vec<usize> = out.hidden_copies.iter().map(|h| h.index).collect();
        assert_eq!(got_hidden, hidden, "{what}: hidden copies");
        // A hidden copy of a recognised setting is not a switch "no rule knows".
        let ex = examine(&facts(url, copies.iter().map(|&(on, h)| switch(AI_KEY, on, h)).collect()));
        assert!(ex.unrecognised.is_empty(), "{what}: nothing unrecognised");
    }
    // Hidden switches no rule knows still count as unrecognised ("hidden is not absent").
    let ex = examine(&facts(AI_PAGE, vec![switch("someNewKey", true, true), switch("otherNewKey", false, true)]));
    assert_eq!(ex.observations[0].observed, Observed::Unknown(Reason::Unrecognised));
}

/// Issue 25: what nobody can see never decides. The page script reports two facts per
/// copy (`hidden`: neither switch nor row seen; `switchHidden`: the switch element itself
/// not seen, as `opacity:0` on it leaves it); the copies the person sees best decide.
#[test]
fn what_nobody_can_see_never_decides() {
    use opt_out_lens_core::detect::Sight;
    const SEEN: Sight = Sight::Switch;
    const ROW: Sight = Sight::Row;
    const GONE: Sight = Sight::Hidden;
    let copy = |on: bool, sight: Sight| Candidate {
        hidden: sight == Sight::Hidden,
        switch_hidden: sight != Sight::Switch,
        ..switch(AI_KEY, on, false)
    };
    // (copies as (on, sight)) -> (marked indices, AI's observation, unmarked indices).
    #[allow(clippy::type_complexity)]
    let table: &[(&str, &[(bool, Sight)], &[usize], &str, &[usize])] = &[
        // The reported case: a stale copy (off) an exit animation left at opacity 0 on its
        // row or section (with aria-hidden and inert, which decide nothing), before or after
        // the live one. The page reports it as hidden: neither switch nor row is seen.
        ("stale transparent copy first", &[(false, GONE), (true, SEEN)], &[1], "on", &[0]),
        ("stale transparent copy after", &[(true, SEEN), (false, GONE)], &[0], "on", &[1]),
        // Opacity 0 on the stale switch alone: its row (label) is still seen, its switch not.
        ("stale copy's switch alone transparent, first", &[(false, ROW), (true, SEEN)], &[1], "on", &[0]),
        ("stale copy's switch alone transparent, after", &[(true, SEEN), (false, ROW)], &[0], "on", &[1]),
        ("the live copy off, the stale one on", &[(true, ROW), (false, SEEN)], &[1], "off", &[0]),
        // A styled switch hides its own input and draws its own: seen by its row, marked, read.
        ("a styled switch, its input transparent", &[(false, ROW)], &[0], "off", &[]),
        ("a styled switch and its hidden twin", &[(false, GONE), (true, ROW)], &[1], "on", &[0]),
        ("two styled copies disagree: unknown", &[(true, ROW), (false, ROW)], &[0, 1], "unknown Conflicting", &[]),
        // Two copies the person can see that disagree are conflicting: unknown, never off.
        ("two seen copies disagree", &[(true, SEEN), (false, SEEN)], &[0, 1], "unknown Conflicting", &[]),
        ("two seen copies disagree, a hidden one agrees with one", &[(false, GONE), (true, SEEN), (false, SEEN)], &[1, 2], "unknown Conflicting", &[0]),
        // Nothing seen: read from what is there, never marked.
        ("only a stale transparent copy", &[(false, GONE)], &[], "off", &[0]),
    ];
    for &(what, copies, marked, observed, unmarked) in table {
        let page = facts(AI_PAGE, copies.iter().map(|&(on, sight)| copy(on, sight)).collect());
        let out = scan(&page);
        let got: Vec<usize> = out.marks.iter().map(|m| m.index).collect();
        assert_eq!(got, marked, "{what}: marks");
        let ai: Vec<&Observation> = out.observations.iter().filter(|o| o.setting == "ai-training").collect();
        assert_eq!(ai.len(), 1, "{what}: one observation");
        assert_eq!(word(ai[0].observed), observed, "{what}: observation");
        let got: Vec<usize> = out.hidden_copies.iter().map(|h| h.index).collect();
        assert_eq!(got, unmarked, "{what}: unmarked copies");
        // The report says which copies were left out.
        let ex = examine(&page);
        let rec = record(&page, &ex, 1.0).expect("recorded");
        let left_out: Vec<usize> = rec.candidates.iter().enumerate().filter(|(_, c)| c.hidden).map(|(i, _)| i).collect();
        assert_eq!(left_out, unmarked, "{what}: the report's hidden copies");
    }
    // A job never clicks the stale copy: the live one, or nothing.
    let (mut job, _) = common::start("opt-out", Some(&["ai-training".to_string()]), 0.0, &Managed::default());
    let url = job.current_url().expect("url");
    let pair = scan(&facts(&url, vec![copy(true, ROW), copy(true, SEEN)]));
    assert_eq!(job.on_scan(&url, &pair, false, 1.0).click.map(|c| c.index), Some(1));
    // Absent from the facts (an older page script): both seen.
    let old: Candidate = serde_json::from_str(r#"{"tag":"input","inputType":"checkbox","role":"switch","checked":true}"#).expect("candidate");
    assert_eq!((old.hidden, old.switch_hidden, old.sight()), (false, false, SEEN));
    let wire: Candidate = serde_json::from_str(r#"{"hidden":false,"switchHidden":true}"#).expect("candidate");
    assert_eq!(wire.sight(), ROW);
}

#[test]
fn a_setting_read_only_from_a_hidden_copy_is_never_clicked() {
    let ids = ["ai-training".to_string()];
    let (mut job, _) = common::start("opt-out", Some(&ids), 0.0, &Managed::default());
    let url = job.current_url().expect("url");
    let hidden_on = scan(&facts(&url, vec![switch(AI_KEY, true, true)]));
    let d = job.on_scan(&url, &hidden_on, false, 1.0);
    assert_eq!(d.click, None, "never clicks a switch the person cannot see");
    assert_eq!((job.steps[0].outcome, job.steps[0].reason), (Some(Outcome::Failed), Some(Reason::Hidden)));
    // With a rendered copy beside it, the rendered one is clicked.
    let (mut job, _) = common::start("opt-out", Some(&ids), 0.0, &Managed::default());
    let pair = scan(&facts(&url, vec![switch(AI_KEY, false, true), switch(AI_KEY, true, false)]));
    assert_eq!(job.on_scan(&url, &pair, false, 1.0).click.map(|c| c.index), Some(1));
}

#[test]
fn a_signed_in_page_without_its_switch_is_a_changed_page_not_a_sign_in_question() {
    let page = |signed_in: bool, login_form: bool, candidates: Vec<Candidate>| PageFacts {
        signed_in,
        login_form,
        ..facts(AI_PAGE, candidates)
    };
    let ai = |f: &PageFacts| examine(f).observations[0].observed;
    assert_eq!(ai(&page(false, false, vec![])), Observed::Unknown(Reason::NotFound), "no sign either way");
    assert_eq!(ai(&page(true, false, vec![])), Observed::Unknown(Reason::Changed), "signed in: LinkedIn may have changed it");
    assert_eq!(ai(&page(true, true, vec![])), Observed::Unknown(Reason::NotLoggedIn), "a sign-in form wins over a stale key");
    let unknown_two = vec![switch("someNewKey", true, false), switch("otherNewKey", false, false)];
    assert_eq!(ai(&page(true, false, unknown_two)), Observed::Unknown(Reason::Unrecognised));
    assert_eq!(ai(&page(true, false, vec![switch(AI_KEY, false, false)])), Observed::Off);
    let early = PageFacts { elapsed_ms: 10.0, ..page(true, false, vec![]) };
    assert_eq!(ai(&early), Observed::Unknown(Reason::Loading), "not before the page settled");
    let error = PageFacts { http_status: Some(500), ..page(true, false, vec![]) };
    assert_eq!(examine(&error).observations[0].observed, Observed::Unknown(Reason::PageError));
    // Said to the person.
    let mut s = load(Ok(None)).stored;
    apply(&mut s, &[Observation { setting: "ai-training".into(), observed: Observed::Unknown(Reason::Changed) }], 1.0, &[]);
    let sum = summary(&s, 1.0, None, &Managed::default());
    let row = sum.rows.iter().find(|r| r.id == "ai-training").expect("row");
    let text = row.reason_text.as_ref().map(en).unwrap_or_default();
    assert!(text.starts_with("LinkedIn may have changed this page") && !text.contains("not be signed in"), "{text}");
    assert!(row.reportable, "a changed page offers the report");
    apply(&mut s, &[Observation { setting: "ai-training".into(), observed: Observed::Unknown(Reason::NotFound) }], 2.0, &[]);
    let sum = summary(&s, 2.0, None, &Managed::default());
    let text = sum.rows.iter().find(|r| r.id == "ai-training").and_then(|r| r.reason_text.as_ref()).map(en).unwrap_or_default();
    assert!(text.contains("may not be signed in") && text.contains("may have changed"), "without the sign, both: {text}");
}

#[test]
fn the_new_evidence_is_in_the_rules() {
    // The cookies setting at the path LinkedIn's German cookie banner links, and only that
    // page of the /settings/ tree is scanned.
    for url in ["https://www.linkedin.com/settings/member-cookies/", "https://www.linkedin.com/settings/member-cookies"] {
        assert!(should_scan(url), "{url}");
        let mut c = switch("", false, false);
        c.id = "nonEssentialCookieConsent".into();
        let out = scan(&facts(url, vec![c]));
        assert_eq!(out.observations, vec![Observation { setting: "cookies".into(), observed: Observed::Off }], "{url}");
        let empty = scan(&facts(url, vec![]));
        assert_eq!(empty.observations[0].setting, "cookies", "its own page: a missing switch is said");
    }
    assert!(!should_scan("https://www.linkedin.com/settings/"));
    assert!(!should_scan("https://www.linkedin.com/settings/other-page"));
    // The third Spanish AI label, unconfirmed: it counts only on the setting's own page.
    let es = "Usar mis datos para entrenar modelos de IA de generación de contenido";
    let ai = SETTINGS.iter().find(|s| s.id == "ai-training").expect("ai");
    let label = ai.labels.iter().find(|l| l.text == es).expect("the third es label");
    assert!(!label.confirmed && label.lang == "es");
    let labelled = |url: &str| {
        let mut c = switch("someNewKey", true, false);
        c.labelledby_text = es.into();
        let extra = switch("otherKey", false, false);
        scan(&facts(url, vec![c, extra])).marks.iter().map(|m| m.setting.clone()).collect::<Vec<_>>()
    };
    assert_eq!(labelled(AI_PAGE), vec!["ai-training".to_string()], "on its own page");
    assert!(labelled(PRIVACY_PAGE).is_empty(), "never elsewhere");
    // Czech: title and switch label from the facts file, confirmed (Czech press).
    for cs in ["Data pro zdokonalování generativní umělé inteligence", "Použít moje data pro trénování modelů umělé inteligence k tvorbě obsahu"] {
        let l = ai.labels.iter().find(|l| l.text == cs).expect("cs label");
        assert!(l.confirmed && l.lang == "cs");
    }
}

const NAME: &str = "Quillon Vartabedian-Nakamura";
const SLUG: &str = "q-vnakamura-7b1";
const HEADLINE: &str = "Cartographer of tidal archives at Saltmarsh Atlas";

#[test]
fn the_members_identity_never_reaches_a_report() {
    let label = |k: &str, text: &str| {
        let mut c = switch(k, true, false);
        c.labelledby_text = text.into();
        c
    };
    let candidates = vec![
        label("prefActivityFollowers", &format!("Show {NAME}'s activity to followers")),
        label("prefDigest", &format!("Email {} a weekly digest", NAME.to_uppercase())),
        label("prefFirstName", "Let Quillon's followers see new posts"),
        label("prefHeadline", &format!("Show “{HEADLINE}” beside your posts")),
        label(&format!("{SLUG}-toggle"), "Show my public profile at linkedin.com/in/q-vnakamura-7b1 to search engines"),
        label("prefLong", &format!("{} and then {NAME} at the very end", "x ".repeat(60))),
    ];
    let identity = vec![SLUG.to_string(), NAME.to_string(), "Me".into(), "Your name and headline".into(), HEADLINE.into()];
    let mut candidate_ids = vec![String::new(); 5];
    candidate_ids.push(format!("row-{SLUG}"));
    let page = PageFacts { heading: format!("{NAME}'s settings"), lang: "en".into(), identity, candidate_ids, ..facts(AI_PAGE, candidates) };
    let examined = examine(&page);
    let rec = record(&page, &examined, 5.0).expect("recorded");
    // Remembered pages hold no identity either: it is scrubbed before it is kept.
    let pages = remember(Vec::new(), rec);
    let remembered = serde_json::to_string(&pages).expect("json");
    let mut stored = load(Ok(None)).stored;
    apply(&mut stored, &examined.observations, 5.0, &[]);
    let report = build(&pages, Some("ai-training"), &stored, None, &Environment::default(), 10.0);
    let json = json_text(&report);
    let md = markdown(&report, &mut common::lookup);
    for (what, text) in [("remembered", &remembered), ("json", &json), ("markdown", &md)] {
        let lower = text.to_lowercase();
        for needle in ["quillon", "vartabedian", "nakamura", SLUG, "vnakamura", "cartographer", "saltmarsh", "tidal archives"] {
            assert!(!lower.contains(needle), "{what} contains {needle:?}:\n{text}");
        }
        // What stays: keys, roles, states and the rest of each label.
        for kept in ["prefActivityFollowers", "prefDigest", "switch", "activity to followers", "a weekly digest", "followers see new posts", "beside your posts", "-toggle"] {
            assert!(text.contains(kept), "{what} lost {kept:?}:\n{text}");
        }
        assert!(text.contains(MEMBER), "{what}: the neutral token stands in");
    }
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let p = &v["pages"][0];
    assert_eq!(p["heading"], format!("{MEMBER}'s settings"));
    assert_eq!(p["candidates"][0]["label"], format!("Show {MEMBER}'s activity to followers"));
    assert_eq!(p["candidates"][1]["label"], format!("Email {MEMBER} a weekly digest"), "ignoring case");
    assert_eq!(p["candidates"][2]["label"], format!("Let {MEMBER}'s followers see new posts"), "the first name alone");
    assert_eq!(p["candidates"][4]["ariaKeys"][0], format!("{MEMBER}-toggle"), "a slug in a key");
    assert_eq!(p["candidates"][5]["id"], format!("row-{MEMBER}"));
    assert_eq!(p["candidates"][0]["state"], "on");
    // "Me" (LinkedIn's menu) is too short to be the member's: words holding it stay whole.
    assert_eq!(Identity::new(&["Me".into()]).scrub("Measure ad success"), "Measure ad success");
    // No identity, nothing scrubbed.
    assert_eq!(Identity::new(&[]).scrub("Quillon"), "Quillon");
    // Percent-encoded slugs and runs of spaces.
    let id = Identity::new(&["j%C3%B6rg-m%C3%BCller-1".into(), "Jörg  Müller".into()]);
    assert_eq!(id.scrub("see /in/jörg-müller-1 and JÖRG MÜLLER, or\nJörg\tMüller"), format!("see /in/{MEMBER} and {MEMBER}, or\n{MEMBER}"));
}

#[test]
fn every_count_in_the_popup_matches_its_rows() {
    let stored = load(Ok(None)).stored;
    let sum = summary(&stored, 0.0, None, &Managed::default());
    let unknown_rows = sum.rows.iter().filter(|r| r.state == opt_out_lens_core::detect::StateWord::Unknown).count();
    assert_eq!(sum.unknown, unknown_rows, "every UNKNOWN row is counted");
    assert!(sum.unreachable > 0, "some rows no check can reach");
    let sub = sum.subline.as_ref().map(en).expect("subline");
    let checkable = unknown_rows - sum.unreachable;
    assert_eq!(
        sub,
        format!("{unknown_rows} settings are not known yet: “Check all settings” can read {checkable} of them; the other {} only you can review, on LinkedIn’s pages (see their rows).", sum.unreachable)
    );
    assert_eq!(en(&sum.headline), format!("0 of {} settings are known to share your data", sum.rows.len()));
    // Everything a check can read is known: the sentence names only the rest.
    let mut s = load(Ok(None)).stored;
    let reachable: Vec<Observation> = sum
        .rows
        .iter()
        .filter(|r| r.url.is_some() && r.reason != Some(Reason::List))
        .map(|r| Observation { setting: r.id.into(), observed: Observed::Off })
        .collect();
    apply(&mut s, &reachable, 1.0, &[]);
    let lists: Vec<Observation> = sum.rows.iter().filter(|r| r.url.is_some()).filter(|r| r.id.contains("employer")).map(|r| Observation { setting: r.id.into(), observed: Observed::Unknown(Reason::List) }).collect();
    apply(&mut s, &lists, 1.0, &[]);
    let sum = summary(&s, 2.0, None, &Managed::default());
    let unknown_rows = sum.rows.iter().filter(|r| r.state == opt_out_lens_core::detect::StateWord::Unknown).count();
    assert_eq!((sum.unknown, sum.unreachable), (unknown_rows, unknown_rows), "only unreachable rows are unknown");
    let sub = sum.subline.as_ref().map(en).expect("subline");
    let want = if unknown_rows == 1 {
        "1 setting is not known, and no check can read it: review it on LinkedIn’s page (see its row).".to_string()
    } else {
        format!("{unknown_rows} settings are not known, and no check can read them: review them on LinkedIn’s pages (see their rows).")
    };
    assert_eq!(sub, want);
    assert_eq!(en(&sum.headline), format!("0 of {} settings are known to share your data", sum.rows.len()), "never \"0 share\" while rows are unknown");
}
