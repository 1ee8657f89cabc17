//! dfsplit: turn a single-stage Dockerfile into a multi-stage one.
pub mod rules;
pub mod syntax;
