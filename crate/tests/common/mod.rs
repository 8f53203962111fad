//! Renders the core's texts in English from the extension's own i18n catalogue, so tests
//! read as sentences and check that every message the core names exists.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::OnceLock;

use opt_out_lens_core::text::Text;

/// The English messages: name -> message.
pub fn english() -> &'static HashMap<String, String> {
    static MESSAGES: OnceLock<HashMap<String, String>> = OnceLock::new();
    MESSAGES.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../extension/_locales/en/messages.json");
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("en messages")).expect("json");
        json.as_object()
            .expect("object")
            .iter()
            .map(|(k, v)| (k.clone(), v["message"].as_str().expect("message").to_string()))
            .collect()
    })
}

/// Looks a message up like `i18n.getMessage`: `$1`… replaced by the substitutions.
pub fn lookup(key: &str, args: &[String]) -> String {
    let mut text = english().get(key).unwrap_or_else(|| panic!("no English message {key:?}")).clone();
    for (i, a) in args.iter().enumerate().rev() {
        text = text.replace(&format!("${}", i + 1), a);
    }
    text
}

/// `text` in English.
pub fn en(text: &Text) -> String {
    text.render(&mut lookup)
}
