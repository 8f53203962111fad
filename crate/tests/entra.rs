//! Native table tests of the Entra core (`src/entra.rs`, `rules/entra.toml`):
//! `cargo test -p opt-out-lens-core --test entra`.

use opt_out_lens_core::entra::{
    self, describe, is_settings_page, option_named, origins, place, plan, scan, EntraFacts, EntraObservation,
    EntraObserved, EntraOption, EntraReason, EntraState, FrameFacts, GroupFacts, Look, Place, RadioFacts, ENTRA_OPTIONS,
    ENTRA_SETTING, ENTRA_SITE,
};
use serde_json::json;

const ENTRA_PAGE: &str =
    "https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings/menuId/UserSettings";
const PORTAL_PAGE: &str = "https://portal.azure.com/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings";
const OTHER_BLADE: &str = "https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/AllUsers";
const SETTLED: f64 = 60_000.0;

fn radio(label: &str, checked: bool) -> RadioFacts {
    RadioFacts { label: label.into(), checked: Some(checked), aria_checked: None }
}

/// A group captioned `label` whose radios are `options`, the one at `checked` checked.
fn group(label: &str, options: &[&str], checked: Option<usize>) -> GroupFacts {
    GroupFacts {
        labels: vec![label.into()],
        radios: options.iter().enumerate().map(|(i, o)| radio(o, checked == Some(i))).collect(),
    }
}

/// The facts of a settled top frame at `url` (the tab's address is its own).
fn facts(url: &str, groups: Vec<GroupFacts>) -> EntraFacts {
    EntraFacts { url: url.into(), tab_url: url.into(), top: true, elapsed_ms: SETTLED, signed_out: false, groups, frames: vec![] }
}

/// The facts of a settled frame at `url` that its parent cannot read, in a tab at `tab_url`.
fn frame_facts(url: &str, tab_url: &str, groups: Vec<GroupFacts>) -> EntraFacts {
    EntraFacts { top: false, tab_url: tab_url.into(), ..facts(url, groups) }
}

/// A React view's frame, as the shared facts file names one.
const REACT_FRAME: &str = "https://sandbox-1.reactblade.portal.azure.net/Microsoft_AAD_UsersAndTenants/UserSettings?trustedAuthority=https%3A%2F%2Fportal.azure.com";
/// The row label security baselines quote.
const ROW_LABEL: &str = "Allow users to connect their work or school account with LinkedIn";

fn observed(f: &EntraFacts) -> Option<EntraObserved> {
    scan(f).observation.map(|o| o.observed)
}

fn decoys() -> Vec<GroupFacts> {
    vec![
        group("Users can register applications", &["Yes", "No"], Some(0)),
        group("Restrict non-admin users from creating tenants", &["Yes", "No"], Some(1)),
        group("Users can create security groups", &["Yes", "Selected group", "No"], Some(0)),
    ]
}

const EN: [&str; 3] = ["Yes", "Selected group", "No"];
const DE: [&str; 3] = ["Ja", "Ausgewählte Gruppe", "Nein"];
const FR: [&str; 3] = ["Oui", "Groupe sélectionné", "Non"];
const OPTIONS: [EntraOption; 3] = [EntraOption::Yes, EntraOption::SelectedGroup, EntraOption::No];

// ---- plan and pages ----------------------------------------------------------------------

#[test]
fn settings_page_table() {
    let table: &[(&str, bool, bool)] = &[
        // url, scan, settings page
        (ENTRA_PAGE, true, true),
        (PORTAL_PAGE, true, true),
        ("https://portal.azure.com/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings/menuId/", true, true),
        ("https://portal.azure.com/#@contoso.onmicrosoft.com/view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings", true, true),
        ("https://ENTRA.microsoft.com/#VIEW/microsoft_aad_usersandtenants/usermanagementmenublade/~/usersettings", true, true),
        ("https://entra.microsoft.com:8443/?feature.x=1#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings", true, true),
        ("https://portal.azure.com/#blade/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/UserSettings", true, true),
        (OTHER_BLADE, true, false),
        ("https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettingsPreview", true, false),
        ("https://entra.microsoft.com/#xview/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings", true, false),
        ("https://entra.microsoft.com/", true, false),
        ("https://entra.microsoft.com/view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings", true, false),
        ("https://portal.azure.com/some/iframe/blade.html", true, false),
        // Not the portals.
        ("http://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings", false, false),
        ("https://entra.microsoft.com.evil.example/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings", false, false),
        ("https://entra.microsoft.com@evil.example/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings", false, false),
        ("https://evil.example/#https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings", false, false),
        ("https://login.microsoftonline.com/", false, false),
        ("https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement", false, false),
        ("", false, false),
    ];
    for &(url, scans, settings) in table {
        let p = plan(url);
        assert_eq!(p.scan, scans, "scan for {url}");
        assert_eq!(p.settings_page, settings, "settings page for {url}");
        assert_eq!(is_settings_page(url), settings, "is_settings_page({url})");
    }
}

