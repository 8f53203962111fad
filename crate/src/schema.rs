// The shape of `rules/linkedin.toml`, declared once. Included twice:
//
// - by build.rs, with `Str`, `List<T>` and `Source` read from TOML as owned values, with
//   serde's Deserialize (to read and check the rules, and to write catalogue.json) and
//   databake's `Bake` (to write them out as the Rust expressions of the statics);
// - by src/catalogue.rs, with `Str = &'static str`, `List<T> = &'static [T]` and
//   `Source = &'static str`, as the types of those statics.
//
// Each includer defines the three aliases and the macros `rule_structs!` and `rule_enums!`,
// which add the derives it needs. Fields marked `skip_deserializing` are not written in
// the rules: build.rs derives them (normalised labels, message names, the host). A field
// of type `Source` (where a fact came from) is baked as `source!(..)`: kept natively, left
// out of the wasm (src/lib.rs). Enums are written kebab-case in the rules.

rule_enums! {
    /// Whether a switch is on or off.
    pub enum SwitchState {
        /// The switch is on.
        On,
        /// The switch is off.
        Off,
    }

    /// What a setting is about.
    pub enum Category {
        /// Training generative AI.
        Ai,
        /// Sharing with affiliates (Microsoft) and partners.
        Sharing,
        /// Advertising data.
        Ads,
        /// Research use.
        Research,
        /// LinkedIn's own marketing.
        Marketing,
    }

    /// Where the member is, as far as LinkedIn's policies differ.
    pub enum Region {
        /// European Union and European Economic Area.
        Eu,
        /// United Kingdom.
        Uk,
        /// Switzerland.
        Ch,
        /// Canada.
        Ca,
        /// Hong Kong.
        Hk,
        /// United States.
        Us,
        /// Anywhere else.
        Other,
    }

    /// How a policy applies in some regions.
    pub enum PolicyKind {
        /// LinkedIn uses the data there, on by default.
        Applies,
        /// LinkedIn says it does not do this there.
        NotApplied,
        /// LinkedIn needs the member's consent there.
        OptIn,
    }

    /// What the page shows for a setting.
    pub enum Kind {
        /// One switch, on or off.
        Switch,
        /// A connection listed on a page (e.g. Partners and services › Microsoft): read only,
        /// "on" when its entry is seen, never "off" from an absence.
        Connection,
    }
}

