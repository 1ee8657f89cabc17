//! Host I/O shared by every front end (the CLI, the editor server, the PR
//! bot): reading the build context from disk, and a Dockerfile without
//! holding more of it than the parser accepts. The pure layers (`syntax`,
//! `model`, `plan`) never touch the file system; this module and `verify` do.

pub mod context;
pub mod dockerignore;
pub mod input;
