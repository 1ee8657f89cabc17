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
    /// Splits a resolved reference (the rules' parser: Docker Hub prefixes
    /// and `library/` removed, so `docker.io/library/node` is `node`).
    pub fn parse(raw: &str, resolved: &str) -> ImageRef {
        let parsed = crate::rules::ImageRef::parse(resolved);
        ImageRef {
            raw: raw.to_string(),
            resolved: resolved.to_string(),
            name: parsed.name,
            tag: parsed.tag,
            digest: parsed.digest,
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
