//! Image references: `[registry/]repo[:tag][@digest]`.

use serde::Serialize;

/// A FROM image, as written and as resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageRef {
    /// As written (variables unexpanded).
    pub raw: String,
    /// With global ARGs expanded.
    pub resolved: String,
    /// Repository without tag or digest, e.g. `node`, `gcr.io/distroless/static-debian12`.
    pub name: String,
    /// The tag, if any.
    pub tag: Option<String>,
    /// The digest, if any.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Splits a resolved reference.
    pub fn parse(raw: &str, resolved: &str) -> ImageRef {
        let (rest, digest) = match resolved.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (resolved, None),
        };
        // A tag follows the last ':' after the last '/' (a registry port has a '/' after it).
        let last_slash = rest.rfind('/').map_or(0, |p| p + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(p) => (
                rest[..last_slash + p].to_string(),
                Some(rest[last_slash + p + 1..].to_string()),
            ),
            None => (rest.to_string(), None),
        };
        let name = name
            .strip_prefix("docker.io/library/")
            .or_else(|| name.strip_prefix("docker.io/"))
            .or_else(|| name.strip_prefix("library/"))
            .unwrap_or(&name)
            .to_string();
        ImageRef {
            raw: raw.to_string(),
            resolved: resolved.to_string(),
            name,
            tag,
            digest,
        }
    }

    /// `scratch`: the empty image.
    pub fn is_scratch(&self) -> bool {
        self.name == "scratch"
    }

    /// The leading number of the tag (`20` of `node:20-bookworm`), if any.
    pub fn tag_major(&self) -> Option<&str> {
        let tag = self.tag.as_deref()?;
        let end = tag.find(|c: char| !c.is_ascii_digit()).unwrap_or(tag.len());
        (end > 0).then(|| &tag[..end])
    }
}

#[cfg(test)]
mod tests {
    use super::ImageRef;

    #[test]
    fn splits_registry_tag_and_digest() {
        let i = ImageRef::parse("x", "localhost:5000/team/app:1.2@sha256:ab");
        assert_eq!(i.name, "localhost:5000/team/app");
        assert_eq!(i.tag.as_deref(), Some("1.2"));
        assert_eq!(i.digest.as_deref(), Some("sha256:ab"));
        let i = ImageRef::parse("x", "docker.io/library/node:20-bookworm");
        assert_eq!(i.name, "node");
        assert_eq!(i.tag_major(), Some("20"));
        let i = ImageRef::parse("x", "localhost:5000/app");
        assert_eq!(i.name, "localhost:5000/app");
        assert_eq!(i.tag, None);
    }
}
