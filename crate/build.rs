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
    renavigate_ms: u32,
    click_verify_ms: u32,
    confirm_wait_ms: u32,
    failures: Failures,
}

/// `[site.failures]`: pages that did not load.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Failures {
    checkpoint_prefixes: Vec<String>,
    retry_wait_ms: u32,
    no_script_grace_ms: u32,
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
         page_timeout_ms: {}, click_settle_ms: {}, click_verify_ms: {}, confirm_wait_ms: {}, renavigate_ms: {} }};",
        s.origin, s.scan_prefixes, s.login_paths, s.redirect_params, s.candidate_selector,
        s.login_form_selector, s.dialog_selector, s.context_levels, s.max_text_chars, s.settle_ms,
        s.debounce_ms, s.page_timeout_ms, s.click_settle_ms, s.click_verify_ms, s.confirm_wait_ms, s.renavigate_ms
    )
    .unwrap();
    let f = &s.failures;
    assert!(f.checkpoint_prefixes.iter().all(|p| p.starts_with('/')), "rules/linkedin.toml: checkpoint prefixes must be paths");
    writeln!(
        out,
        "/// Pages that did not load.\npub static FAILURES: Failures = Failures {{ checkpoint_prefixes: &{:?}, retry_wait_ms: {}, no_script_grace_ms: {} }};",
        f.checkpoint_prefixes, f.retry_wait_ms, f.no_script_grace_ms
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

    generate_entra(); // Entra: see the section at the end of this file.
}

