//! Reads `rules/linkedin.toml` and `rules/entra.toml` with the shapes declared in
//! `src/schema.rs` and `src/entra_schema.rs`, checks them, and writes them out: as Rust
//! statics (`catalogue_data.rs`, `entra_data.rs`: no parser in the wasm, labels already
//! normalised with the scan's own function) and, for the LinkedIn catalogue, as
//! `catalogue.json` for the tests. The statics are written by `databake` from the same
//! parsed values that serde writes as JSON, so the two cannot disagree; nothing here writes
//! Rust or JSON by hand. Malformed rules fail the build with the reason.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::{env, fs, path::Path};

use databake::Bake;

#[path = "src/normalize.rs"]
#[allow(dead_code)]
mod normalize;

/// The rules' values as build.rs holds them: read from TOML as owned values (serde), written
/// as the statics' `&'static` values (databake).
mod baked {
    use databake::{Bake, BakeSize, CrateEnv, TokenStream};
    use serde::{Deserialize, Serialize};
    use std::fmt;
    use std::ops::{Deref, DerefMut};

    /// A text (`&'static str` in the crate).
    #[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(transparent)]
    pub struct Str(pub String);

    /// A list (`&'static [T]` in the crate).
    #[derive(Debug, Serialize, Deserialize)]
    #[serde(transparent)]
    pub struct List<T>(pub Vec<T>);

    /// Where a fact came from (`&'static str` in the crate, empty in the wasm).
    #[derive(Debug, Default, Serialize, Deserialize)]
    #[serde(transparent)]
    pub struct Source(pub String);

    // databake writes each as the crate's type: `String` and `Vec` would bake as values
    // built at run time, so they bake as their borrowed forms.
    impl Bake for Str {
        fn bake(&self, env: &CrateEnv) -> TokenStream {
            self.0.as_str().bake(env)
        }
    }
    impl<T: Bake> Bake for List<T> {
        fn bake(&self, env: &CrateEnv) -> TokenStream {
            self.0.as_slice().bake(env)
        }
    }
    impl Bake for Source {
        /// Through `source!` (src/lib.rs), which leaves it out of the wasm.
        fn bake(&self, env: &CrateEnv) -> TokenStream {
            let text = self.0.as_str().bake(env);
            databake::quote!(source!(#text))
        }
    }
    impl BakeSize for Str {
        fn borrows_size(&self) -> usize {
            self.0.len()
        }
    }
    impl<T: BakeSize> BakeSize for List<T> {
        fn borrows_size(&self) -> usize {
            self.0.as_slice().borrows_size()
        }
    }
    impl BakeSize for Source {
        fn borrows_size(&self) -> usize {
            self.0.len()
        }
    }

    impl Deref for Str {
        type Target = str;
        fn deref(&self) -> &str {
            &self.0
        }
    }
    impl fmt::Debug for Str {
        fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
            self.0.fmt(f)
        }
    }
    impl fmt::Display for Str {
        fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
            self.0.fmt(f)
        }
    }
    impl From<String> for Str {
        fn from(s: String) -> Str {
            Str(s)
        }
    }
    impl<T> Default for List<T> {
        fn default() -> Self {
            List(Vec::new())
        }
    }
    impl<T> Deref for List<T> {
        type Target = Vec<T>;
        fn deref(&self) -> &Vec<T> {
            &self.0
        }
    }
    impl<T> DerefMut for List<T> {
        fn deref_mut(&mut self) -> &mut Vec<T> {
            &mut self.0
        }
    }
    impl Deref for Source {
        type Target = str;
        fn deref(&self) -> &str {
            &self.0
        }
    }
}

