//! Scrubbing personal data from what "Report a problem" keeps: text shaped like contact
//! details ([`clean`]), and the member's own identity ([`Identity`]).
//!
//! The member's identity:
//!
//! LinkedIn's settings pages carry the member's name: the global nav links their profile
//! (`/in/<slug>`), "Profile viewing options" offers their name and headline as its first
//! choice, and any label or heading may name them ("Show Jane Q. Example's activity…").
//! No pattern finds a name, so the page script sends the strings the page itself gives as
//! the member's (see the rules' `profile_path_prefix` and `identity_selector`). They are
//! used here, once, to replace every occurrence (ignoring case and the spacing between
//! words) with [`MEMBER`] in each text a page record holds, and are never stored: a record
//! is scrubbed before it is remembered, so the report, its JSON and its Markdown, which are
//! built from remembered records only, never see them.
//!
//! What counts as the member's, from the strings sent:
//! - each whole string of at least [`MIN_CHARS`] characters (a name, a headline, a slug,
//!   also percent-decoded);
//! - each word (and each part of a hyphenated word) of at least [`MIN_CHARS`] letters of a
//!   name-shaped string (two to four words, each starting with a capital letter), so a
//!   label with only the first or last name is scrubbed too.
//!
//! Keys, roles, states and the rest of a label stay: only the matched characters go.

use crate::catalogue::SITE;
use super::PageRecord;

/// Stands where the member's identity was removed.
pub const MEMBER: &str = "[member]";
/// Strings (and name words) shorter than this are not scrubbed: "Me" is LinkedIn's menu,
/// not a name.
pub const MIN_CHARS: usize = 3;
/// Longest identity string used.
const MAX_CHARS: usize = 200;

/// The member's identity strings, ready to scrub with (lower-cased, longest first).
#[derive(Debug, Default)]
pub struct Identity {
    needles: Vec<Vec<char>>,
}

impl Identity {
    /// From the strings the page script gathered (at most the rules' `max_identity`).
    pub fn new(strings: &[String]) -> Identity {
        let mut needles: Vec<Vec<char>> = Vec::new();
        let mut add = |s: &str| {
            let words: Vec<&str> = s.split_whitespace().collect();
            let joined = words.join(" ");
            let chars: Vec<char> = joined.chars().flat_map(char::to_lowercase).collect();
            if chars.len() >= MIN_CHARS && chars.len() <= MAX_CHARS && !needles.contains(&chars) {
                needles.push(chars);
            }
        };
        for s in strings.iter().take(SITE.max_identity as usize) {
            add(s);
            let decoded = crate::url::percent_decode(s);
            if decoded != *s {
                add(&decoded);
            }
            let words: Vec<&str> = s.split_whitespace().collect();
            let name_shaped = (2..=4).contains(&words.len()) && words.iter().all(|w| w.chars().next().is_some_and(char::is_uppercase));
            if name_shaped {
                // Each word, and each part of a hyphenated one ("Vartabedian-Nakamura").
                for w in words.iter().flat_map(|w| std::iter::once(*w).chain(w.split('-'))) {
                    let w = w.trim_matches(|c: char| !c.is_alphanumeric());
                    if w.chars().filter(|c| c.is_alphabetic()).count() >= MIN_CHARS {
                        add(w);
                    }
                }
            }
        }
        // Longest first: "Jane Q. Example" goes whole before "Jane" could split it.
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        Identity { needles }
    }

    /// Whether there is nothing to scrub.
    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// `text` with every occurrence of the member's identity replaced by [`MEMBER`].
    pub fn scrub(&self, text: &str) -> String {
        if self.needles.is_empty() {
            return text.to_string();
        }
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < chars.len() {
            match self.needles.iter().find_map(|n| match_at(&chars, i, n)) {
                Some(len) => {
                    out.push_str(MEMBER);
                    i += len;
                }
                None => {
                    out.push(chars[i]);
                    i += 1;
                }
            }
        }
        out
    }
}

/// How many characters of `text` from `start` match `needle` (lower-cased), ignoring case;
/// a space in the needle matches any run of whitespace.
fn match_at(text: &[char], start: usize, needle: &[char]) -> Option<usize> {
    let mut k = 0;
    let mut j = start;
    while k < needle.len() {
        let c = *text.get(j)?;
        if needle[k] == ' ' {
            if !c.is_whitespace() {
                return None;
            }
            while text.get(j).is_some_and(|c| c.is_whitespace()) {
                j += 1;
            }
            k += 1;
            continue;
        }
        for lc in c.to_lowercase() {
            if needle.get(k) != Some(&lc) {
                return None;
            }
            k += 1;
        }
        j += 1;
    }
    Some(j - start)
}

/// A page record with the member's identity scrubbed from every text it holds: its path,
/// language, heading, and each candidate's tag, type, role, id, keys, `aria-checked` and
/// label. Setting ids and the core's decisions come from the catalogue and stay.
pub fn record(mut r: PageRecord, id: &Identity) -> PageRecord {
    if id.is_empty() {
        return r;
    }
    let s = |t: &mut String| *t = id.scrub(t);
    s(&mut r.path);
    s(&mut r.lang);
    s(&mut r.heading);
    for c in &mut r.candidates {
        s(&mut c.tag);
        s(&mut c.id);
        s(&mut c.label);
        c.input_type.iter_mut().for_each(s);
        c.role.iter_mut().for_each(s);
        c.aria_checked.iter_mut().for_each(s);
        c.aria_keys.iter_mut().for_each(s);
        c.why_not.iter_mut().for_each(s);
    }
    r
}

/// Stands where text shaped like personal data was removed.
pub const REMOVED: &str = "[removed]";

/// Truncates `text` to `max` characters on one line, with anything shaped like an e-mail
/// address, a phone number or a web address replaced by [`REMOVED`].
pub fn clean(text: &str, max: usize) -> String {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| if looks_personal(w) { REMOVED.to_string() } else { w.to_string() })
        .collect();
    let mut joined = words.join(" ");
    joined = remove_phone_numbers(&joined);
    let mut out: String = joined.chars().take(max).collect();
    if joined.chars().count() > max {
        out.push('…');
    }
    out
}

fn looks_personal(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    let email = w.split_once('@').is_some_and(|(a, b)| !a.is_empty() && b.contains('.'));
    let handle = w.starts_with('@') && w.len() > 2;
    let web = w.contains("://") || w.starts_with("www.") || w.contains("linkedin.com") || w.contains("/in/");
    email || handle || web
}

/// Replaces runs of 7 or more digits (allowing spaces, dots, dashes, brackets and a
/// leading +) with [`REMOVED`].
fn remove_phone_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let mut j = i;
            let mut digits = 0;
            let mut last_digit = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || " .-()+/".contains(chars[j])) {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                    last_digit = j;
                }
                j += 1;
            }
            if digits >= 7 {
                out.push_str(REMOVED);
                i = last_digit + 1;
                continue;
            }
            out.extend(&chars[i..=last_digit]);
            i = last_digit + 1;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}