// ---- Entra ----------------------------------------------------------------------------
// The second generator: rules/entra.toml (the Microsoft Entra "LinkedIn account
// connections" setting) -> OUT_DIR/entra_data.rs, included by src/entra.rs. Separate from
// the LinkedIn catalogue above and built the same way: no parser in the wasm, labels
// normalised with the scan's own function, malformed rules fail the build.

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EntraRules {
    site: EntraSite,
    setting: EntraSetting,
    option: Vec<EntraOptionRule>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EntraSite {
    hosts: Vec<String>,
    frame_domains: Vec<String>,
    settings_fragments: Vec<String>,
    settings_url: String,
    group_selector: String,
    radio_selector: String,
    frame_selector: String,
    caption_selector: String,
    caption_levels: u32,
    signed_out_selector: String,
    max_text_chars: u32,
    max_groups: u32,
    max_radios: u32,
    max_frames: u32,
    settle_ms: u32,
    debounce_ms: u32,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EntraSetting {
    id: String,
    title: String,
    recommended: String,
    benchmark: String,
    source: String,
    labels: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    unconfirmed_labels: BTreeMap<String, Vec<String>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EntraOptionRule {
    id: String,
    labels: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    unconfirmed_labels: BTreeMap<String, Vec<String>>,
}

const ENTRA_OPTIONS: &[(&str, &str)] = &[("yes", "Yes"), ("selected-group", "SelectedGroup"), ("no", "No")];

fn entra_variant(value: &str) -> &'static str {
    match ENTRA_OPTIONS.iter().find(|(name, _)| *name == value) {
        Some((_, rust)) => rust,
        None => panic!("rules/entra.toml: unknown option {value:?} (known: yes, selected-group, no)"),
    }
}

/// `Label { .. }` literals for confirmed and unconfirmed texts; every text must normalise
/// to something non-empty.
fn entra_labels(what: &str, confirmed: &BTreeMap<String, Vec<String>>, unconfirmed: &BTreeMap<String, Vec<String>>) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut norms = Vec::new();
    for (is_confirmed, map) in [(true, confirmed), (false, unconfirmed)] {
        for (lang, texts) in map {
            for t in texts {
                let norm = normalize::normalize(t);
                assert!(!norm.is_empty(), "rules/entra.toml: {what}: label {t:?} ({lang}) is empty after normalising");
                write!(out, "Label {{ lang: {lang:?}, text: {t:?}, norm: {norm:?}, confirmed: {is_confirmed} }}, ").unwrap();
                norms.push(norm);
            }
        }
    }
    (out, norms)
}

fn generate_entra() {
    let rules_path = Path::new("rules/entra.toml");
    println!("cargo:rerun-if-changed={}", rules_path.display());
    let text = fs::read_to_string(rules_path).expect("read rules/entra.toml");
    let rules: EntraRules = toml::from_str(&text).unwrap_or_else(|e| panic!("rules/entra.toml: {e}"));

    let s = &rules.site;
    assert!(!s.hosts.is_empty(), "rules/entra.toml: site.hosts is empty");
    for h in &s.hosts {
        assert!(
            !h.is_empty() && *h == h.to_ascii_lowercase() && !h.contains(['/', ':', '*']),
            "rules/entra.toml: host {h:?} must be a lower-case host name"
        );
    }
    for d in &s.frame_domains {
        assert!(
            d.contains('.') && *d == d.to_ascii_lowercase() && !d.contains(['/', ':', '*']) && !d.starts_with('.'),
            "rules/entra.toml: frame domain {d:?} must be a lower-case domain name, without a wildcard"
        );
        assert!(
            !s.hosts.iter().any(|h| h == d || h.ends_with(&format!(".{d}"))),
            "rules/entra.toml: frame domain {d:?} covers a portal host: a portal is not a frame host"
        );
    }
    assert!(s.settings_url.starts_with("https://"), "rules/entra.toml: settings_url must be https");
    // Fragments are compared ignoring case: store them lower-case.
    let fragments: Vec<String> = s.settings_fragments.iter().map(|f| f.trim_start_matches(['#', '/']).to_ascii_lowercase()).collect();
    assert!(fragments.iter().all(|f| !f.is_empty()), "rules/entra.toml: empty settings fragment");
    let mut out = String::new();
    writeln!(
        out,
        "/// Where the Entra setting lives and what the content script collects.\n\
         pub static ENTRA_SITE: EntraSite = EntraSite {{ hosts: &{:?}, frame_domains: &{:?}, settings_fragments: &{:?}, settings_url: {:?}, \
         group_selector: {:?}, radio_selector: {:?}, frame_selector: {:?}, caption_selector: {:?}, caption_levels: {}, \
         signed_out_selector: {:?}, max_text_chars: {}, max_groups: {}, max_radios: {}, max_frames: {}, \
         settle_ms: {}, debounce_ms: {} }};",
        s.hosts, s.frame_domains, fragments, s.settings_url, s.group_selector, s.radio_selector, s.frame_selector, s.caption_selector, s.caption_levels,
        s.signed_out_selector, s.max_text_chars, s.max_groups, s.max_radios, s.max_frames, s.settle_ms, s.debounce_ms
    )
    .unwrap();

    let st = &rules.setting;
    assert!(!st.labels.is_empty(), "rules/entra.toml: the setting needs at least one confirmed label");
    let (labels, _) = entra_labels("setting", &st.labels, &st.unconfirmed_labels);
    writeln!(
        out,
        "/// The setting.\npub static ENTRA_SETTING: EntraSetting = EntraSetting {{ id: {:?}, title: {:?}, \
         recommended: EntraOption::{}, benchmark: {:?}, source: {:?}, labels: &[{labels}] }};",
        st.id, st.title, entra_variant(&st.recommended), st.benchmark, st.source
    )
    .unwrap();

    // Every option once; no normalised label may name two options.
    let mut seen_ids = Vec::new();
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    out.push_str("/// The options, in the order the portal shows them.\npub static ENTRA_OPTIONS: &[OptionRule] = &[\n");
    for o in &rules.option {
        let variant = entra_variant(&o.id);
        assert!(!seen_ids.contains(&o.id), "rules/entra.toml: option {} listed twice", o.id);
        seen_ids.push(o.id.clone());
        assert!(!o.labels.is_empty(), "rules/entra.toml: option {} needs at least one confirmed label", o.id);
        let (labels, norms) = entra_labels(&format!("option {}", o.id), &o.labels, &o.unconfirmed_labels);
        for n in norms {
            if let Some(other) = owner.get(&n).filter(|other| **other != o.id) {
                panic!("rules/entra.toml: label {n:?} names both option {other} and option {}", o.id);
            }
            owner.insert(n, o.id.clone());
        }
        writeln!(out, "    OptionRule {{ option: EntraOption::{variant}, labels: &[{labels}] }},").unwrap();
    }
    out.push_str("];\n");
    for (name, _) in ENTRA_OPTIONS {
        assert!(seen_ids.iter().any(|id| id == name), "rules/entra.toml: option {name} is missing");
    }

    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("entra_data.rs");
    fs::write(dest, out).expect("write entra_data.rs");
}
