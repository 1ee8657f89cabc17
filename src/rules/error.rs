//! Errors of loading and validating rule files.

use std::fmt;
use std::path::PathBuf;

use serde_saphyr::MessageFormatter;

/// Where in a rule file something is: `FILE:LINE:COL`, `FILE:LINE` or `FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLocation {
    /// File name as shown to the user (`rules/node.yaml` for embedded files,
    /// the overlay path otherwise).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// 1-based column, when known.
    pub column: Option<u64>,
}

impl SourceLocation {
    /// A location naming only the file.
    pub fn file(file: impl Into<String>) -> Self {
        SourceLocation {
            file: file.into(),
            line: None,
            column: None,
        }
    }

    /// A location with line and column.
    pub fn at(file: impl Into<String>, line: u64, column: u64) -> Self {
        SourceLocation {
            file: file.into(),
            line: Some(line),
            column: Some(column),
        }
    }
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        Ok(())
    }
}

/// Everything that can go wrong while loading rules.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The YAML is malformed or does not fit the schema (unknown key, wrong
    /// type, missing key).
    #[error("{at}: {message}")]
    Yaml {
        /// Where the parser stopped.
        at: SourceLocation,
        /// What it found, without location.
        message: String,
    },
    /// The file parsed but breaks a rule of the schema (duplicate id, unknown
    /// placeholder, dangling reference, ...).
    #[error("{at}: {message}")]
    Invalid {
        /// The offending file, and line when it could be found.
        at: SourceLocation,
        /// What is wrong.
        message: String,
    },
    /// The overlay directory or one of its files cannot be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path being read.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The overlay path exists but is not a directory.
    #[error("{}: rules overlay must be a directory", path.display())]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
}

impl RulesError {
    /// Where the error is, for errors tied to a rule file.
    pub fn location(&self) -> Option<&SourceLocation> {
        match self {
            RulesError::Yaml { at, .. } | RulesError::Invalid { at, .. } => Some(at),
            RulesError::Io { .. } | RulesError::NotADirectory { .. } => None,
        }
    }

    pub(crate) fn from_yaml(file: &str, err: &serde_saphyr::Error) -> Self {
        let inner = err.without_snippet();
        let message: String = serde_saphyr::DefaultMessageFormatter
            .format_message(inner)
            .chars()
            .flat_map(|c| {
                if c.is_control() {
                    c.escape_default().collect::<Vec<_>>()
                } else {
                    vec![c]
                }
            })
            .collect();
        let at = match err.location() {
            Some(loc) if loc.line() > 0 => SourceLocation::at(file, loc.line(), loc.column()),
            _ => SourceLocation::file(file),
        };
        RulesError::Yaml { at, message }
    }

    pub(crate) fn invalid(at: SourceLocation, message: impl Into<String>) -> Self {
        RulesError::Invalid {
            at,
            message: message.into(),
        }
    }
}
