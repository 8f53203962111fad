//! LinkedIn's category pages (`/mypreferences/d/categories/ads`, …): each setting is a link
//! to its own page, with its state as a word beside it ("On" / "Off", de "Ein" / "Aus").
//! "Check all" reads them first and visits the own pages only of the settings they did not
//! settle (see `job.rs`).
//!
//! The page script reports plain facts about each link (its `href` as written, its text,
//! the text pieces of its row) and the page's `lang`; everything is decided here:
//!
//! - The href names the setting, never the row's title: relative or absolute, in any page
//!   tree (`/mypreferences/m/…` is `/mypreferences/d/…`), query and fragment aside. A link
//!   to a page that is no catalogued setting's own page, or is the page of two settings
//!   (the promotions page), is ignored.
//! - A state word is a whole text piece of the row equal (after [`normalize`]) to a word of
//!   the rules. Only a confirmed word of the page's language settles a setting. No word, a
//!   word that is no state ("3 selected", "Custom"), an unconfirmed word, a word of another
//!   language, two state words in one row, or two rows of one setting that disagree: the
//!   setting is left to its own page, never guessed. A wrong "off" is the one thing this
//!   must never produce.

use serde::{Deserialize, Serialize};

use crate::catalogue::{CategoryPage, Kind, Setting, StateText, SwitchState, SETTINGS, SITE};
use crate::normalize::normalize;
use crate::url::{same_path, Location};

/// The category page rules.
pub fn pages() -> &'static [CategoryPage] {
    SITE.category_pages.pages
}

/// The category page with this id.
pub fn page(id: &str) -> Option<&'static CategoryPage> {
    pages().iter().find(|p| p.id == id)
}

/// The category page at `path` (in any mirrored tree).
pub fn page_at(path: &str) -> Option<&'static CategoryPage> {
    pages().iter().find(|p| same_path(p.path, path))
}

/// The settings a category page can settle: switches of its sections whose own page is
/// theirs alone (a link to a page of two settings cannot say which one its word is about).
pub fn readable_settings(page: &CategoryPage) -> impl Iterator<Item = &'static Setting> + '_ {
    SETTINGS.iter().filter(|s| page.sections.contains(&s.section) && s.kind == Kind::Switch && !s.paths.is_empty() && own_page_alone(s))
}

fn own_page_alone(s: &Setting) -> bool {
    s.paths.iter().all(|p| SETTINGS.iter().filter(|o| o.paths.iter().any(|q| same_path(p, q))).count() == 1)
}

/// What the page script reports about one link on a settings page; every field may be absent.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LinkFact {
    /// The `href` attribute as written (relative or absolute).
    pub href: String,
    /// The link's text.
    pub text: String,
    /// The text pieces (text nodes) of the link's row: the highest ancestor, within the
    /// rules' levels, that holds no other link; the link's own pieces when there is none.
    pub row_texts: Vec<String>,
}

/// Why a listed setting was not settled by its row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unsettled {
    /// No piece of the row is a state word ("3 selected", "Custom", nothing at all).
    NoWord,
    /// More than one piece of the row is a state word.
    TwoWords,
    /// The word is one of the page's language, but its evidence is weak.
    Unconfirmed,
    /// The word is not one of the page's language (or the page says no language).
    WrongLanguage,
    /// Two rows of the setting say different things.
    Conflicting,
}

/// One link row that names a catalogued setting, as read.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowReading {
    /// Setting id.
    pub setting: &'static str,
    /// The state its row says, when it settles the setting.
    pub state: Option<SwitchState>,
    /// Why it does not.
    pub why: Option<Unsettled>,
    /// Whether the row shows a confirmed state word of the page's language (settled or not).
    pub word: bool,
}

/// The page facts a category page is read from (a scan's, which hands them over).
#[derive(Clone, Copy, Debug)]
pub struct CategoryFacts<'a> {
    /// `location.href`.
    pub url: &'a str,
    /// `document.documentElement.lang`.
    pub lang: &'a str,
    /// The page's links.
    pub links: &'a [LinkFact],
    /// Whether a sign-in form is on the page.
    pub login_form: bool,
    /// Milliseconds since the page loaded or was navigated to in-app.
    pub elapsed_ms: f64,
}

/// What a category page told (read back from the scan's outcome; every field may be absent).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CategoryRead {
    /// The category page's id.
    pub page: String,
    /// Whether the page can be read now: it lists a catalogued setting, or it has had the
    /// time a page gets to settle (a page still rendering lists nothing yet).
    pub ready: bool,
    /// Rows of catalogued settings with a confirmed state word of the page's language. None
    /// at all: LinkedIn's layout (or the language) is not one the rules know.
    pub words: u32,
    /// A sign-in form is shown instead.
    pub signed_out: bool,
    /// The settings it settled (their states are the scan's observations).
    pub settled: Vec<String>,
    /// Per row of a catalogued setting, how it was read (native only: tests and reports).
    #[serde(skip)]
    pub rows: Vec<RowReading>,
}


