//! A first guess at the person's region, from the browser's time zone and languages;
//! the options page shows it and lets the person change it.

use crate::catalogue::Region;

/// EU and EEA countries' European time zones (`Europe/<city>`); other European zones
/// (Moscow, Istanbul, Kyiv, Belgrade, …) are outside the EU and EEA.
const EU_ZONES: &[&str] = &[
    "Amsterdam", "Athens", "Berlin", "Bratislava", "Brussels", "Bucharest", "Budapest", "Busingen",
    "Copenhagen", "Dublin", "Helsinki", "Lisbon", "Ljubljana", "Luxembourg", "Madrid", "Malta",
    "Mariehamn", "Nicosia", "Oslo", "Paris", "Prague", "Riga", "Rome", "Sofia", "Stockholm",
    "Tallinn", "Vaduz", "Vienna", "Vilnius", "Warsaw", "Zagreb",
];
const EU_COUNTRIES: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
];

/// Guesses the region from an IANA time zone (e.g. `Europe/Berlin`) and the browser's
/// language tags (e.g. `["de-DE", "en"]`). The time zone wins; a language's country
/// decides only when the zone says nothing.
pub fn guess(time_zone: &str, languages: &[String]) -> Region {
    by_zone(time_zone).or_else(|| languages.iter().find_map(|l| by_country(l.rsplit(['-', '_']).next()?))).unwrap_or(Region::Other)
}

fn by_zone(tz: &str) -> Option<Region> {
    let (area, city) = tz.split_once('/')?;
    Some(match (area, city) {
        ("Europe", "London" | "Belfast" | "Guernsey" | "Isle_of_Man" | "Jersey") => Region::Uk,
        ("Europe", "Zurich") => Region::Ch,
        ("Europe", c) if EU_ZONES.contains(&c) => Region::Eu,
        ("Atlantic", "Canary" | "Madeira" | "Azores" | "Faroe" | "Reykjavik") => Region::Eu,
        ("Asia", "Hong_Kong") => Region::Hk,
        ("America", c) if c.starts_with("Toronto") || matches!(c, "Vancouver" | "Edmonton" | "Winnipeg" | "Halifax" | "St_Johns" | "Regina" | "Moncton" | "Whitehorse" | "Yellowknife" | "Iqaluit" | "Glace_Bay" | "Goose_Bay" | "Swift_Current" | "Dawson_Creek" | "Creston" | "Fort_Nelson" | "Rankin_Inlet" | "Cambridge_Bay" | "Inuvik" | "Dawson" | "Atikokan" | "Blanc-Sablon" | "Montreal") => Region::Ca,
        ("America", c) if matches!(c, "New_York" | "Chicago" | "Denver" | "Los_Angeles" | "Phoenix" | "Anchorage" | "Detroit" | "Boise" | "Juneau" | "Sitka" | "Nome" | "Adak" | "Menominee" | "Metlakatla" | "Yakutat") || c.starts_with("Indiana/") || c.starts_with("Kentucky/") || c.starts_with("North_Dakota/") => Region::Us,
        ("Pacific", "Honolulu") => Region::Us,
        _ => return None,
    })
}

fn by_country(country: &str) -> Option<Region> {
    let c = country.to_ascii_uppercase();
    Some(match c.as_str() {
        "GB" | "UK" => Region::Uk,
        "CH" => Region::Ch,
        "CA" => Region::Ca,
        "HK" => Region::Hk,
        "US" => Region::Us,
        c if EU_COUNTRIES.contains(&c) => Region::Eu,
        _ => return None,
    })
}