#[test]
fn plan_carries_the_rules() {
    let p = serde_json::to_value(plan(ENTRA_PAGE)).unwrap();
    for key in [
        "scan", "settingsPage", "settles", "groupSelector", "radioSelector", "frameSelector", "captionSelector", "captionLevels",
        "signedOutSelector", "maxTextChars", "maxGroups", "maxRadios", "maxFrames", "settleMs", "debounceMs",
    ] {
        assert!(p.get(key).is_some(), "plan lacks {key}: {p}");
    }
    assert_eq!(p["groupSelector"], ENTRA_SITE.group_selector);
    assert!(ENTRA_SITE.group_selector.contains("[role=radiogroup]"));
    assert!(ENTRA_SITE.radio_selector.contains("input[type=radio]"));
    // One more radio than the setting may have, so an oversized group is seen as such.
    assert_eq!(p["maxRadios"], ENTRA_SITE.max_radios + 1);
    assert!(!ENTRA_SITE.group_selector.contains('.') && !ENTRA_SITE.radio_selector.contains('.'), "no class names");
    assert!(is_settings_page(entra::settings_url()), "the settings URL is the settings page");
    assert_eq!(ENTRA_SITE.hosts, &["entra.microsoft.com", "portal.azure.com"]);
    // The frame hosts of the shared facts file, and nothing broader than a portal's own
    // subdomains: never all of azure.net or azure.com.
    assert_eq!(
        ENTRA_SITE.frame_domains,
        &["reactblade.portal.azure.net", "reactblade-ms.portal.azure.net", "reactblade-rc.portal.azure.net", "hosting.portal.azure.net", "ext.azure.com"]
    );
    let p = plan(REACT_FRAME);
    assert!(p.scan && !p.settings_page, "a blade frame is scanned, and is never the settings page by its address");
    assert!(p.settles, "a blade frame scans again once settled (it may be on the settings page)");
    assert!(plan(ENTRA_PAGE).settles && !plan(OTHER_BLADE).settles && !plan("https://evil.example/").settles);
}

#[test]
fn places_table() {
    let table: &[(&str, Place)] = &[
        (ENTRA_PAGE, Place::Portal),
        ("https://portal.azure.com/", Place::Portal),
        (REACT_FRAME, Place::Frame),
        ("https://sandbox-1.reactblade.portal.azure.net/", Place::Frame),
        ("https://SANDBOX-7.ReactBlade.Portal.Azure.Net:8443/x", Place::Frame),
        ("https://reactblade.portal.azure.net/", Place::Frame),
        ("https://sandbox-1.reactblade-ms.portal.azure.net/", Place::Frame),
        ("https://sandbox-1.reactblade-rc.portal.azure.net/", Place::Frame),
        ("https://a.b.reactblade.portal.azure.net/", Place::Frame),
        ("https://sandbox-1.reactblade.portal.azure.net./", Place::Frame),
        ("https://aad.hosting.portal.azure.net/aad/Content/", Place::Frame),
        ("https://main.iam.ad.ext.azure.com/", Place::Frame),
        // Look-alikes and neighbours.
        ("https://evilreactblade.portal.azure.net/", Place::Elsewhere),
        ("https://reactblade.portal.azure.net.evil.example/", Place::Elsewhere),
        ("https://sandbox-1.reactblade.portal.azure.net@evil.example/", Place::Elsewhere),
        ("https://evil.example/#https://sandbox-1.reactblade.portal.azure.net/", Place::Elsewhere),
        ("https://portal.azure.net/", Place::Elsewhere),
        ("https://sandbox-1.reactblade-x.portal.azure.net/", Place::Elsewhere),
        ("https://xext.azure.com/", Place::Elsewhere),
        ("https://azure.com/", Place::Elsewhere),
        ("https://.ext.azure.com/", Place::Elsewhere),
        ("http://sandbox-1.reactblade.portal.azure.net/", Place::Elsewhere),
        ("https://login.microsoftonline.com/", Place::Elsewhere),
        ("https://learn.microsoft.com/", Place::Elsewhere),
        ("about:blank", Place::Elsewhere),
        ("", Place::Elsewhere),
    ];
    for &(url, want) in table {
        assert_eq!(place(url), want, "place({url:?})");
        assert_eq!(plan(url).scan, want != Place::Elsewhere, "plan({url:?}).scan");
        assert!(!plan(url).settings_page || want == Place::Portal, "only a portal page is the settings page: {url}");
    }
}

