//! Text normalisation for matching labels across languages and page revisions.
//!
//! This file is also compiled into `build.rs`, so the catalogue's labels are stored
//! already normalised and a page's text goes through the very same function.

/// Folds text so that labels compare equal across case, accents, punctuation, spacing and
/// invisible characters, but never across words: "Social, economic, and workplace
/// research." and "Social, economic and workplace research" fold to the same text;
/// "Measure ad success" and "Measure success" do not.
///
/// Punctuation (commas, full stops, colons, semicolons, quotes and apostrophes of every
/// style, dashes and hyphens, brackets, question and exclamation marks) separates words
/// like a space, so "KI-Modellen", "KI‑Modellen" and "KI Modellen" agree, and so do
/// "l'IA", "l’IA" and "l IA". What remains is words joined by single spaces.
///
/// Case and accent folding cover ASCII, Latin-1 and Latin Extended-A (the alphabets of the
/// languages LinkedIn's settings are known in) with a small table rather than Unicode's
/// case and decomposition tables, which would add tens of kilobytes to the wasm. Letters
/// of other scripts are kept as they are, on both sides of a comparison.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() || is_punctuation(c) {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            '\u{00DF}' => out.push_str("ss"),
            '\u{0142}' | '\u{0141}' => out.push('l'),
            _ => out.push(fold_latin(c).unwrap_or(c.to_ascii_lowercase())),
        }
    }
    out
}

/// Marks that separate or decorate words without being words: ASCII and typographic
/// quotes, apostrophes, dashes, and sentence punctuation. Letters, digits and symbols such
/// as `&`, `%` or `+` are kept (they can change what a label says).
fn is_punctuation(c: char) -> bool {
    matches!(c,
        ',' | '.' | ':' | ';' | '!' | '?' | '"' | '\'' | '`' | '(' | ')' | '[' | ']' | '{' | '}' |
        '-' | '_' | '/' | '\u{00A1}' | '\u{00BF}' | '\u{00AB}' | '\u{00BB}' | '\u{00B4}' | '\u{00B7}' |
        '\u{02BC}' | '\u{2010}'..='\u{2015}' | '\u{2018}'..='\u{201F}' | '\u{2026}' | '\u{2032}' | '\u{2033}' |
        '\u{2039}' | '\u{203A}' | '\u{2212}' | '\u{2E3A}' | '\u{2E3B}' | '\u{3001}' | '\u{3002}' | '\u{FF0C}' | '\u{FF1A}')
}

/// Zero-width and bidirectional control characters: invisible on the page, so they must
/// not make two labels differ (or let a crafted label pose as another).
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' |
        '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Base letter (lower case) of an accented Latin letter, if `c` is one.
fn fold_latin(c: char) -> Option<char> {
    // Each group lists the accented forms of one base letter, upper and lower case.
    const GROUPS: &[(&str, char)] = &[
        ("ÀÁÂÃÄÅàáâãäåĀāĂăĄą", 'a'),
        ("ÇçĆćĈĉĊċČč", 'c'),
        ("ĎďĐđ", 'd'),
        ("ÈÉÊËèéêëĒēĔĕĖėĘęĚě", 'e'),
        ("ĜĝĞğĠġĢģ", 'g'),
        ("ĤĥĦħ", 'h'),
        ("ÌÍÎÏìíîïĨĩĪīĬĭĮįİı", 'i'),
        ("Ĵĵ", 'j'),
        ("Ķķ", 'k'),
        ("ĹĺĻļĽľĿŀ", 'l'),
        ("ÑñŃńŅņŇň", 'n'),
        ("ÒÓÔÕÖØòóôõöøŌōŎŏŐő", 'o'),
        ("ŔŕŖŗŘř", 'r'),
        ("ŚśŜŝŞşŠš", 's'),
        ("ŢţŤťŦŧ", 't'),
        ("ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲų", 'u'),
        ("Ŵŵ", 'w'),
        ("ÝýÿŶŷŸ", 'y'),
        ("ŹźŻżŽž", 'z'),
    ];
    if !('\u{00C0}'..='\u{017F}').contains(&c) {
        return None;
    }
    GROUPS
        .iter()
        .find(|(forms, _)| forms.contains(c))
        .map(|&(_, base)| base)
}
