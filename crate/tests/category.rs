//! The core's reading of LinkedIn's category pages: which links name a setting (by href,
//! never by title), and which rows settle its state (a confirmed word of the page's
//! language, alone in its row). Everything else leaves the setting to its own page.

use opt_out_lens_core::catalogue::{by_id, SwitchState};
use opt_out_lens_core::category::{self, LinkFact, Unsettled};
use opt_out_lens_core::detect::{scan, Observed, PageFacts};
use opt_out_lens_core::state::{self, Stored};
use opt_out_lens_core::summary::summary;
use opt_out_lens_core::url::Location;

mod common;

const ADS: &str = "https://www.linkedin.com/mypreferences/d/categories/ads";

fn link(href: &str, texts: &[&str]) -> LinkFact {
    LinkFact { href: href.into(), text: texts.first().copied().unwrap_or("").into(), row_texts: texts.iter().map(|t| t.to_string()).collect() }
}

fn facts(url: &str, lang: &str, links: Vec<LinkFact>) -> PageFacts {
    PageFacts { url: url.into(), elapsed_ms: 300.0, lang: lang.into(), links, ..PageFacts::default() }
}

/// A row as read: (setting, the state it settles to, why not).
type Row = (String, Option<SwitchState>, Option<Unsettled>);

/// The rows and the settled settings of a category page.
fn read(url: &str, lang: &str, links: Vec<LinkFact>) -> (Vec<Row>, Vec<String>) {
    let (r, states) = category::read(&facts(url, lang, links).category()).expect("a category page");
    let rows = r.rows.iter().map(|x| (x.setting.to_string(), x.state, x.why)).collect();
    assert_eq!(states.iter().map(|(id, _)| id.to_string()).collect::<Vec<_>>(), r.settled, "the states are the settled ones");
    (rows, r.settled)
}

#[test]
fn the_href_names_the_setting_in_any_form() {
    let base = Location::parse(ADS).expect("url");
    let beyond = Some("ads-beyond-linkedin");
    let table: &[(&str, Option<&str>)] = &[
        ("/mypreferences/d/settings/ads-beyond-linkedin", beyond),
        ("/mypreferences/d/settings/ads-beyond-linkedin/", beyond),
        ("https://www.linkedin.com/mypreferences/d/settings/ads-beyond-linkedin", beyond),
        ("https://www.linkedin.com:8443/mypreferences/d/settings/ads-beyond-linkedin?trk=x#top", beyond),
        ("//www.linkedin.com/mypreferences/d/settings/ads-beyond-linkedin", beyond),
        ("/mypreferences/m/settings/ads-beyond-linkedin", beyond),
        ("/mypreferences/d/settings/ads-beyond-linkedin?lipi=abc&trk=settings", beyond),
        ("../settings/ads-beyond-linkedin", beyond),
        ("./../settings/./ads-beyond-linkedin", beyond),
        ("/mypreferences/d/settings/ads-by-%61ge", Some("ads-inferred-age")),
        ("/mypreferences/d/settings/data-for-ai-improvement", Some("ai-training")),
        // Decoys: other pages, other sites, other schemes, the page itself.
        ("/mypreferences/d/settings/ads-beyond-linkedin-help", None),
        ("/help/linkedin/answer/ads-beyond-linkedin", None),
        ("https://example.com/mypreferences/d/settings/ads-beyond-linkedin", None),
        ("https://www.linkedin.com.example.com/mypreferences/d/settings/ads-beyond-linkedin", None),
        ("https://user@www.linkedin.com/mypreferences/d/settings/ads-beyond-linkedin", None),
        ("http://www.linkedin.com/mypreferences/d/settings/ads-beyond-linkedin", None),
        ("javascript:void(0)", None),
        ("mailto:x@example.com", None),
        ("#ads-beyond-linkedin", None),
        ("?setting=ads-beyond-linkedin", None),
        ("", None),
        // A page of two settings cannot say which one its word is about.
        ("/mypreferences/d/settings/linkedin-promotions", None),
        // A connection is never read from a word.
        ("/psettings/partners-and-services", None),
        ("/mypreferences/d/categories/privacy", None),
    ];
    for (href, want) in table {
        assert_eq!(category::setting_of(href, &base).map(|s| s.id), *want, "{href:?}");
    }
}