/// Reads a category page: `None` when the page is not one. The settled settings come back
/// with the states their rows say (the scan's observations), the page's reading beside them.
pub fn read(facts: &CategoryFacts) -> Option<(CategoryRead, Vec<(&'static str, SwitchState)>)> {
    let loc = Location::parse(facts.url).filter(Location::is_linkedin)?;
    let page = page_at(&loc.path)?;
    let lang = primary_lang(facts.lang);
    let rules = &SITE.category_pages;
    let mut rows = Vec::new();
    for link in facts.links.iter().take(rules.max_links as usize) {
        let Some(setting) = setting_of(&link.href, &loc) else { continue };
        let pieces: Vec<&String> = if link.row_texts.is_empty() { vec![&link.text] } else { link.row_texts.iter().collect() };
        rows.push(read_row(setting, &pieces[..pieces.len().min(rules.max_row_texts as usize)], &lang));
    }
    let mut read = CategoryRead {
        page: page.id.into(),
        ready: !rows.is_empty() || facts.login_form || facts.elapsed_ms >= f64::from(SITE.settle_ms),
        words: 0,
        signed_out: facts.login_form,
        settled: Vec::new(),
        rows: Vec::new(),
    };
    let mut settled = Vec::new();
    if read.signed_out {
        return Some((read, settled));
    }
    read.words = rows.iter().filter(|r| r.word).count() as u32;
    // One answer per setting: every row that says something must say the same.
    let mut ids: Vec<&'static str> = rows.iter().map(|r| r.setting).collect();
    ids.dedup();
    for id in ids.iter().copied().collect::<std::collections::BTreeSet<_>>() {
        let mine: Vec<&RowReading> = rows.iter().filter(|r| r.setting == id).collect();
        let doubtful = mine.iter().any(|r| matches!(r.why, Some(Unsettled::TwoWords | Unsettled::Unconfirmed | Unsettled::WrongLanguage)));
        let states: Vec<SwitchState> = mine.iter().filter_map(|r| r.state).collect();
        match states.first() {
            Some(&first) if !doubtful && states.iter().all(|&s| s == first) => {
                read.settled.push(id.into());
                settled.push((id, first));
            }
            Some(_) => {
                for r in rows.iter_mut().filter(|r| r.setting == id && r.state.is_some()) {
                    r.state = None;
                    r.why = Some(Unsettled::Conflicting);
                }
            }
            None => {}
        }
    }
    read.rows = rows;
    Some((read, settled))
}

/// The primary language subtag of `<html lang>`, lower case: "de-DE" → "de".
pub fn primary_lang(lang: &str) -> String {
    lang.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase()
}

/// How one row reads: its pieces that are state words (of any language) decide.
fn read_row(setting: &'static Setting, pieces: &[&String], lang: &str) -> RowReading {
    let words: &[StateText] = SITE.category_pages.words;
    let found: Vec<Vec<&StateText>> = pieces
        .iter()
        .map(|p| normalize(p))
        .filter(|n| !n.is_empty())
        .map(|n| words.iter().filter(|w| w.norm == n).collect::<Vec<_>>())
        .filter(|m| !m.is_empty())
        .collect();
    let word = found.iter().flatten().any(|w| w.confirmed && w.lang == lang);
    let row = |state, why| RowReading { setting: setting.id, state, why, word };
    match found.as_slice() {
        [] => row(None, Some(Unsettled::NoWord)),
        [one] => {
            let mine: Vec<&&StateText> = one.iter().filter(|w| w.lang == lang).collect();
            match mine.iter().find(|w| w.confirmed) {
                Some(w) => row(Some(w.state), None),
                None if !mine.is_empty() => row(None, Some(Unsettled::Unconfirmed)),
                None => row(None, Some(Unsettled::WrongLanguage)),
            }
        }
        _ => row(None, Some(Unsettled::TwoWords)),
    }
}

/// The catalogued setting a link's href names: the one setting, a switch, whose own page
/// it is. Anything else (another page, a page of two settings, another site) is `None`.
pub fn setting_of(href: &str, base: &Location) -> Option<&'static Setting> {
    let path = resolve(href, base)?;
    let mut named = SETTINGS.iter().filter(|s| s.paths.iter().any(|p| same_path(p, &path)));
    match (named.next(), named.next()) {
        (Some(one), None) if one.kind == Kind::Switch => Some(one),
        _ => None,
    }
}

/// The path an href leads to on LinkedIn, resolved against the page's location; `None`
/// for another site, another scheme, or a link within the page.
pub fn resolve(href: &str, base: &Location) -> Option<String> {
    let h = href.trim();
    let scheme_end = h.find(':');
    let first_sep = h.find(['/', '?', '#']);
    let absolute = match (scheme_end, first_sep) {
        (Some(c), Some(s)) if c < s => true,
        (Some(_), None) => true,
        _ => false,
    };
    let url = if absolute {
        h.to_string()
    } else if let Some(rest) = h.strip_prefix("//") {
        format!("https://{rest}")
    } else if h.starts_with('/') {
        SITE.at(h)
    } else if h.is_empty() || h.starts_with(['?', '#']) {
        return None;
    } else {
        let dir = &base.path[..base.path.rfind('/').map_or(0, |i| i + 1)];
        SITE.at(&format!("{}{h}", if dir.is_empty() { "/" } else { dir }))
    };
    let loc = Location::parse(&url).filter(Location::is_linkedin)?;
    Some(remove_dots(&loc.path))
}

/// `a/./b/../c` → `a/c`, as a browser resolves a path.
fn remove_dots(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *seg {
            "." => {
                if last {
                    out.push("");
                }
            }
            ".." => {
                out.pop();
                if last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    format!("/{}", out.join("/"))
}
