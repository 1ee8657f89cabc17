//! dfsplit: turn a single-stage Dockerfile into a multi-stage one.
//!
//! A pure library core (`syntax` → `model` → `plan` → `emit`, with `rules`
//! holding the language profiles), answered through one call,
//! [`analyze`], whose [`Analysis`] `report` turns into text and JSON; the
//! `dfsplit` binary is a thin front end.
pub mod analysis;
pub mod bot;
pub mod config;
pub mod emit;
pub mod gitignore;
pub mod glob;
pub mod host;
pub mod lsp;
pub mod model;
pub mod plan;
pub mod report;
pub mod rules;
pub mod syntax;
pub mod verify;
pub mod workspace;

pub use analysis::{Analysis, analyze};