/// The manifest asks for exactly the rules' hosts, only as optional hosts.
#[test]
fn manifest_optional_hosts_are_the_rules_hosts() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../manifest.json");
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let optional: Vec<String> =
        m["optional_host_permissions"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(optional, origins(), "manifest.json optional_host_permissions must be the Entra rules' origins, in order");
    assert_eq!(
        origins(),
        [
            "https://entra.microsoft.com/*",
            "https://portal.azure.com/*",
            "https://*.reactblade.portal.azure.net/*",
            "https://*.reactblade-ms.portal.azure.net/*",
            "https://*.reactblade-rc.portal.azure.net/*",
            "https://*.hosting.portal.azure.net/*",
            "https://*.ext.azure.com/*",
        ]
    );
    let mut required: Vec<&str> = m["host_permissions"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
    for cs in m["content_scripts"].as_array().unwrap() {
        required.extend(cs["matches"].as_array().unwrap().iter().filter_map(|v| v.as_str()));
    }
    for o in origins() {
        assert!(!required.contains(&o.as_str()), "{o} must not be required or a static content script");
    }
}

// ---- blades in frames of other hosts -------------------------------------------------------

#[test]
fn found_in_a_frame_of_another_host_by_its_content() {
    for (caption, names, i, want) in [
        ("LinkedIn account connections", EN, 2, EntraOption::No),
        (ROW_LABEL, EN, 0, EntraOption::Yes),
        ("LinkedIn-Kontoverbindungen", DE, 1, EntraOption::SelectedGroup),
    ] {
        let mut groups = decoys();
        groups.push(group(caption, &names, Some(i)));
        for tab in [PORTAL_PAGE, ENTRA_PAGE, OTHER_BLADE, ""] {
            let out = scan(&frame_facts(REACT_FRAME, tab, groups.clone()));
            assert_eq!(out.marks.len(), 1, "{caption:?} in a frame (tab {tab:?}): {:?}", out.marks);
            assert_eq!(out.marks[0].index, 3);
            assert_eq!(out.observation.map(|o| o.observed), Some(EntraObserved::Option(want)), "{caption:?} (tab {tab:?})");
        }
    }
    // The address alone is never enough: a frame host's page without the setting's group
    // marks nothing and, in a tab on another page, records nothing.
    let out = scan(&frame_facts(REACT_FRAME, OTHER_BLADE, decoys()));
    assert!(out.marks.is_empty() && out.observation.is_none(), "{out:?}");
    // In a frame host's page, a confirmed caption without the options is not the setting
    // (those hosts serve other products' blades too); on a portal's own page it is, with
    // the option unknown.
    let odd = || vec![group("LinkedIn account connections", &["On", "Off"], Some(0))];
    let out = scan(&frame_facts(REACT_FRAME, OTHER_BLADE, odd()));
    assert!(out.marks.is_empty() && out.observation.is_none(), "{out:?}");
    let out = scan(&facts(PORTAL_PAGE, odd()));
    assert_eq!(out.observation.map(|o| o.observed), Some(EntraObserved::Unknown(EntraReason::Ambiguous)));
    // A frame of another site inside the portal: nothing, whatever it shows.
    let g = vec![group("LinkedIn account connections", &EN, Some(0))];
    let out = scan(&frame_facts("https://evil.example/frame", PORTAL_PAGE, g));
    assert!(out.marks.is_empty() && out.observation.is_none());
}

#[test]
fn the_row_label_is_a_caption_its_help_sentence_is_not() {
    for caption in [ROW_LABEL, "Allow users to connect their work or school account with LinkedIn.", "allow users to connect their work or school account with linkedin:"] {
        assert_eq!(observed(&facts(PORTAL_PAGE, vec![group(caption, &EN, Some(1))])), Some(EntraObserved::Option(EntraOption::SelectedGroup)), "{caption:?}");
    }
    for caption in [
        "Allow users to connect their work or school account with LinkedIn. Data sharing between Microsoft and LinkedIn is not enabled until users consent to connect their accounts.",
        "Allow users to connect their work or school account with LinkedIn Learning",
        "Allow users to connect their account with LinkedIn",
    ] {
        let out = scan(&facts(PORTAL_PAGE, vec![group(caption, &EN, Some(0))]));
        assert!(out.marks.is_empty(), "{caption:?} must not be taken for the setting");
    }
    assert!(ENTRA_SETTING.labels.iter().any(|l| l.lang == "en" && l.confirmed && l.text == ROW_LABEL));
    assert!(ENTRA_SETTING.source.contains(ROW_LABEL), "the row label's source is given");
}

#[test]
fn missing_when_the_blade_is_in_a_frame() {
    let nf = Some(EntraObserved::Unknown(EntraReason::NotFound));
    let blade = |visible: bool| FrameFacts { url: REACT_FRAME.into(), visible };
    // The top frame does not say "not found" while a visible frame it cannot read may hold
    // the blade: that frame answers for itself.
    for groups in [vec![], decoys()] {
        let f = EntraFacts { frames: vec![blade(true)], ..facts(PORTAL_PAGE, groups.clone()) };
        assert_eq!(observed(&f), None, "top with a visible blade frame ({} groups)", groups.len());
        // Hidden helper frames, or frames of other sites, do not hold it back.
        let f = EntraFacts { frames: vec![blade(false)], ..facts(PORTAL_PAGE, groups.clone()) };
        assert!(observed(&f).is_some(), "a hidden frame does not stop the top from answering");
        let f = EntraFacts { frames: vec![FrameFacts { url: "https://learn.microsoft.com/x".into(), visible: true }], ..facts(PORTAL_PAGE, groups) };
        assert!(observed(&f).is_some(), "another site's frame does not stop the top from answering");
    }
    // Signed out is said at once, frames or not.
    let f = EntraFacts { signed_out: true, elapsed_ms: 0.0, frames: vec![blade(true)], ..facts(PORTAL_PAGE, vec![]) };
    assert_eq!(observed(&f), Some(EntraObserved::Unknown(EntraReason::SignedOut)));
    // The frame: "not found" once settled, when it shows radio groups and the tab is on
    // the User settings page.
    assert_eq!(observed(&frame_facts(REACT_FRAME, PORTAL_PAGE, decoys())), nf);
    assert_eq!(observed(&frame_facts(REACT_FRAME, ENTRA_PAGE, decoys())), nf);
    for (what, f) in [
        ("no radio groups (a hidden or helper frame)", frame_facts(REACT_FRAME, PORTAL_PAGE, vec![])),
        ("still loading", EntraFacts { elapsed_ms: 100.0, ..frame_facts(REACT_FRAME, PORTAL_PAGE, decoys()) }),
        ("tab on another blade", frame_facts(REACT_FRAME, OTHER_BLADE, decoys())),
        ("tab address unknown", frame_facts(REACT_FRAME, "", decoys())),
        ("tab address elsewhere", frame_facts(REACT_FRAME, "https://evil.example/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings", decoys())),
        ("a sign-in form in a frame", EntraFacts { signed_out: true, ..frame_facts(REACT_FRAME, PORTAL_PAGE, vec![]) }),
    ] {
        assert_eq!(observed(&f), None, "{what}");
    }
    // The facts' wire form: camelCase, missing fields default.
    let f: EntraFacts = serde_json::from_value(json!({
        "url": REACT_FRAME, "tabUrl": PORTAL_PAGE, "top": false, "elapsedMs": SETTLED,
        "groups": [], "frames": [{"url": REACT_FRAME, "visible": true}, {"url": "x"}]
    }))
    .unwrap();
    assert_eq!(f.tab_url, PORTAL_PAGE);
    assert!(f.frames[0].visible && !f.frames[1].visible);
}

// ---- the rules file -----------------------------------------------------------------------

#[test]
fn rules_are_sound() {
    assert_eq!(ENTRA_SETTING.id, "linkedin-account-connections");
    assert_eq!(ENTRA_SETTING.recommended, EntraOption::No);
    assert!(ENTRA_SETTING.labels.iter().any(|l| l.lang == "en" && l.confirmed && l.text == "LinkedIn account connections"));
    // German and French are in the data, marked unconfirmed (no source quotes the portal).
    for lang in ["de", "fr"] {
        let ls: Vec<_> = ENTRA_SETTING.labels.iter().filter(|l| l.lang == lang).collect();
        assert!(!ls.is_empty(), "setting label in {lang}");
        assert!(ls.iter().all(|l| !l.confirmed), "{lang} setting label must be marked unconfirmed");
    }
    assert_eq!(ENTRA_OPTIONS.iter().map(|o| o.option).collect::<Vec<_>>(), OPTIONS);
    for o in ENTRA_OPTIONS {
        assert!(o.labels.iter().any(|l| l.lang == "en" && l.confirmed), "{:?} has a confirmed English label", o.option);
        for lang in ["de", "fr"] {
            assert!(o.labels.iter().any(|l| l.lang == lang), "{:?} has a {lang} label", o.option);
        }
    }
    assert!(!ENTRA_SETTING.source.is_empty());
}

#[test]
fn option_labels_table() {
    let table: &[(&str, Option<EntraOption>)] = &[
        ("Yes", Some(EntraOption::Yes)),
        ("  yes ", Some(EntraOption::Yes)),
        ("YES", Some(EntraOption::Yes)),
        ("Selected group", Some(EntraOption::SelectedGroup)),
        ("Selected\u{00A0}group", Some(EntraOption::SelectedGroup)),
        ("Selected\u{200B} group", Some(EntraOption::SelectedGroup)),
        ("No", Some(EntraOption::No)),
        ("No.", Some(EntraOption::No)),
        ("Ja", Some(EntraOption::Yes)),
        ("Ausgewählte Gruppe", Some(EntraOption::SelectedGroup)),
        ("AUSGEWÄHLTE GRUPPE", Some(EntraOption::SelectedGroup)),
        ("Nein", Some(EntraOption::No)),
        ("Oui", Some(EntraOption::Yes)),
        ("Groupe sélectionné", Some(EntraOption::SelectedGroup)),
        ("Groupe selectionne", Some(EntraOption::SelectedGroup)),
        ("Non", Some(EntraOption::No)),
        ("Selected groups", None),
        ("None", None),
        ("Not", None),
        ("", None),
        ("Yes No", None),
        ("All", None),
    ];
    for &(text, want) in table {
        assert_eq!(option_named(text), want, "option_named({text:?})");
    }
}

// ---- finding the setting ------------------------------------------------------------------

#[test]
fn each_option_in_each_language() {
    for (lang, label, names) in [
        ("en", "LinkedIn account connections", EN),
        ("de", "LinkedIn-Kontoverbindungen", DE),
        ("fr", "Connexions de compte LinkedIn", FR),
    ] {
        for (i, want) in OPTIONS.iter().enumerate() {
            for url in [ENTRA_PAGE, PORTAL_PAGE] {
                let mut groups = decoys();
                groups.insert(1, group(label, &names, Some(i)));
                let out = scan(&facts(url, groups));
                assert_eq!(out.marks.len(), 1, "{lang} {want:?} {url}: exactly one mark, on the setting: {:?}", out.marks);
                let m = &out.marks[0];
                assert_eq!(m.index, 1, "{lang}: the setting's group, not a decoy");
                assert_eq!(out.observation.map(|o| o.observed), Some(EntraObserved::Option(*want)), "{lang} {want:?}");
                let look = if *want == EntraOption::No { Look::Protective } else { Look::Exposed };
                assert_eq!(m.look, look);
            }
        }
    }
}

#[test]
fn decoys_are_never_marked() {
    let out = scan(&facts(ENTRA_PAGE, decoys()));
    assert!(out.marks.is_empty(), "{:?}", out.marks);
    assert_eq!(out.observation.map(|o| o.observed), Some(EntraObserved::Unknown(EntraReason::NotFound)));
    // Options alone, without the setting's caption, never identify it.
    let bare = vec![group("", &EN, Some(0)), GroupFacts { labels: vec![], radios: vec![radio("Yes", true), radio("No", false)] }];
    let out = scan(&facts(ENTRA_PAGE, bare));
    assert!(out.marks.is_empty());
    // A caption that merely mentions the setting is not its caption.
    for caption in [
        "LinkedIn account connections allow users to connect their accounts",
        "Show LinkedIn account connections in profile cards",
        "LinkedIn",
        "account connections",
    ] {
        let out = scan(&facts(ENTRA_PAGE, vec![group(caption, &EN, Some(0))]));
        assert!(out.marks.is_empty(), "{caption:?} must not be taken for the setting");
    }
}

#[test]
fn caption_variants() {
    for caption in [
        "LinkedIn account connections",
        "  LinkedIn   account connections ",
        "linkedin ACCOUNT connections:",
        "LinkedIn account connections *",
        "LinkedIn\u{00A0}account\u{200B} connections",
        "LinkedIn-Kontoverbindungen",
        "Connexions de compte LinkedIn",
    ] {
        let out = scan(&facts(ENTRA_PAGE, vec![group(caption, &EN, Some(2))]));
        assert_eq!(out.marks.len(), 1, "{caption:?}");
        assert_eq!(out.observation.map(|o| o.observed), Some(EntraObserved::Option(EntraOption::No)), "{caption:?}");
    }
    // The first non-empty candidate is the caption (aria-labelledby text first, the text
    // before the group last).
    let radios = vec![radio("Yes", true), radio("Selected group", false), radio("No", false)];
    let g = GroupFacts { labels: vec!["".into(), " ".into(), "LinkedIn account connections".into()], radios: radios.clone() };
    assert_eq!(observed(&facts(ENTRA_PAGE, vec![g])), Some(EntraObserved::Option(EntraOption::Yes)));
    // A group with a name of its own is not the setting because the setting's caption
    // follows: e.g. a decoy whose aria-label names it, just after the setting's heading.
    let g = GroupFacts { labels: vec!["Users can register applications".into(), "LinkedIn account connections".into()], radios };
    let out = scan(&facts(ENTRA_PAGE, vec![g]));
    assert!(out.marks.is_empty(), "{:?}", out.marks);
}

#[test]
fn unconfirmed_labels_need_the_options() {
    // A guessed translation of the caption with options we cannot read: not the setting.
    let odd = group("LinkedIn-Kontoverbindungen", &["An", "Aus"], Some(0));
    let out = scan(&facts(ENTRA_PAGE, vec![odd]));
    assert!(out.marks.is_empty());
    assert_eq!(out.observation.map(|o| o.observed), Some(EntraObserved::Unknown(EntraReason::NotFound)));
    // The confirmed caption with options we cannot read: the setting, option unknown.
    let odd = group("LinkedIn account connections", &["On", "Off"], Some(0));
    let out = scan(&facts(ENTRA_PAGE, vec![odd]));
    assert_eq!(out.marks.len(), 1);
    assert_eq!(out.marks[0].state, EntraState::Unknown);
    assert_eq!(out.marks[0].look, Look::Unknown);
    assert_eq!(out.observation.map(|o| o.observed), Some(EntraObserved::Unknown(EntraReason::Ambiguous)));
    // Mixed languages still name the options.
    let mixed = group("LinkedIn-Kontoverbindungen", &["Yes", "Ausgewählte Gruppe", "Non"], Some(1));
    assert_eq!(observed(&facts(ENTRA_PAGE, vec![mixed])), Some(EntraObserved::Option(EntraOption::SelectedGroup)));
}

#[test]
fn ambiguous_selections_are_unknown() {
    let label = "LinkedIn account connections";
    let ambiguous = Some(EntraObserved::Unknown(EntraReason::Ambiguous));
    let cases: Vec<(&str, GroupFacts)> = vec![
        ("nothing checked", group(label, &EN, None)),
        ("two checked", GroupFacts { labels: vec![label.into()], radios: vec![radio("Yes", true), radio("Selected group", false), radio("No", true)] }),
        ("checked state not reported", GroupFacts {
            labels: vec![label.into()],
            radios: EN.iter().map(|o| RadioFacts { label: (*o).into(), checked: None, aria_checked: None }).collect(),
        }),
        ("an option we cannot name", group(label, &["Yes", "Some users", "No"], Some(2))),
        ("an unnamed radio checked", group(label, &["Yes", "", "No"], Some(1))),
        ("an option twice", group(label, &["Yes", "No", "No"], Some(0))),
        ("no No option", group(label, &["Yes", "Selected group"], Some(0))),
        ("no radios", GroupFacts { labels: vec![label.into()], radios: vec![] }),
        ("too many radios", group(label, &["Yes", "Selected group", "No", "", "", "", "", "", "", "", "", "", "", ""], Some(0))),
    ];
    for (what, g) in cases {
        let out = scan(&facts(ENTRA_PAGE, vec![g]));
        assert_eq!(out.marks.len(), 1, "{what}: the setting is still marked");
        assert_eq!(out.marks[0].state, EntraState::Unknown, "{what}");
        assert_eq!(out.observation.map(|o| o.observed), ambiguous, "{what}");
    }
    // Yes and No without "Selected group" is still readable.
    let two = group(label, &["Yes", "No"], Some(1));
    assert_eq!(observed(&facts(ENTRA_PAGE, vec![two])), Some(EntraObserved::Option(EntraOption::No)));
}

#[test]
fn the_setting_twice() {
    let label = "LinkedIn account connections";
    let same = vec![group(label, &EN, Some(2)), group(label, &EN, Some(2))];
    let out = scan(&facts(ENTRA_PAGE, same));
    assert_eq!(out.marks.len(), 2);
    assert_eq!(out.observation.map(|o| o.observed), Some(EntraObserved::Option(EntraOption::No)));
    let differ = vec![group(label, &EN, Some(2)), group("LinkedIn-Kontoverbindungen", &DE, Some(0))];
    let out = scan(&facts(ENTRA_PAGE, differ));
    assert_eq!(out.marks.iter().map(|m| m.state).collect::<Vec<_>>(), [EntraState::No, EntraState::Yes]);
    assert_eq!(out.observation.map(|o| o.observed), Some(EntraObserved::Unknown(EntraReason::Conflicting)));
}

// ---- when it is missing -------------------------------------------------------------------

#[test]
fn missing_setting_reasons() {
    let nf = Some(EntraObserved::Unknown(EntraReason::NotFound));
    // Settled top frame of the settings page.
    assert_eq!(observed(&facts(ENTRA_PAGE, decoys())), nf);
    assert_eq!(observed(&facts(PORTAL_PAGE, decoys())), nf);
    assert_eq!(observed(&facts(ENTRA_PAGE, vec![])), Some(EntraObserved::Unknown(EntraReason::NotLoaded)));
    // Still loading: nothing to record.
    for ms in [0.0, 100.0, f64::from(ENTRA_SITE.settle_ms) - 1.0, f64::NAN] {
        let f = EntraFacts { elapsed_ms: ms, ..facts(ENTRA_PAGE, decoys()) };
        assert_eq!(observed(&f), None, "at {ms} ms");
    }
    let f = EntraFacts { elapsed_ms: f64::from(ENTRA_SITE.settle_ms), ..facts(ENTRA_PAGE, decoys()) };
    assert_eq!(observed(&f), nf);
    // Signed out: at once, settled or not.
    for ms in [0.0, SETTLED] {
        let f = EntraFacts { signed_out: true, elapsed_ms: ms, ..facts(ENTRA_PAGE, vec![]) };
        assert_eq!(observed(&f), Some(EntraObserved::Unknown(EntraReason::SignedOut)));
    }
    // A frame below the top in a tab on another page, or another page, never reports a
    // missing setting.
    assert_eq!(observed(&frame_facts(ENTRA_PAGE, OTHER_BLADE, decoys())), None);
    assert_eq!(observed(&facts(OTHER_BLADE, decoys())), None);
    assert_eq!(observed(&EntraFacts { signed_out: true, ..facts(OTHER_BLADE, vec![]) }), None);
    // Found wins over a sign-in form elsewhere on the page.
    let f = EntraFacts { signed_out: true, ..facts(ENTRA_PAGE, vec![group("LinkedIn account connections", &EN, Some(0))]) };
    assert_eq!(observed(&f), Some(EntraObserved::Option(EntraOption::Yes)));
}

#[test]
fn found_anywhere_on_the_portals_but_nowhere_else() {
    let g = || vec![group("LinkedIn account connections", &EN, Some(1))];
    // Another blade or a frame below the top: still the setting when it shows it.
    assert_eq!(observed(&facts(OTHER_BLADE, g())), Some(EntraObserved::Option(EntraOption::SelectedGroup)));
    assert_eq!(
        observed(&EntraFacts { top: false, ..facts("https://portal.azure.com/blade/frame.html", g()) }),
        Some(EntraObserved::Option(EntraOption::SelectedGroup))
    );
    // Not the portals: nothing at all.
    for url in ["https://www.linkedin.com/mypreferences/", "https://evil.example/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings", "garbage"] {
        let out = scan(&facts(url, g()));
        assert!(out.marks.is_empty() && out.observation.is_none(), "{url}");
    }
}

#[test]
fn hostile_sizes_are_bounded() {
    let mut groups: Vec<GroupFacts> = (0..5000).map(|_| group("Users can register applications", &["Yes", "No"], Some(0))).collect();
    groups.push(group("LinkedIn account connections", &EN, Some(0)));
    let out = scan(&facts(ENTRA_PAGE, groups));
    // Past the bound, the setting is not looked at: reported as not found, never guessed.
    assert!(out.marks.is_empty());
    assert_eq!(out.observation.map(|o| o.observed), Some(EntraObserved::Unknown(EntraReason::NotFound)));
    let long = "LinkedIn account connections ".repeat(10_000);
    let out = scan(&facts(ENTRA_PAGE, vec![group(&long, &EN, Some(0))]));
    assert!(out.marks.is_empty());
}

// ---- wire forms -----------------------------------------------------------------------

#[test]
fn wire_forms() {
    let out = scan(&facts(ENTRA_PAGE, vec![group("Users can register applications", &["Yes", "No"], Some(0)), group("LinkedIn account connections", &EN, Some(0))]));
    assert_eq!(
        serde_json::to_value(&out).unwrap(),
        json!({
            "marks": [{"index": 1, "state": "yes", "look": "exposed",
                       "label": {"key": "entraMarkYes", "args": ["CIS 1.1.18"]}}],
            "observation": {"state": "yes", "recommended": "no"}
        })
    );
    let out = scan(&facts(ENTRA_PAGE, vec![group("LinkedIn account connections", &EN, Some(1))]));
    assert_eq!(serde_json::to_value(out.observation).unwrap(), json!({"state": "selected-group", "recommended": "no"}));
    let out = scan(&facts(ENTRA_PAGE, vec![group("LinkedIn account connections", &EN, Some(2))]));
    assert_eq!(serde_json::to_value(&out.marks[0]).unwrap()["look"], "protective");
    let out = scan(&facts(ENTRA_PAGE, vec![]));
    assert_eq!(
        serde_json::to_value(&out).unwrap(),
        json!({"marks": [], "observation": {"state": "unknown", "reason": "not-loaded", "recommended": "no"}})
    );
    let out = scan(&EntraFacts { elapsed_ms: 0.0, ..facts(ENTRA_PAGE, vec![]) });
    assert_eq!(serde_json::to_value(&out).unwrap(), json!({"marks": [], "observation": null}));
    let out = scan(&facts(ENTRA_PAGE, vec![group("LinkedIn account connections", &EN, None)]));
    assert_eq!(
        serde_json::to_value(&out.marks[0]).unwrap(),
        json!({"index": 0, "state": "unknown", "look": "unknown",
               "label": {"key": "entraMarkUnknown", "args": [{"key": "entraReasonAmbiguous"}]}})
    );
}

#[test]
fn observations_read_back() {
    for (wire, want) in [
        (json!({"state": "yes", "recommended": "no"}), EntraObserved::Option(EntraOption::Yes)),
        (json!({"state": "selected-group"}), EntraObserved::Option(EntraOption::SelectedGroup)),
        (json!({"state": "no", "recommended": "no"}), EntraObserved::Option(EntraOption::No)),
        (json!({"state": "unknown", "reason": "signed-out"}), EntraObserved::Unknown(EntraReason::SignedOut)),
        (json!({"state": "unknown", "reason": "conflicting"}), EntraObserved::Unknown(EntraReason::Conflicting)),
        (json!({"state": "unknown"}), EntraObserved::Unknown(EntraReason::NotFound)),
    ] {
        let o: EntraObservation = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(o.observed, want, "{wire}");
    }
    // A state or reason this version does not know (written by another version) reads as
    // unknown, never as an option.
    for foreign in [json!({"state": "on"}), json!({"state": "unknown", "reason": "loading"}), json!({"state": "maybe", "reason": 3})] {
        let o: EntraObservation = serde_json::from_value(foreign.clone()).unwrap();
        assert_eq!(o.observed, EntraObserved::Unknown(EntraReason::NotFound), "{foreign}");
    }
    for bad in [json!({}), json!("no"), json!({"state": 1})] {
        assert!(serde_json::from_value::<EntraObservation>(bad.clone()).is_err(), "{bad} must be refused");
    }
    // Facts: missing fields default; wrong types are refused.
    let f: EntraFacts = serde_json::from_value(json!({"url": ENTRA_PAGE, "groups": [{"labels": ["x"], "radios": [{"label": "Yes"}]}]})).unwrap();
    assert!(!f.top && f.groups[0].radios[0].checked.is_none());
    assert!(serde_json::from_value::<EntraFacts>(json!({"url": 5})).is_err());
    assert!(serde_json::from_value::<EntraFacts>(json!({"groups": [{"radios": [{"checked": "yes"}]}]})).is_err());
}

#[test]
fn words_exist_in_the_english_catalogue() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../extension/_locales/en/messages.json");
    let en: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut texts = vec![
        describe(EntraObserved::Option(EntraOption::Yes)),
        describe(EntraObserved::Option(EntraOption::SelectedGroup)),
        describe(EntraObserved::Option(EntraOption::No)),
    ];
    for r in [EntraReason::SignedOut, EntraReason::NotLoaded, EntraReason::NotFound, EntraReason::Ambiguous, EntraReason::Conflicting] {
        texts.push(describe(EntraObserved::Unknown(r)));
    }
    for t in texts {
        let rendered = t.render(&mut |key, args| {
            let msg = en[key]["message"].as_str().unwrap_or_else(|| panic!("en catalogue lacks {key}")).to_string();
            args.iter().enumerate().fold(msg, |m, (i, a)| m.replace(&format!("${}", i + 1), a))
        });
        assert!(!rendered.contains('$'), "unfilled placeholder in {rendered:?}");
        assert!(rendered.contains("LinkedIn account connections"), "{rendered:?}");
    }
    let yes = describe(EntraObserved::Option(EntraOption::Yes))
        .render(&mut |key, args| en[key]["message"].as_str().unwrap().replace("$1", args.first().map_or("", |a| a)));
    assert_eq!(yes, "LinkedIn account connections: Yes (CIS 1.1.18 recommends No)");
}

