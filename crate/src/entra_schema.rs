// The shape of the Entra rules' statics (`rules/entra.toml`), declared once. Included twice,
// like schema.rs:
//
// - by build.rs, with `Str`, `List<T>` and `Source` as owned values and databake's `Bake`,
//   to write the statics (`entra_data.rs`) once it has read and checked the rules (whose
//   labels are written per language, and normalised here);
// - by src/entra.rs, with `Str = &'static str`, `List<T> = &'static [T]` and
//   `Source = &'static str`, as the types of those statics.
//
// Each includer defines the three aliases and the macros `entra_structs!` and
// `entra_enums!`, which add the derives it needs.

entra_enums! {
    /// One option of the setting.
    pub enum EntraOption {
        /// Every user may connect their LinkedIn account.
        Yes,
        /// The users of one selected group may.
        SelectedGroup,
        /// Nobody may (what CIS recommends).
        No,
    }
}

entra_structs! {
    /// Where the setting lives and what the content script collects.
    pub struct EntraSite {
        /// The portals' hosts (lower case): where the User settings page is.
        pub hosts: List<Str>,
        /// Domains whose hosts and subdomains serve the portals' blade frames (lower case).
        pub frame_domains: List<Str>,
        /// Fragments (lower case, without `#`) of the User settings page.
        pub settings_fragments: List<Str>,
        /// The User settings page to open.
        pub settings_url: Str,
        /// CSS selector of radio groups.
        pub group_selector: Str,
        /// CSS selector of the radios of a group.
        pub radio_selector: Str,
        /// CSS selector of frames whose same-origin documents are read too.
        pub frame_selector: Str,
        /// CSS selector of a caption inside a group.
        pub caption_selector: Str,
        /// How many ancestors up to look for a caption just before a group.
        pub caption_levels: u32,
        /// CSS selector whose presence means a sign-in form is shown.
        pub signed_out_selector: Str,
        /// Upper bound on each text sent.
        pub max_text_chars: u32,
        /// Most groups one scan reads.
        pub max_groups: u32,
        /// Most radios of one group that can be the setting.
        pub max_radios: u32,
        /// Most frames one scan reads.
        pub max_frames: u32,
        /// Time after navigation before a missing setting counts.
        pub settle_ms: u32,
        /// Batching delay for DOM-change re-scans.
        pub debounce_ms: u32,
    }

    /// The setting.
    pub struct EntraSetting {
        /// Stable id.
        pub id: Str,
        /// The portal's English title.
        pub title: Str,
        /// The option the benchmark recommends.
        pub recommended: EntraOption,
        /// The benchmark, as shown in labels (e.g. "CIS 1.1.18").
        pub benchmark: Str,
        /// Where the facts came from.
        pub source: Source,
        /// The setting's label in every known language.
        pub labels: List<Label>,
    }

    /// One option and its radio labels in every known language.
    pub struct OptionRule {
        /// The option.
        pub option: EntraOption,
        /// Its labels.
        pub labels: List<Label>,
    }

    /// A label text in one language.
    pub struct Label {
        /// BCP 47 language, e.g. `de`.
        pub lang: Str,
        /// The text as the page shows it.
        pub text: Str,
        /// `text` passed through [`crate::normalize::normalize`].
        pub norm: Str,
        /// False when no source confirms the text.
        pub confirmed: bool,
    }
}
