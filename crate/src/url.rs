//! Just enough URL parsing for LinkedIn's page addresses (a full URL crate would double
//! the wasm for what is a host check, a path and a query parameter).

/// The parts of a URL the core looks at.
#[derive(Debug, PartialEq, Eq)]
pub struct Location {
    /// Lower-case host name, without port.
    pub host: String,
    /// Path, percent-decoded, without query or fragment; always starts with `/`.
    pub path: String,
    /// Raw query string, without `?`.
    pub query: String,
}

impl Location {
    /// Parses an absolute `https://` URL; anything else is `None`.
    pub fn parse(url: &str) -> Option<Location> {
        let rest = url.trim().strip_prefix("https://")?;
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        // Credentials in the authority are a spoofing trick; refuse them.
        if authority.contains('@') {
            return None;
        }
        let host = authority.split(':').next()?.to_ascii_lowercase();
        let rest = &rest[authority_end..];
        let rest = rest.split('#').next().unwrap_or("");
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let path = if path.is_empty() { "/".to_string() } else { percent_decode(path) };
        Some(Location { host, path, query: query.to_string() })
    }

    /// Whether this is LinkedIn's main site, the host of the rules' `origin` (any port, so
    /// loopback test servers work).
    pub fn is_linkedin(&self) -> bool {
        self.host == crate::catalogue::SITE.host
    }

    /// The decoded value of the first query parameter called `name`.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == name).then(|| percent_decode(&v.replace('+', " ")))
        })
    }
}

/// Decodes `%XX` escapes; invalid escapes stay as they are.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `path` with a mirrored tree's prefix (the rules' `path_aliases`) replaced by the
/// catalogued one.
pub fn canonical_path(path: &str) -> String {
    for a in crate::catalogue::SITE.path_aliases {
        if let Some(rest) = path.strip_prefix(a.from) {
            return format!("{}{rest}", a.to);
        }
    }
    path.to_string()
}

/// Whether two paths on LinkedIn are the same page (trailing slash and mirrored trees aside).
pub fn same_path(a: &str, b: &str) -> bool {
    canonical_path(a).trim_end_matches('/') == canonical_path(b).trim_end_matches('/')
}
