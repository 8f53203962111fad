//! Words for people, as keys of the browser's i18n catalogue
//! (`extension/_locales/<lang>/messages.json`) with their substitutions. The core decides
//! what to say; the shell says it in the person's language with `i18n.getMessage`.

use serde::Serialize;

/// One message and its substitutions (`$1`, `$2`, … in the catalogue).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Text {
    /// Message name in `messages.json`.
    pub key: &'static str,
    /// Substitutions, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<Arg>,
}

/// A substitution: plain text (a number), a date, or another message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Arg {
    /// Another message, resolved first.
    Text(Text),
    /// A calendar date (YYYY-MM-DD), written the way the person's language writes dates.
    Date {
        /// The date.
        date: String,
    },
    /// Text used as it is.
    Plain(String),
}

impl Arg {
    /// A calendar date (YYYY-MM-DD).
    pub fn date(date: impl Into<String>) -> Arg {
        Arg::Date { date: date.into() }
    }
}

impl Text {
    /// A message without substitutions.
    pub fn new(key: &'static str) -> Text {
        Text { key, args: Vec::new() }
    }

    /// Adds the next substitution.
    pub fn arg(mut self, arg: impl Into<Arg>) -> Text {
        self.args.push(arg.into());
        self
    }

    /// Renders with `lookup(key, substitutions)`, resolving nested messages first.
    pub fn render(&self, lookup: &mut dyn FnMut(&str, &[String]) -> String) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| match a {
                Arg::Text(t) => t.render(lookup),
                Arg::Date { date } => date.clone(),
                Arg::Plain(s) => s.clone(),
            })
            .collect();
        lookup(self.key, &args)
    }
}

impl From<Text> for Arg {
    fn from(t: Text) -> Arg {
        Arg::Text(t)
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Plain(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Plain(s.to_string())
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Arg {
        Arg::Plain(n.to_string())
    }
}
