//! dfsplit: turn a single-stage Dockerfile into a multi-stage one.
pub mod emit;
pub mod model;
pub mod syntax;