#[test]
fn a_radio_is_selected_by_its_checked_property_or_else_its_aria_checked() {
    for (checked, aria, want) in [
        (Some(true), None, Some(true)),
        (Some(false), Some("true"), Some(false)), // an input's own property wins
        (None, Some("true"), Some(true)),
        (None, Some(" false "), Some(false)),
        (None, Some("mixed"), None),
        (None, Some(""), None),
        (None, None, None),
    ] {
        let r = RadioFacts { label: "No".into(), checked, aria_checked: aria.map(String::from) };
        assert_eq!(r.selected(), want, "checked {checked:?}, aria-checked {aria:?}");
    }
}

#[test]
fn a_known_answer_outlasts_a_not_found_for_a_minute_and_nothing_else() {
    use opt_out_lens_core::entra::{record, EntraRecord};
    let obs = |o: EntraObserved| EntraObservation { observed: o };
    let no = EntraObserved::Option(EntraOption::No);
    let stored = |o: EntraObserved, at: f64| EntraRecord { observation: obs(o), checked_at: at, url: "u".into() };
    let kept = |prev: Option<&EntraRecord>, o: EntraObserved, now: f64| record(prev, obs(o), now, "v").is_none();
    let known = stored(no, 1_000.0);
    let unknown = stored(EntraObserved::Unknown(EntraReason::Ambiguous), 1_000.0);
    for (previous, seen, now, keep) in [
        (Some(&known), EntraObserved::Unknown(EntraReason::NotFound), 30_000.0, true),
        (Some(&known), EntraObserved::Unknown(EntraReason::NotLoaded), 60_999.0, true),
        (Some(&known), EntraObserved::Unknown(EntraReason::NotFound), 61_000.0, false),
        (Some(&known), EntraObserved::Unknown(EntraReason::Conflicting), 2_000.0, false),
        (Some(&known), EntraObserved::Unknown(EntraReason::SignedOut), 2_000.0, false),
        (Some(&known), EntraObserved::Option(EntraOption::Yes), 2_000.0, false),
        (Some(&unknown), EntraObserved::Unknown(EntraReason::NotFound), 2_000.0, false),
        (None, EntraObserved::Unknown(EntraReason::NotFound), 2_000.0, false),
    ] {
        assert_eq!(kept(previous, seen, now), keep, "{previous:?} then {seen:?} at {now}");
    }
    let fresh = record(Some(&known), obs(EntraObserved::Option(EntraOption::Yes)), 5.0, "v").expect("replaced");
    assert_eq!((fresh.checked_at, fresh.url.as_str()), (5.0, "v"));
    // Stored as the observation's fields beside checkedAt and url.
    let wire = serde_json::to_value(&fresh).expect("json");
    assert_eq!(wire, json!({"state": "yes", "recommended": "no", "checkedAt": 5.0, "url": "v"}));
    assert_eq!(serde_json::from_value::<EntraRecord>(wire).expect("read back"), fresh);
}