#[test]
fn only_a_confirmed_word_of_the_pages_language_alone_in_its_row_settles() {
    use Unsettled::*;
    let beyond = "/mypreferences/d/settings/ads-beyond-linkedin";
    let on = Some(SwitchState::On);
    let off = Some(SwitchState::Off);
    type Case<'a> = (&'a str, &'a [&'a str], Option<SwitchState>, Option<Unsettled>);
    let table: &[Case] = &[
        ("en", &["Ads off LinkedIn", "On"], on, None),
        ("en", &["Ads off LinkedIn", "Off"], off, None),
        ("en-GB", &["Ads off LinkedIn", " off "], off, None),
        ("EN-us", &["Ads off LinkedIn", "ON"], on, None),
        ("de", &["Werbung außerhalb von LinkedIn", "Ein"], on, None),
        ("de-DE", &["Werbung außerhalb von LinkedIn", "Aus"], off, None),
        // The title's own words are never a state ("Ads off LinkedIn" holds "off").
        ("en", &["Ads off LinkedIn"], None, Some(NoWord)),
        ("en", &[], None, Some(NoWord)),
        ("en", &["Ads off LinkedIn", "3 selected"], None, Some(NoWord)),
        ("en", &["Ads off LinkedIn", "Custom"], None, Some(NoWord)),
        ("en", &["Ads off LinkedIn", "Off for now"], None, Some(NoWord)),
        // Two state words in one row.
        ("en", &["Ads off LinkedIn", "On", "Off"], None, Some(TwoWords)),
        ("en", &["Ads off LinkedIn", "Off", "Off"], None, Some(TwoWords)),
        ("de", &["Werbung", "Ein", "Aus"], None, Some(TwoWords)),
        // Weak evidence: never settles, in its own language either.
        ("nl", &["Advertenties buiten LinkedIn", "Uit"], None, Some(Unconfirmed)),
        ("it", &["Annunci fuori da LinkedIn", "Sì"], None, Some(Unconfirmed)),
        ("it", &["Annunci fuori da LinkedIn", "No"], None, Some(Unconfirmed)),
        ("es", &["Anuncios fuera de LinkedIn", "Desactivado"], None, Some(Unconfirmed)),
        // A word of another language, or a page that says no language.
        ("fr", &["Publicités hors de LinkedIn", "Off"], None, Some(WrongLanguage)),
        ("de", &["Ads off LinkedIn", "Off"], None, Some(WrongLanguage)),
        ("en", &["Werbung", "Aus"], None, Some(WrongLanguage)),
        ("", &["Ads off LinkedIn", "Off"], None, Some(WrongLanguage)),
    ];
    for (lang, texts, state, why) in table {
        let (rows, settled) = read(ADS, lang, vec![link(beyond, texts)]);
        assert_eq!(rows, vec![("ads-beyond-linkedin".to_string(), *state, *why)], "{lang} {texts:?}");
        assert_eq!(settled.len(), usize::from(state.is_some()), "{lang} {texts:?}");
    }
    // No row pieces: the link's own text is the row.
    let bare = LinkFact { href: beyond.into(), text: "Off".into(), row_texts: vec![] };
    assert_eq!(read(ADS, "en", vec![bare]).0[0].1, off);
}

#[test]
fn the_href_decides_never_the_title_and_decoys_are_ignored() {
    let (rows, settled) = read(ADS, "en", vec![
        // A row titled like the AI setting, linking to the age page: it is the age setting.
        link("/mypreferences/d/settings/ads-by-age", &["Data for Generative AI Improvement", "Off"]),
        // Decoys: a help link titled like a setting, an external one, the nav.
        link("/help/linkedin/answer/123", &["Ads off LinkedIn", "Off"]),
        link("https://example.com/mypreferences/d/settings/ads-by-gender", &["Gender", "Off"]),
        link("/mypreferences/d/categories/privacy", &["Data privacy", "On"]),
        link("/mypreferences/d/settings/ads-by-gender", &["Gender", "On"]),
    ]);
    assert_eq!(rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["ads-inferred-age", "ads-inferred-gender"]);
    assert_eq!(settled, ["ads-inferred-age", "ads-inferred-gender"]);
    let outcome = scan(&facts(ADS, "en", vec![link("/mypreferences/d/settings/ads-by-age", &["Data for Generative AI Improvement", "Off"])]));
    assert_eq!(outcome.observations.len(), 1);
    assert_eq!((outcome.observations[0].setting.as_str(), outcome.observations[0].observed), ("ads-inferred-age", Observed::Off));
    assert!(outcome.marks.is_empty());
}

#[test]
fn two_rows_of_one_setting_must_agree() {
    let age = "/mypreferences/d/settings/ads-by-age";
    let (_, settled) = read(ADS, "en", vec![link(age, &["Age range", "On"]), link(age, &["Age range", "On"])]);
    assert_eq!(settled, ["ads-inferred-age"]);
    // A row without a word (the nav's link) does not stand in the way.
    let (_, settled) = read(ADS, "en", vec![link(age, &["Age range"]), link(age, &["Age range", "Off"])]);
    assert_eq!(settled, ["ads-inferred-age"]);
    let (rows, settled) = read(ADS, "en", vec![link(age, &["Age range", "On"]), link(age, &["Age range", "Off"])]);
    assert!(settled.is_empty());
    assert!(rows.iter().all(|r| r.2 == Some(Unsettled::Conflicting)), "{rows:?}");
    let (_, settled) = read(ADS, "en", vec![link(age, &["Age range", "On"]), link(age, &["Age range", "On", "Off"])]);
    assert!(settled.is_empty(), "a doubtful row makes the setting doubtful");
}