/// The LinkedIn rule types.
#[allow(dead_code)]
mod schema {
    pub use crate::baked::{List, Source, Str};
    macro_rules! rule_structs {
        ($($item:item)*) => { $(
            #[derive(Debug, serde::Serialize, serde::Deserialize, databake::Bake)]
            #[serde(deny_unknown_fields)]
            #[databake(path = crate::catalogue)]
            $item
        )* };
    }
    macro_rules! rule_enums {
        ($($item:item)*) => { $(
            #[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, databake::Bake)]
            #[serde(rename_all = "kebab-case")]
            #[databake(path = crate::catalogue)]
            $item
        )* };
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
use schema::{Kind, Rules, Str};

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
        .to_string()
        .into();
    for p in site.scan_prefixes.iter().chain(site.login_paths.iter()).chain(site.failures.checkpoint_prefixes.iter()) {
        assert!(p.starts_with('/'), "rules/linkedin.toml: path {p:?} must start with /");
    }
    for a in site.path_aliases.iter() {
        assert!(a.from.starts_with('/') && a.to.starts_with('/') && a.from.ends_with('/') && a.to.ends_with('/'), "rules/linkedin.toml: path alias {a:?}");
    }
    for l in site.links.iter() {
        assert!(l.path.starts_with('/'), "rules/linkedin.toml: link {:?} must be a path", l.msg);
    }
    let mut sections = HashSet::new();
    for s in &mut rules.section {
        assert!(sections.insert(s.id.clone()), "rules/linkedin.toml: section {} listed twice", s.id);
        s.msg = format!("section_{}", s.id.replace('-', "_")).into();
    }
    let cats = &mut rules.site.category_pages;
    let mut cat_ids = HashSet::new();
    for c in cats.pages.iter_mut() {
        assert!(cat_ids.insert(c.id.clone()), "rules/linkedin.toml: category page {} listed twice", c.id);
        assert!(c.path.starts_with('/'), "rules/linkedin.toml: category page {} must be a path", c.id);
        assert!(!c.source.trim().is_empty(), "rules/linkedin.toml: category page {} has no source", c.id);
        for sec in c.sections.iter() {
            assert!(sections.contains(sec), "rules/linkedin.toml: category page {}: unknown section {sec:?}", c.id);
        }
        c.msg = format!("categoryPage_{}", c.id.replace('-', "_")).into();
    }
    let mut word_owner: BTreeMap<(Str, Str), schema::SwitchState> = BTreeMap::new();
    for w in cats.words.iter_mut() {
        w.norm = normalize::normalize(&w.text).into();
        assert!(!w.norm.is_empty() && !w.norm.contains(' '), "rules/linkedin.toml: state word {:?} must be one word", w.text);
        assert!(!w.source.trim().is_empty(), "rules/linkedin.toml: state word {:?} has no source", w.text);
        assert!(!w.lang.is_empty() && *w.lang == w.lang.to_ascii_lowercase() && !w.lang.contains('-'), "rules/linkedin.toml: state word {:?}: lang must be a primary language subtag", w.text);
        // A word says one state in its language.
        if let Some(other) = word_owner.insert((w.lang.clone(), w.norm.clone()), w.state) {
            assert!(other == w.state, "rules/linkedin.toml: state word {:?} ({}) says both states", w.text, w.lang);
        }
    }
    let ids: HashSet<Str> = rules.setting.iter().map(|s| s.id.clone()).collect();
    assert_eq!(ids.len(), rules.setting.len(), "rules/linkedin.toml: a setting id is listed twice");
    let o = &rules.site.objection;
    assert!(o.path.starts_with('/') && ids.contains(&o.setting) && !o.regions.is_empty(), "rules/linkedin.toml: site.objection needs a path, a catalogued setting and regions");
    let mut owner: BTreeMap<Str, String> = BTreeMap::new();
    for st in &mut rules.setting {
        let id = st.id.to_string();
        assert!(sections.contains(&st.section), "rules/linkedin.toml: setting {id}: unknown section {:?}", st.section);
        for other in st.turns_off.iter() {
            assert!(ids.contains(other) && other.0 != id, "rules/linkedin.toml: setting {id}: turns_off names {other:?}");
        }
        if let Some(p) = &st.show_path {
            assert!(p.starts_with('/'), "rules/linkedin.toml: setting {id}: show_path must be a path");
        }
        for p in st.policy.iter() {
            let valid_date = p.since.len() == 10
                && p.since.chars().enumerate().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() });
            assert!(valid_date, "rules/linkedin.toml: setting {id}: policy date {:?} is not YYYY-MM-DD", p.since);
        }
        let findable = !st.paths.is_empty() || !st.keys.is_empty() || !st.element_ids.is_empty() || st.labels.iter().any(|l| l.confirmed);
        assert!(findable, "rules/linkedin.toml: setting {id} can never be found (no path, key, element id or confirmed label)");
        if st.kind == Kind::Connection {
            assert!(!st.paths.is_empty() && st.labels.iter().any(|l| l.confirmed), "rules/linkedin.toml: connection {id} needs a page and a confirmed entry name");
        }
        for l in st.labels.iter_mut() {
            l.norm = normalize::normalize(&l.text).into();
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
        st.msg_short = format!("setting_{msg}_short").into();
        st.msg_title = format!("setting_{msg}_title").into();
        st.msg_meaning = format!("setting_{msg}_meaning").into();
    }
}

