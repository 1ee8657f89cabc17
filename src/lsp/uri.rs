//! `file:` URIs ↔ paths. Only `file:` documents have a folder on disk (their
//! build context); any other scheme (`untitled:`, …) is analysed without a
//! context, as the CLI does for standard input.

use lsp_types::Uri;
use std::path::PathBuf;
use std::str::FromStr;

/// The path of a `file:` URI (percent-escapes decoded), else `None`.
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s
        .strip_prefix("file://")
        .or_else(|| s.strip_prefix("FILE://"))?;
    // `file://host/path`: only an empty host or localhost is this machine.
    let slash = rest.find('/')?;
    let (host, path) = rest.split_at(slash);
    if !(host.is_empty() || host.eq_ignore_ascii_case("localhost")) {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes = percent_decode(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
    }
    #[cfg(not(unix))]
    {
        // `/C:/x` → `C:/x`
        let text = String::from_utf8(bytes).ok()?;
        let text = match text.as_bytes() {
            [b'/', d, b':', ..] if d.is_ascii_alphabetic() => text[1..].to_string(),
            _ => text,
        };
        Some(PathBuf::from(text))
    }
}

/// The `file:` URI of an absolute path.
pub fn from_path(path: &std::path::Path) -> Option<Uri> {
    let text = path.to_str()?.replace('\\', "/");
    let mut s = String::from("file://");
    if !text.starts_with('/') {
        s.push('/');
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&s).ok()
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_round_trip_with_escapes() {
        let p = std::path::Path::new("/tmp/my app/é#1/Dockerfile");
        let uri = from_path(p).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/my%20app/%C3%A9%231/Dockerfile");
        assert_eq!(to_path(&uri).as_deref(), Some(p));
    }

    #[test]
    fn other_schemes_and_hosts_have_no_path() {
        for s in ["untitled:Untitled-1", "file://server/share/Dockerfile"] {
            assert_eq!(to_path(&Uri::from_str(s).unwrap()), None, "{s}");
        }
        let local = Uri::from_str("file://localhost/srv/Dockerfile").unwrap();
        assert_eq!(to_path(&local), Some(PathBuf::from("/srv/Dockerfile")));
    }
}
