//! Reading a Dockerfile from disk or a stream without holding more of it
//! in memory than the parser would accept: at most
//! [`MAX_INPUT_BYTES`]` + 1` bytes are kept. Whether the input is too large
//! is decided by the parse entry ([`syntax::parse_read`]), which gets the
//! bytes read and the input's whole size from here.

use crate::syntax::{self, Dockerfile, MAX_INPUT_BYTES, NotUtf8};
use std::io::{self, Read};
use std::path::Path;

/// A Dockerfile as read: all its bytes when it is within the limit, else
/// none of them, with its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The input's bytes; empty when it is over [`MAX_INPUT_BYTES`].
    pub bytes: Vec<u8>,
    /// The input's whole size in bytes.
    pub size: u64,
}

impl Input {
    /// Parses what was read ([`syntax::parse_read`]): an input over the
    /// limit gives the tree with the `TooLarge` diagnostic.
    pub fn parse(&self) -> Result<Dockerfile, NotUtf8> {
        syntax::parse_read(&self.bytes, self.size)
    }
}

/// Reads the file at `path`. A regular file whose length is over the limit
/// is not read at all; anything else is read as a stream ([`read_from`]).
pub fn read_file(path: &Path) -> io::Result<Input> {
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() && meta.len() > MAX_INPUT_BYTES as u64 {
        return Ok(Input {
            bytes: Vec::new(),
            size: meta.len(),
        });
    }
    read_from(file)
}

/// Reads a stream (standard input, a pipe, a file whose length the file
/// system does not tell) to its end, keeping at most [`MAX_INPUT_BYTES`]` +
/// 1` bytes: past the limit the rest is only counted, so the size is exact
/// and memory stays bounded, and a writer on the other end of a pipe is not
/// cut off.
pub fn read_from(mut r: impl Read) -> io::Result<Input> {
    let mut bytes = Vec::new();
    (&mut r)
        .take(MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() <= MAX_INPUT_BYTES {
        let size = bytes.len() as u64;
        return Ok(Input { bytes, size });
    }
    let rest = io::copy(&mut r, &mut io::sink())?;
    Ok(Input {
        size: bytes.len() as u64 + rest,
        bytes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_within_the_limit_is_read_whole() {
        let text = b"FROM alpine\nRUN true\n";
        let input = read_from(&text[..]).expect("read");
        assert_eq!(input.bytes, text);
        assert_eq!(input.size, text.len() as u64);
        let at_limit = vec![b'#'; MAX_INPUT_BYTES];
        let input = read_from(&at_limit[..]).expect("read");
        assert_eq!(input.bytes.len(), MAX_INPUT_BYTES);
        assert!(!input.parse().expect("UTF-8").too_large());
    }

    #[test]
    fn a_stream_over_the_limit_is_counted_not_kept() {
        let big = vec![b'#'; 3 * MAX_INPUT_BYTES + 7];
        let input = read_from(&big[..]).expect("read");
        assert!(input.bytes.is_empty());
        assert_eq!(input.size, big.len() as u64);
        let df = input.parse().expect("not checked for UTF-8");
        assert!(df.too_large());
        assert!(
            df.diagnostics[0]
                .message
                .contains("3,145,735 bytes (3.0 MiB)"),
            "{}",
            df.diagnostics[0].message
        );
    }

    #[test]
    fn a_file_over_the_limit_is_not_read() {
        let dir = std::env::temp_dir().join(format!("dfsplit-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tmp");
        let path = dir.join("Dockerfile");
        // Invalid UTF-8 past the limit: the size is what matters, not the bytes.
        let mut big = b"FROM alpine\n".to_vec();
        big.resize(MAX_INPUT_BYTES + 1, 0xff);
        std::fs::write(&path, &big).expect("write");
        let input = read_file(&path).expect("read");
        assert!(input.bytes.is_empty());
        assert_eq!(input.size, MAX_INPUT_BYTES as u64 + 1);
        assert!(input.parse().expect("too large, not NotUtf8").too_large());
        std::fs::write(&path, b"FROM alpine\n").expect("write");
        let input = read_file(&path).expect("read");
        assert_eq!(input.bytes, b"FROM alpine\n");
        std::fs::remove_dir_all(&dir).ok();
    }
}
