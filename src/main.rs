//! The `dfsplit` command line. All work happens in the library; this front end
//! reads files, prints and chooses the exit code.
mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