fn main() {
    let rules_path = Path::new("rules/linkedin.toml");
    for f in ["rules/linkedin.toml", "src/normalize.rs", "src/schema.rs"] {
        println!("cargo:rerun-if-changed={f}");
    }
    let text = fs::read_to_string(rules_path).expect("read rules/linkedin.toml");
    let mut rules: Rules = toml::from_str(&text).unwrap_or_else(|e| fail(&e.to_string()));
    complete(&mut rules);

    let env = databake::CrateEnv::default();
    let mut out = String::new();
    writeln!(out, "/// Site-wide rules.\npub static SITE: Site = {};", rules.site.bake(&env)).unwrap();
    writeln!(out, "/// The sections, in the order the popup shows them.\npub static SECTIONS: &[Section] = {};", rules.section.as_slice().bake(&env)).unwrap();
    writeln!(out, "/// Every catalogued setting, in catalogue order.\npub static SETTINGS: &[Setting] = {};", rules.setting.as_slice().bake(&env)).unwrap();
    let out_dir = env::var("OUT_DIR").expect("OUT_DIR");
    fs::write(Path::new(&out_dir).join("catalogue_data.rs"), out).expect("write catalogue_data.rs");

    // The same data for the tests: every message name the catalogue implies, too.
    let mut messages: Vec<String> = rules.section.iter().map(|s| s.msg.to_string()).collect();
    for s in &rules.setting {
        messages.extend([s.msg_short.to_string(), s.msg_title.to_string(), s.msg_meaning.to_string()]);
    }
    messages.extend(rules.site.links.iter().map(|l| l.msg.to_string()));
    messages.extend(rules.site.category_pages.pages.iter().map(|c| c.msg.to_string()));
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

// ---- Entra ----------------------------------------------------------------------------
// The second generator: rules/entra.toml (the Microsoft Entra "LinkedIn account
// connections" setting) -> OUT_DIR/entra_data.rs, included by src/entra.rs. Separate from
// the LinkedIn catalogue above and built the same way: no parser in the wasm, labels
// normalised with the scan's own function, malformed rules fail the build.

/// The Entra statics' types (src/entra_schema.rs).
#[allow(dead_code)]
mod entra {
    pub use crate::baked::{List, Source, Str};
    macro_rules! entra_structs {
        ($($item:item)*) => { $(
            #[derive(Debug, serde::Deserialize, databake::Bake)]
            #[serde(deny_unknown_fields)]
            #[databake(path = crate::entra)]
            $item
        )* };
    }
    macro_rules! entra_enums {
        ($($item:item)*) => { $(
            #[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, databake::Bake)]
            #[serde(rename_all = "kebab-case")]
            #[databake(path = crate::entra)]
            $item
        )* };
    }
    include!("src/entra_schema.rs");
}
use entra::{EntraOption, EntraSetting, EntraSite, Label, OptionRule};

/// rules/entra.toml: the site as the statics have it; the setting and the options with
/// their labels per language.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EntraRules {
    site: EntraSite,
    setting: EntraSettingRules,
    option: Vec<EntraOptionRules>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EntraSettingRules {
    id: String,
    title: String,
    recommended: EntraOption,
    benchmark: String,
    source: String,
    labels: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    unconfirmed_labels: BTreeMap<String, Vec<String>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EntraOptionRules {
    id: EntraOption,
    labels: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    unconfirmed_labels: BTreeMap<String, Vec<String>>,
}

const ENTRA_OPTIONS: [EntraOption; 3] = [EntraOption::Yes, EntraOption::SelectedGroup, EntraOption::No];

/// The labels, confirmed and unconfirmed; every text must normalise to something non-empty.
fn entra_labels(what: &str, confirmed: &BTreeMap<String, Vec<String>>, unconfirmed: &BTreeMap<String, Vec<String>>) -> entra::List<Label> {
    let mut labels = Vec::new();
    for (is_confirmed, map) in [(true, confirmed), (false, unconfirmed)] {
        for (lang, texts) in map {
            for t in texts {
                let norm = normalize::normalize(t);
                assert!(!norm.is_empty(), "rules/entra.toml: {what}: label {t:?} ({lang}) is empty after normalising");
                labels.push(Label { lang: lang.clone().into(), text: t.clone().into(), norm: norm.into(), confirmed: is_confirmed });
            }
        }
    }
    entra::List(labels)
}

fn generate_entra() {
    let rules_path = Path::new("rules/entra.toml");
    println!("cargo:rerun-if-changed={}", rules_path.display());
    println!("cargo:rerun-if-changed=src/entra_schema.rs");
    let text = fs::read_to_string(rules_path).expect("read rules/entra.toml");
    let mut rules: EntraRules = toml::from_str(&text).unwrap_or_else(|e| panic!("rules/entra.toml: {e}"));

    let s = &mut rules.site;
    assert!(!s.hosts.is_empty(), "rules/entra.toml: site.hosts is empty");
    for h in s.hosts.iter() {
        assert!(
            !h.is_empty() && **h == h.to_ascii_lowercase() && !h.contains(['/', ':', '*']),
            "rules/entra.toml: host {h:?} must be a lower-case host name"
        );
    }
    for d in s.frame_domains.iter() {
        assert!(
            d.contains('.') && **d == d.to_ascii_lowercase() && !d.contains(['/', ':', '*']) && !d.starts_with('.'),
            "rules/entra.toml: frame domain {d:?} must be a lower-case domain name, without a wildcard"
        );
        assert!(
            !s.hosts.iter().any(|h| h == d || h.ends_with(&format!(".{}", &**d))),
            "rules/entra.toml: frame domain {d:?} covers a portal host: a portal is not a frame host"
        );
    }
    assert!(s.settings_url.starts_with("https://"), "rules/entra.toml: settings_url must be https");
    // Fragments are compared ignoring case: store them lower-case.
    for f in s.settings_fragments.iter_mut() {
        *f = f.trim_start_matches(['#', '/']).to_ascii_lowercase().into();
        assert!(!f.is_empty(), "rules/entra.toml: empty settings fragment");
    }

    let st = &rules.setting;
    assert!(!st.labels.is_empty(), "rules/entra.toml: the setting needs at least one confirmed label");
    let setting = EntraSetting {
        id: st.id.clone().into(),
        title: st.title.clone().into(),
        recommended: st.recommended,
        benchmark: st.benchmark.clone().into(),
        source: entra::Source(st.source.clone()),
        labels: entra_labels("setting", &st.labels, &st.unconfirmed_labels),
    };

    // Every option once; no normalised label may name two options.
    let mut options = Vec::new();
    let mut owner: BTreeMap<String, EntraOption> = BTreeMap::new();
    for o in &rules.option {
        assert!(!options.iter().any(|r: &OptionRule| r.option == o.id), "rules/entra.toml: option {:?} listed twice", o.id);
        assert!(!o.labels.is_empty(), "rules/entra.toml: option {:?} needs at least one confirmed label", o.id);
        let labels = entra_labels(&format!("option {:?}", o.id), &o.labels, &o.unconfirmed_labels);
        for l in labels.iter() {
            if let Some(other) = owner.get(&l.norm.0).filter(|other| **other != o.id) {
                panic!("rules/entra.toml: label {:?} names both option {other:?} and option {:?}", l.norm.0, o.id);
            }
            owner.insert(l.norm.0.clone(), o.id);
        }
        options.push(OptionRule { option: o.id, labels });
    }
    for option in ENTRA_OPTIONS {
        assert!(options.iter().any(|r| r.option == option), "rules/entra.toml: option {option:?} is missing");
    }

    let env = databake::CrateEnv::default();
    let mut out = String::new();
    writeln!(out, "/// Where the Entra setting lives and what the content script collects.\npub static ENTRA_SITE: EntraSite = {};", rules.site.bake(&env)).unwrap();
    writeln!(out, "/// The setting.\npub static ENTRA_SETTING: EntraSetting = {};", setting.bake(&env)).unwrap();
    writeln!(out, "/// The options, in the order the portal shows them.\npub static ENTRA_OPTIONS: &[OptionRule] = {};", options.as_slice().bake(&env)).unwrap();
    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("entra_data.rs");
    fs::write(dest, out).expect("write entra_data.rs");
}
