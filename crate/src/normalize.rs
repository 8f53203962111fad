//! Text normalisation for matching labels across languages and page revisions.
//!
//! This file is also compiled into `build.rs`, so the catalogue's labels are stored
//! already normalised and a page's text goes through the very same function.

/// Folds text so that labels compare equal across case, accents, apostrophe styles,
/// dashes, spacing and invisible characters.
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
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{0060}' | '\u{00B4}' | '\u{2032}' => {
                out.push('\'')
            }
            '\u{2010}'..='\u{2015}' | '\u{2212}' => out.push('-'),
            '\u{00DF}' => out.push_str("ss"),
            '\u{0142}' | '\u{0141}' => out.push('l'),
            _ => out.push(fold_latin(c).unwrap_or(c.to_ascii_lowercase())),
        }
    }
    // Trailing punctuation differs between page revisions ("Label:" vs "Label").
    while out.ends_with(['.', ':', '?', '!', ' ']) {
        out.pop();
    }
    out
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