#[test]
fn words_seen_ready_and_signed_out() {
    let age = "/mypreferences/d/settings/ads-by-age";
    let r = |lang: &str, links: Vec<LinkFact>, elapsed: f64| {
        category::read(&PageFacts { elapsed_ms: elapsed, ..facts(ADS, lang, links) }.category()).expect("category").0
    };
    // No catalogued link yet: still rendering, until the settle time.
    assert!(!r("en", vec![], 300.0).ready);
    assert!(!r("en", vec![link("/help", &["Help", "On"])], 300.0).ready);
    let late = r("en", vec![], 6000.0);
    assert!(late.ready && late.words == 0);
    // Links without words: read, no word.
    let plain = r("en", vec![link(age, &["Age range"])], 300.0);
    assert!(plain.ready && plain.words == 0 && plain.settled.is_empty());
    // Only confirmed words of the page's language count as words seen.
    assert_eq!(r("nl", vec![link(age, &["Leeftijd", "Uit"])], 300.0).words, 0);
    assert_eq!(r("fr", vec![link(age, &["Âge", "Off"])], 300.0).words, 0);
    assert_eq!(r("en", vec![link(age, &["Age range", "On", "Off"])], 300.0).words, 1, "two words: the layout has words");
    assert_eq!(r("en", vec![link(age, &["Age range", "Off"])], 300.0).words, 1);
    // Another tree, query strings: the same page.
    assert!(category::read(&facts("https://www.linkedin.com/mypreferences/m/categories/ads?trk=x", "en", vec![]).category()).is_some());
    assert!(category::read(&facts("https://www.linkedin.com/mypreferences/d/settings/ads-by-age", "en", vec![]).category()).is_none());
    assert!(category::read(&facts("https://example.com/mypreferences/d/categories/ads", "en", vec![]).category()).is_none());
    // A sign-in form instead: nothing settled, the job learns it is signed out.
    let signed_out = category::read(&PageFacts { login_form: true, ..facts(ADS, "en", vec![link(age, &["Age range", "Off"])]) }.category()).expect("category").0;
    assert!(signed_out.signed_out && signed_out.settled.is_empty());
    let login = "https://www.linkedin.com/login?session_redirect=%2Fmypreferences%2Fd%2Fcategories%2Fads";
    let outcome = scan(&facts(login, "en", vec![]));
    assert!(outcome.category.expect("the category page asked for").signed_out);
}

#[test]
fn a_state_read_on_a_category_page_is_stored_with_where_it_was_read_and_shown_so() {
    let outcome = scan(&facts(ADS, "en", vec![link("/mypreferences/d/settings/ads-by-age", &["Age range", "On"])]));
    let read = outcome.category.as_ref().expect("category");
    let mut stored = Stored { schema: state::SCHEMA, ..Stored::default() };
    state::apply_read(&mut stored, &outcome.observations, 1000.0, &[], Some((read.page.as_str(), read.settled.as_slice())));
    let e = stored.settings.get("ads-inferred-age").expect("entry");
    assert_eq!((e.observed, e.read_on.as_deref()), (Observed::On, Some("ads")));
    let sum = summary(&stored, 1000.0, None, &Default::default());
    let row = sum.rows.iter().find(|r| r.id == "ads-inferred-age").expect("row");
    assert_eq!(common::en(row.seen_text.as_ref().expect("seen")), "Read on LinkedIn's Advertising data page, just now");
    // Read again on its own page: it says "Checked".
    state::apply(&mut stored, &[opt_out_lens_core::detect::Observation { setting: "ads-inferred-age".into(), observed: Observed::Off }], 2000.0, &[]);
    assert_eq!(stored.settings.get("ads-inferred-age").expect("entry").read_on, None);
    let sum = summary(&stored, 2000.0, None, &Default::default());
    let row = sum.rows.iter().find(|r| r.id == "ads-inferred-age").expect("row");
    assert_eq!(common::en(row.seen_text.as_ref().expect("seen")), "Checked just now");
    assert!(by_id("ads-inferred-age").is_some());
}

#[test]
fn the_rules_words_have_their_evidence() {
    use opt_out_lens_core::catalogue::SITE;
    let confirmed: Vec<_> = SITE.category_pages.words.iter().filter(|w| w.confirmed).map(|w| (w.lang, w.text)).collect();
    assert_eq!(confirmed, [("en", "On"), ("en", "Off"), ("de", "Ein"), ("de", "Aus")]);
    assert!(SITE.category_pages.words.iter().all(|w| !w.source.is_empty()));
    for p in category::pages() {
        assert!(!common::lookup(p.msg, &[]).is_empty(), "{} has a name", p.id);
    }
}
