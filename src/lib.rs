//! dfsplit: turn a single-stage Dockerfile into a multi-stage one.
//!
//! A pure library core (`syntax` → `model` → `plan` → `emit`, with `rules`
//! holding the language profiles); the `dfsplit` binary is a thin front end.
pub mod emit;
pub mod host;
pub mod model;
pub mod plan;
pub mod rules;
pub mod syntax;
pub mod verify;