rule_structs! {
    /// Site-wide rules: which pages to scan and what the content script collects.
    pub struct Site {
        /// Scheme and host of LinkedIn.
        pub origin: Str,
        /// The host of `origin` (derived).
        #[serde(skip_deserializing)]
        pub host: Str,
        /// Path prefixes of pages that may show settings.
        pub scan_prefixes: List<Str>,
        /// Page trees that are the same pages under another prefix.
        pub path_aliases: List<PathAlias>,
        /// Paths LinkedIn sends signed-out visitors to.
        pub login_paths: List<Str>,
        /// Query parameters of a login page that carry the page asked for.
        pub redirect_params: List<Str>,
        /// CSS selector of candidate switches.
        pub candidate_selector: Str,
        /// CSS selector of plain checkboxes (a page that is a list of them).
        pub checkbox_selector: Str,
        /// CSS selector of the page's title.
        pub heading_selector: Str,
        /// CSS selector of the names of a list page's entries.
        pub entry_selector: Str,
        /// CSS selector whose presence means a sign-in form is shown.
        pub login_form_selector: Str,
        /// CSS selector of an open modal dialog.
        pub dialog_selector: Str,
        /// A page whose `localStorage` has a key starting with this belongs to a signed-in
        /// member (key names only, never values).
        pub signed_in_key_prefix: Str,
        /// Path prefix of a member's profile (`/in/<slug>`): links there name the member.
        pub profile_path_prefix: Str,
        /// CSS selector of elements whose text may be the member's own name or headline
        /// (the first "Profile viewing options" choice): used only to scrub reports.
        pub identity_selector: Str,
        /// Most identity strings the content script sends.
        pub max_identity: u32,
        /// How many ancestors up to look for a switch's row.
        pub context_levels: u32,
        /// Upper bound on each text the content script sends.
        pub max_text_chars: u32,
        /// Most list entries the content script sends.
        pub max_entries: u32,
        /// Upper bound on each entry's text.
        pub max_entry_chars: u32,
        /// Fewest words a confirmed label needs to name its setting on any page.
        pub min_words_anywhere: u32,
        /// Time after navigation before a missing switch counts as "page changed".
        pub settle_ms: u32,
        /// Batching delay for DOM-change re-scans.
        pub debounce_ms: u32,
        /// How long a page in a job may take to show its setting's state.
        pub page_timeout_ms: u32,
        /// How long a job's tab may be elsewhere before it is sent to its page again.
        pub renavigate_ms: u32,
        /// How long a switch may take to change after the one click.
        pub click_settle_ms: u32,
        /// How long the new state must show on the clicked page before a fresh load proves it.
        pub click_verify_ms: u32,
        /// At most this many fresh loads prove a change.
        pub proof_reads: u32,
        /// The wait before a fresh load that still showed the old state is made again.
        pub proof_interval_ms: u32,
        /// How long the clicked page is re-read after the click.
        pub click_watch_ms: u32,
        /// How long a LinkedIn confirmation dialog is left to the person.
        pub confirm_wait_ms: u32,
        /// Background reading for the popup.
        pub links: List<LinkRule>,
        /// Where LinkedIn honours Global Privacy Control.
        pub gpc: Gpc,
        /// The Office Group Policy that turns off LinkedIn features in Office apps.
        pub office: Office,
        /// What a job does when a page does not load.
        pub failures: Failures,
        /// LinkedIn's category pages, which list settings with their state as a word.
        pub category_pages: CategoryPages,
        /// The objection form for what a setting's switch does not cover.
        pub objection: Objection,
    }

    /// `[site.objection]`: LinkedIn's form for objecting to the AI training its switch does
    /// not cover. Nothing is read from it: the person says whether they sent it.
    pub struct Objection {
        /// The form's path on `origin`.
        pub path: Str,
        /// Where LinkedIn offers it.
        pub regions: List<Region>,
        /// The setting whose switch it goes beyond (its row sits beside that setting's).
        pub setting: Str,
        /// Since when LinkedIn's notice says so (YYYY-MM-DD).
        pub since: Str,
        /// Where the fact came from.
        pub source: Source,
    }

    /// `[site.category_pages]`: the pages that list settings as links with their state as
    /// a word beside each ("On" / "Off"); "Check all" reads them first.
    pub struct CategoryPages {
        /// CSS selector of the links the content script reports on a settings page.
        pub link_selector: Str,
        /// Most links the content script reports.
        pub max_links: u32,
        /// Most text pieces it reports per link's row.
        pub max_row_texts: u32,
        /// The pages, in the order "Check all" reads them.
        pub pages: List<CategoryPage>,
        /// The state words, per language.
        pub words: List<StateText>,
    }

    /// One category page.
    pub struct CategoryPage {
        /// Stable id (the last part of its path).
        pub id: Str,
        /// Its path.
        pub path: Str,
        /// The [`Section`]s whose settings it lists.
        #[serde(default)]
        pub sections: List<Str>,
        /// Where the fact came from.
        pub source: Source,
        /// i18n message of its name, "Advertising data" (derived: `categoryPage_<id>`).
        #[serde(skip_deserializing)]
        pub msg: Str,
    }

    /// A word a category page shows as a setting's state, in one language.
    pub struct StateText {
        /// BCP 47 primary language, e.g. `de`.
        pub lang: Str,
        /// The word as LinkedIn shows it.
        pub text: Str,
        /// `text` passed through the scan's normalisation (derived).
        #[serde(skip_deserializing)]
        pub norm: Str,
        /// The state it says.
        pub state: SwitchState,
        /// False when the evidence is weak: such a word never settles a setting.
        #[serde(default = "default_confirmed")]
        pub confirmed: bool,
        /// Where the word was seen.
        pub source: Source,
    }

    /// `[site.failures]`: what a job does when a page does not load.
    pub struct Failures {
        /// Path prefixes of LinkedIn's security checks ("verify it's you", captchas).
        pub checkpoint_prefixes: List<Str>,
        /// How long to wait before trying a page that did not load once more.
        pub retry_wait_ms: u32,
        /// How long a loaded tab without a content script may stay silent before it counts
        /// as the browser's error page.
        pub no_script_grace_ms: u32,
    }

    /// A page tree that mirrors another: `from…` is the page `to…`.
    pub struct PathAlias {
        /// Prefix of the mirror.
        pub from: Str,
        /// Prefix of the catalogued tree.
        pub to: Str,
    }

    /// A link for background reading.
    pub struct LinkRule {
        /// i18n message of its text.
        pub msg: Str,
        /// Path on `origin`.
        pub path: Str,
    }

    /// Global Privacy Control: regions where LinkedIn opts a member out on the signal.
    pub struct Gpc {
        /// Where.
        pub regions: List<Region>,
        /// Where the fact came from.
        pub source: Source,
    }

    /// A registry value (for organisations).
    pub struct Office {
        /// Registry key.
        pub key: Str,
        /// Value name.
        pub value: Str,
        /// Value type, e.g. DWORD.
        pub kind: Str,
        /// Value data.
        pub data: Str,
        /// Where the fact came from.
        pub source: Source,
    }

    /// A group of settings as LinkedIn's pages group them; the popup shows them in order.
    pub struct Section {
        /// Stable id.
        pub id: Str,
        /// Where the grouping came from.
        pub source: Source,
        /// i18n message of its title (derived: `section_<id>`).
        #[serde(skip_deserializing)]
        pub msg: Str,
    }

    /// One LinkedIn setting the extension watches.
    pub struct Setting {
        /// Stable id, used in storage, messages and `data-optout-setting`.
        pub id: Str,
        /// LinkedIn's title of the setting (English), for reports.
        pub title: Str,
        /// The [`Section`] it belongs to.
        pub section: Str,
        /// What the setting is about.
        pub category: Category,
        /// A switch, or a read-only connection.
        #[serde(default = "default_kind")]
        pub kind: Kind,
        /// Paths of the page(s) that show this setting (and no other, unless each is keyed).
        #[serde(default)]
        pub paths: List<Str>,
        /// Language-independent `aria-labelledby` keys of its switch.
        #[serde(default)]
        pub keys: List<Str>,
        /// Language-independent `id`s of its switch element.
        #[serde(default)]
        pub element_ids: List<Str>,
        /// A page whose title equals one of its labels is its own page.
        #[serde(default)]
        pub by_heading: bool,
        /// For "Show me" when the setting has no known page of its own.
        #[serde(default)]
        pub show_path: Option<Str>,
        /// The state that protects the user.
        pub protective: SwitchState,
        /// Settings LinkedIn turns off itself when this one is turned off.
        #[serde(default)]
        pub turns_off: List<Str>,
        /// One of the few settings the popup's headline names when they are on.
        #[serde(default)]
        pub leads: bool,
        /// Where the facts came from.
        pub source: Source,
        /// Titles and switch labels in every known language, each with its source.
        #[serde(default)]
        pub labels: List<Wording>,
        /// Where and since when LinkedIn's use applies.
        #[serde(default)]
        pub policy: List<Policy>,
        /// i18n message: short name for on-page labels (derived).
        #[serde(skip_deserializing)]
        pub msg_short: Str,
        /// i18n message: the setting's title (derived).
        #[serde(skip_deserializing)]
        pub msg_title: Str,
        /// i18n message: what "on" means for the member (derived).
        #[serde(skip_deserializing)]
        pub msg_meaning: Str,
    }

    /// A label text of a setting in one language.
    pub struct Wording {
        /// BCP 47 language, e.g. `de`.
        pub lang: Str,
        /// The text as LinkedIn shows it.
        pub text: Str,
        /// `text` passed through the scan's normalisation (derived).
        #[serde(skip_deserializing)]
        pub norm: Str,
        /// False when no source confirms the text; such labels only help on the setting's own page.
        #[serde(default = "default_confirmed")]
        pub confirmed: bool,
        /// Where the text was seen.
        pub source: Source,
    }

    /// A policy fact about one setting.
    pub struct Policy {
        /// How it applies.
        pub kind: PolicyKind,
        /// Where.
        pub regions: List<Region>,
        /// Since when (YYYY-MM-DD).
        pub since: Str,
    }
}
