//! Reads `rules/linkedin.toml` with the schema in `src/schema.rs`, checks it, and writes it
//! out twice: as Rust statics (`catalogue_data.rs`, so the wasm ships no TOML parser and the
//! labels arrive already normalised) and as `catalogue.json` for the tests. Both are
//! written from the same parsed value, so they cannot disagree. Malformed rules fail the
//! build with the reason.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::{env, fs, path::Path};

#[path = "src/normalize.rs"]
#[allow(dead_code)]
mod normalize;

/// The rule types, as owned values serde can read.
#[allow(dead_code)]
mod schema {
    pub type Str = String;
    pub type List<T> = Vec<T>;
    macro_rules! rule_structs {
        ($($item:item)*) => { $( #[derive(Debug, serde::Serialize, serde::Deserialize)] #[serde(deny_unknown_fields)] $item )* };
    }
    macro_rules! rule_enums {
        ($($item:item)*) => { $( #[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)] #[serde(rename_all = "kebab-case")] $item )* };
    }
    include!("src/schema.rs");
    pub fn default_kind() -> Kind {
        Kind::Switch
    }
    pub fn default_confirmed() -> bool {
        true
    }

    /// The whole file.
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Rules {
        pub site: Site,
        pub section: Vec<Section>,
        pub setting: Vec<Setting>,
    }
}
use schema::{Kind, Rules};

#[path = "build/literal.rs"]
mod literal;

fn fail(what: &str) -> ! {
    panic!("rules/linkedin.toml: {what}")
}

/// Derives the fields the rules do not spell out, and checks what serde cannot.
fn complete(rules: &mut Rules) {
    let site = &mut rules.site;
    site.host = site
        .origin
        .strip_prefix("https://")
        .and_then(|h| h.strip_suffix('/'))
        .filter(|h| !h.is_empty() && !h.contains(['/', ':', '@']) && *h == h.to_ascii_lowercase())
        .unwrap_or_else(|| fail("site.origin must be https://<lower-case host>/"))
        .to_string();
    for p in site.scan_prefixes.iter().chain(&site.login_paths).chain(&site.failures.checkpoint_prefixes) {
        assert!(p.starts_with('/'), "rules/linkedin.toml: path {p:?} must start with /");
    }
    for a in &site.path_aliases {
        assert!(a.from.starts_with('/') && a.to.starts_with('/') && a.from.ends_with('/') && a.to.ends_with('/'), "rules/linkedin.toml: path alias {a:?}");
    }
    for l in &site.links {
        assert!(l.path.starts_with('/'), "rules/linkedin.toml: link {:?} must be a path", l.msg);
    }
    let mut sections = HashSet::new();
    for s in &mut rules.section {
        assert!(sections.insert(s.id.clone()), "rules/linkedin.toml: section {} listed twice", s.id);
        s.msg = format!("section_{}", s.id.replace('-', "_"));
    }
    let cats = &mut rules.site.category_pages;
    let mut cat_ids = HashSet::new();
    for c in &mut cats.pages {
        assert!(cat_ids.insert(c.id.clone()), "rules/linkedin.toml: category page {} listed twice", c.id);
        assert!(c.path.starts_with('/'), "rules/linkedin.toml: category page {} must be a path", c.id);
        assert!(!c.source.trim().is_empty(), "rules/linkedin.toml: category page {} has no source", c.id);
        for sec in &c.sections {
            assert!(sections.contains(sec), "rules/linkedin.toml: category page {}: unknown section {sec:?}", c.id);
        }
        c.msg = format!("categoryPage_{}", c.id.replace('-', "_"));
    }
    let mut word_owner: BTreeMap<(String, String), schema::SwitchState> = BTreeMap::new();
    for w in &mut cats.words {
        w.norm = normalize::normalize(&w.text);
        assert!(!w.norm.is_empty() && !w.norm.contains(' '), "rules/linkedin.toml: state word {:?} must be one word", w.text);
        assert!(!w.source.trim().is_empty(), "rules/linkedin.toml: state word {:?} has no source", w.text);
        assert!(!w.lang.is_empty() && w.lang == w.lang.to_ascii_lowercase() && !w.lang.contains('-'), "rules/linkedin.toml: state word {:?}: lang must be a primary language subtag", w.text);
        // A word says one state in its language.
        if let Some(other) = word_owner.insert((w.lang.clone(), w.norm.clone()), w.state) {
            assert!(other == w.state, "rules/linkedin.toml: state word {:?} ({}) says both states", w.text, w.lang);
        }
    }
    let ids: HashSet<String> = rules.setting.iter().map(|s| s.id.clone()).collect();
    assert_eq!(ids.len(), rules.setting.len(), "rules/linkedin.toml: a setting id is listed twice");
    let o = &rules.site.objection;
    assert!(o.path.starts_with('/') && ids.contains(&o.setting) && !o.regions.is_empty() && !o.source.trim().is_empty(), "rules/linkedin.toml: site.objection needs a path, a catalogued setting, regions and a source");
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    for st in &mut rules.setting {
        let id = st.id.clone();
        assert!(sections.contains(&st.section), "rules/linkedin.toml: setting {id}: unknown section {:?}", st.section);
        for other in &st.turns_off {
            assert!(ids.contains(other) && *other != id, "rules/linkedin.toml: setting {id}: turns_off names {other:?}");
        }
        if let Some(p) = &st.show_path {
            assert!(p.starts_with('/'), "rules/linkedin.toml: setting {id}: show_path must be a path");
        }
        for p in &st.policy {
            let valid_date = p.since.len() == 10
                && p.since.chars().enumerate().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() });
            assert!(valid_date, "rules/linkedin.toml: setting {id}: policy date {:?} is not YYYY-MM-DD", p.since);
        }
        let findable = !st.paths.is_empty() || !st.keys.is_empty() || !st.element_ids.is_empty() || st.labels.iter().any(|l| l.confirmed);
        assert!(findable, "rules/linkedin.toml: setting {id} can never be found (no path, key, element id or confirmed label)");
        if st.kind == Kind::Connection {
            assert!(!st.paths.is_empty() && st.labels.iter().any(|l| l.confirmed), "rules/linkedin.toml: connection {id} needs a page and a confirmed entry name");
        }
        for l in &mut st.labels {
            l.norm = normalize::normalize(&l.text);
            assert!(!l.norm.is_empty(), "rules/linkedin.toml: setting {id}: label {:?} is empty after normalising", l.text);
            assert!(!l.source.trim().is_empty(), "rules/linkedin.toml: setting {id}: label {:?} has no source", l.text);
            // A confirmed label names one setting only (a connection's entry names are another namespace).
            if l.confirmed && st.kind == Kind::Switch {
                if let Some(other) = owner.get(&l.norm).filter(|o| **o != id) {
                    fail(&format!("label {:?} names both {other} and {id}", l.text));
                }
                owner.insert(l.norm.clone(), id.clone());
            }
        }
        // UI text lives in the i18n catalogue under names derived from the id.
        let msg = id.replace('-', "_");
        st.msg_short = format!("setting_{msg}_short");
        st.msg_title = format!("setting_{msg}_title");
        st.msg_meaning = format!("setting_{msg}_meaning");
    }
}

fn main() {
    let rules_path = Path::new("rules/linkedin.toml");
    for f in ["rules/linkedin.toml", "src/normalize.rs", "src/schema.rs", "build/literal.rs"] {
        println!("cargo:rerun-if-changed={f}");
    }
    let text = fs::read_to_string(rules_path).expect("read rules/linkedin.toml");
    let mut rules: Rules = toml::from_str(&text).unwrap_or_else(|e| fail(&e.to_string()));
    complete(&mut rules);

    let mut out = String::new();
    let lit = |v: &dyn erased::Lit| v.lit();
    writeln!(out, "/// Site-wide rules.\npub static SITE: Site = {};", lit(&rules.site)).unwrap();
    writeln!(out, "/// The sections, in the order the popup shows them.\npub static SECTIONS: &[Section] = {};", lit(&rules.section)).unwrap();
    writeln!(out, "/// Every catalogued setting, in catalogue order.\npub static SETTINGS: &[Setting] = {};", lit(&rules.setting)).unwrap();
    let out_dir = env::var("OUT_DIR").expect("OUT_DIR");
    fs::write(Path::new(&out_dir).join("catalogue_data.rs"), out).expect("write catalogue_data.rs");

    // The same data for the tests: every message name the catalogue implies, too.
    let mut messages: Vec<String> = rules.section.iter().map(|s| s.msg.clone()).collect();
    for s in &rules.setting {
        messages.extend([s.msg_short.clone(), s.msg_title.clone(), s.msg_meaning.clone()]);
    }
    messages.extend(rules.site.links.iter().map(|l| l.msg.clone()));
    messages.extend(rules.site.category_pages.pages.iter().map(|c| c.msg.clone()));
    let json = serde_json::json!({
        "site": rules.site,
        "sections": rules.section,
        "settings": rules.setting,
        "messages": messages,
    });
    fs::write(Path::new(&out_dir).join("catalogue.json"), serde_json::to_string_pretty(&json).expect("json") + "\n")
        .expect("write catalogue.json");

    generate_entra(); // Entra: see the section at the end of this file.
}

/// `value.lit()`: any serialisable rule value as a Rust expression.
mod erased {
    pub trait Lit {
        fn lit(&self) -> String;
    }
    impl<T: serde::Serialize> Lit for T {
        fn lit(&self) -> String {
            crate::literal::to_rust(self).unwrap_or_else(|e| panic!("rules/linkedin.toml: cannot write as Rust: {e}"))
        }
    }
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
         recommended: EntraOption::{}, benchmark: {:?}, source: source!({:?}), labels: &[{labels}] }};",
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
