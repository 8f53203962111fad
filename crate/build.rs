//! Turns `rules/linkedin.toml` into Rust statics, so the wasm ships no TOML parser and the
//! labels arrive already normalised. Malformed rules fail the build with the reason.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::{env, fs, path::Path};

#[path = "src/normalize.rs"]
#[allow(dead_code)]
mod normalize;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Rules {
    site: Site,
    setting: Vec<Setting>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Site {
    origin: String,
    scan_prefixes: Vec<String>,
    login_paths: Vec<String>,
    redirect_params: Vec<String>,
    candidate_selector: String,
    login_form_selector: String,
    dialog_selector: String,
    context_levels: u32,
    max_text_chars: u32,
    settle_ms: u32,
    debounce_ms: u32,
    page_timeout_ms: u32,
    click_settle_ms: u32,
    click_verify_ms: u32,
    confirm_wait_ms: u32,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Setting {
    id: String,
    title: String,
    category: String,
    paths: Vec<String>,
    keys: Vec<String>,
    protective: String,
    source: String,
    #[serde(default)]
    policy: Vec<Policy>,
    #[serde(default)]
    labels: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    unconfirmed_labels: BTreeMap<String, Vec<String>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Policy {
    kind: String,
    regions: Vec<String>,
    since: String,
}

const REGIONS: &[(&str, &str)] =
    &[("eu", "Eu"), ("uk", "Uk"), ("ch", "Ch"), ("ca", "Ca"), ("hk", "Hk"), ("us", "Us"), ("other", "Other")];

fn variant(value: &str, allowed: &[(&str, &str)], what: &str, id: &str) -> String {
    match allowed.iter().find(|(name, _)| *name == value) {
        Some((_, rust)) => rust.to_string(),
        None => panic!("rules/linkedin.toml: setting {id}: unknown {what} {value:?}"),
    }
}

fn main() {
    let rules_path = Path::new("rules/linkedin.toml");
    println!("cargo:rerun-if-changed={}", rules_path.display());
    println!("cargo:rerun-if-changed=src/normalize.rs");
    let text = fs::read_to_string(rules_path).expect("read rules/linkedin.toml");
    let rules: Rules = toml::from_str(&text).unwrap_or_else(|e| panic!("rules/linkedin.toml: {e}"));

    let mut out = String::new();
    let s = &rules.site;
    writeln!(
        out,
        "/// Site-wide rules.\npub static SITE: Site = Site {{ origin: {:?}, scan_prefixes: &{:?}, login_paths: &{:?}, \
         redirect_params: &{:?}, candidate_selector: {:?}, login_form_selector: {:?}, \
         dialog_selector: {:?}, context_levels: {}, max_text_chars: {}, settle_ms: {}, debounce_ms: {}, \
         page_timeout_ms: {}, click_settle_ms: {}, click_verify_ms: {}, confirm_wait_ms: {} }};",
        s.origin, s.scan_prefixes, s.login_paths, s.redirect_params, s.candidate_selector,
        s.login_form_selector, s.dialog_selector, s.context_levels, s.max_text_chars, s.settle_ms,
        s.debounce_ms, s.page_timeout_ms, s.click_settle_ms, s.click_verify_ms, s.confirm_wait_ms
    )
    .unwrap();

    out.push_str("/// Every catalogued setting, in catalogue order.\npub static SETTINGS: &[Setting] = &[\n");
    for st in &rules.setting {
        let category = variant(
            &st.category,
            &[("ai", "Ai"), ("sharing", "Sharing"), ("ads", "Ads"), ("research", "Research"), ("marketing", "Marketing")],
            "category",
            &st.id,
        );
        let protective = variant(&st.protective, &[("on", "On"), ("off", "Off")], "protective state", &st.id);
        let mut labels = String::new();
        for (confirmed, map) in [(true, &st.labels), (false, &st.unconfirmed_labels)] {
            for (lang, texts) in map {
                for t in texts {
                    write!(
                        labels,
                        "Label {{ lang: {lang:?}, text: {t:?}, norm: {:?}, confirmed: {confirmed} }}, ",
                        normalize::normalize(t)
                    )
                    .unwrap();
                }
            }
        }
        let mut policy = String::new();
        for p in &st.policy {
            let kind = variant(&p.kind, &[("applies", "Applies"), ("not-applied", "NotApplied"), ("opt-in", "OptIn")], "policy kind", &st.id);
            let regions: Vec<String> =
                p.regions.iter().map(|r| format!("Region::{}", variant(r, REGIONS, "region", &st.id))).collect();
            let valid_date = p.since.len() == 10 && p.since.chars().enumerate().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() });
            assert!(valid_date, "rules/linkedin.toml: setting {}: policy date {:?} is not YYYY-MM-DD", st.id, p.since);
            write!(policy, "Policy {{ kind: PolicyKind::{kind}, regions: &[{}], since: {:?} }}, ", regions.join(", "), p.since).unwrap();
        }
        // UI text lives in the i18n catalogue under names derived from the id.
        let msg = st.id.replace('-', "_");
        writeln!(
            out,
            "    Setting {{ id: {:?}, title: {:?}, category: Category::{category}, \
             paths: &{:?}, keys: &{:?}, protective: SwitchState::{protective}, \
             source: {:?}, labels: &[{labels}], policy: &[{policy}], \
             msg_short: \"setting_{msg}_short\", msg_title: \"setting_{msg}_title\", msg_meaning: \"setting_{msg}_meaning\" }},",
            st.id, st.title, st.paths, st.keys, st.source
        )
        .unwrap();
    }
    out.push_str("];\n");

    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("catalogue_data.rs");
    fs::write(dest, out).expect("write catalogue_data.rs");
}
