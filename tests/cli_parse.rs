//! `dfsplit parse`: output formats and the exit-code contract (0 parsed,
//! 2 with `FILE:LINE:COL: message` when not, never 101).

mod common;

use std::path::Path;
use std::process::Output;

fn dfsplit(args: &[&str], stdin: Option<&[u8]>) -> Output {
    common::dfsplit(Path::new(env!("CARGO_MANIFEST_DIR")), args, stdin)
}

use common::text;

#[test]
fn buildkit_format_prints_buildkit_dump() {
    let out = dfsplit(
        &["parse", "-", "--format", "buildkit"],
        Some(b"from node:20 AS build\nENV A=1 B=\"two words\"\nCOPY --from=x a b/\nCMD [\"node\", \"s.js\"]\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        concat!(
            "(from \"node:20\" \"AS\" \"build\")\n",
            "(env \"A\" \"1\" \"=\" \"B\" \"\\\"two words\\\"\" \"=\")\n",
            "(copy [\"--from=x\"] \"a\" \"b/\")\n",
            "(cmd \"node\" \"s.js\")\n",
        )
    );
}

#[test]
fn json_format_has_spans_and_keywords() {
    let out = dfsplit(&["parse", "-"], Some(b"FROM alpine\nRUN echo hi\n"));
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let items = v["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["type"], "instruction");
    assert_eq!(items[1]["keyword"], "run");
    assert_eq!(items[1]["span"]["start"], 12);
    assert_eq!(items[1]["span"]["end"], 24);
}

#[test]
fn syntax_error_exits_2_with_location() {
    let dir = std::env::temp_dir().join(format!("dfsplit-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let file = dir.join("Dockerfile");
    std::fs::write(&file, "FROM busybox\n\nENV PATH\nRUN ok\n").expect("write");
    let path = file.to_str().expect("utf-8 path");
    let out = dfsplit(&["parse", path], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(
        err.starts_with(&format!("{path}:3:5: error: ENV must have two arguments")),
        "{err}"
    );
}

#[test]
fn bad_inputs_exit_2_never_101() {
    for (args, input) in [
        (vec!["parse", "-"], &b"FROM a\n\xff\xfe\n"[..]),
        (vec!["parse", "-"], &b""[..]),
        (vec!["parse", "-"], &b"# only a comment\n"[..]),
        (vec!["parse", "/nonexistent/Dockerfile"], &b""[..]),
        (vec!["parse", "-", "--format", "yaml"], &b"FROM a\n"[..]),
        (vec!["frobnicate"], &b""[..]),
    ] {
        let out = dfsplit(&args, Some(input));
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!out.stderr.is_empty(), "{args:?} says why");
    }
    let out = dfsplit(&["parse", "-"], Some(b"FROM a\n\xff\n"));
    assert!(
        text(&out.stderr).starts_with("<stdin>:2:1: error: "),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn instruction_level_problems_are_reported_but_parse_succeeds() {
    let out = dfsplit(
        &["parse", "-", "--format", "buildkit"],
        Some(b"FROM a\nFOO bar\n"),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "(from \"a\")\n(foo \"\")\n");
    assert!(
        text(&out.stderr)
            .contains("<stdin>:2:1: error (docker build rejects this): unknown instruction: FOO")
    );
}
