//! The settings catalogue, generated at build time from `rules/linkedin.toml`. Its types
//! are declared once, in `schema.rs`, which build.rs reads the rules with.

use serde::{Deserialize, Serialize};

/// A static string of the catalogue.
pub type Str = &'static str;
/// A static list of the catalogue.
pub type List<T> = &'static [T];
/// Where a fact of the catalogue came from: in the wasm, which never shows it, empty.
pub type Source = &'static str;

macro_rules! rule_structs {
    ($($item:item)*) => { $( #[derive(Debug, Serialize)] $item )* };
}
macro_rules! rule_enums {
    ($($item:item)*) => { $( #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)] #[serde(rename_all = "kebab-case")] $item )* };
}
include!("schema.rs");

impl Region {
    /// All regions, in the order the options page lists them.
    pub const ALL: [Region; 7] = [Region::Eu, Region::Uk, Region::Ch, Region::Ca, Region::Hk, Region::Us, Region::Other];

    /// i18n message naming the region (a choice on the options page).
    pub fn msg(self) -> &'static str {
        match self {
            Region::Eu => "region_eu",
            Region::Uk => "region_uk",
            Region::Ch => "region_ch",
            Region::Ca => "region_ca",
            Region::Hk => "region_hk",
            Region::Us => "region_us",
            Region::Other => "region_other",
        }
    }

    /// i18n message naming the region inside a sentence ("in the EU and EEA", "in most countries").
    pub fn msg_in(self) -> &'static str {
        match self {
            Region::Eu => "regionIn_eu",
            Region::Uk => "regionIn_uk",
            Region::Ch => "regionIn_ch",
            Region::Ca => "regionIn_ca",
            Region::Hk => "regionIn_hk",
            Region::Us => "regionIn_us",
            Region::Other => "regionIn_other",
        }
    }
}

impl Setting {
    /// The full URL of the setting's first page.
    pub fn url(&self) -> Option<String> {
        self.paths.first().map(|p| SITE.at(p))
    }

    /// The page "Show me" opens: its own page, else where LinkedIn lists it.
    pub fn show_url(&self) -> Option<String> {
        self.url().or_else(|| self.show_path.map(|p| SITE.at(p)))
    }

    /// Whether the extension may ever change it (a connection is only read).
    pub fn switchable(&self) -> bool {
        self.kind == Kind::Switch
    }
}

impl Site {
    /// The full URL of a path on LinkedIn (`origin` ends with its slash, paths start with one).
    pub fn at(&self, path: &str) -> String {
        format!("{}{}", self.origin.trim_end_matches('/'), path)
    }
}

impl Section {
    /// The settings in this section, in catalogue order.
    pub fn settings(&self) -> impl Iterator<Item = &'static Setting> + '_ {
        SETTINGS.iter().filter(move |s| s.section == self.id)
    }
}

/// What a job does when a page does not load (`[site.failures]`).
pub static FAILURES: &Failures = &SITE.failures;

include!(concat!(env!("OUT_DIR"), "/catalogue_data.rs"));

/// The catalogue as JSON, exactly as build.rs wrote it for the tests (nothing in the wasm
/// uses it, so it is not shipped).
pub const CATALOGUE_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/catalogue.json"));

/// The setting with this id.
pub fn by_id(id: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.id == id)
}

/// The section with this id.
pub fn section(id: &str) -> Option<&'static Section> {
    SECTIONS.iter().find(|s| s.id == id)
}
