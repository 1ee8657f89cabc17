//! Property tests: [`parse`] never panics and every span it returns can be
//! used to slice the input, on random and mutated input.

use super::super::*;
use super::{check_commands, check_script};
use proptest::prelude::*;

/// Real RUN lines that the mutation strategy starts from.
const SEEDS: &[&str] = &[
    "set -eux; apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*",
    "if [ -f package-lock.json ]; then npm ci; else npm install; fi",
    "(cd web && npm run build)",
    "for f in a b; do echo $f; done",
    "echo \"a && b\" 'c;d' > /tmp/x 2>&1",
    "cat <<EOF > /etc/conf\nkey=value\nEOF",
    "x=$(git rev-parse HEAD) make && ! true &",
    "case \"$1\" in a|b) echo `date` ;; *) exit 1 ;; esac",
    "export A=1 B=\"${C:-$(d)}\" && [[ $A == 1 ]] || { echo é; } >&2",
];

/// Characters that exercise the shell grammar, plus multi-byte ones.
const ALPHABET: &[char] = &[
    'a', 'b', 'x', '0', '1', ' ', '\t', '\n', ';', '&', '|', '!', '(', ')', '{', '}', '[', ']',
    '<', '>', '$', '`', '\'', '"', '\\', '#', '=', '*', '?', '~', '-', ',', '.', '/', ':', '%',
    'é', '→', '😀', '\u{0}',
];

fn shellish_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::sample::select(ALPHABET),
        1 => any::<char>(),
    ]
}

fn shellish_string() -> impl Strategy<Value = String> {
    proptest::collection::vec(shellish_char(), 0..60).prop_map(|cs| cs.into_iter().collect())
}

/// An edit: position (scaled to the string), kind, inserted character.
fn mutated_seed() -> impl Strategy<Value = String> {
    (
        0..SEEDS.len(),
        proptest::collection::vec(
            (any::<prop::sample::Index>(), 0u8..3, shellish_char()),
            1..6,
        ),
    )
        .prop_map(|(seed, edits)| {
            let mut chars: Vec<char> = SEEDS[seed].chars().collect();
            for (at, kind, c) in edits {
                let i = at.index(chars.len() + 1);
                match kind {
                    0 => chars.insert(i, c),
                    1 if i < chars.len() => {
                        chars.remove(i);
                    }
                    _ if i < chars.len() => chars[i] = c,
                    _ => chars.push(c),
                }
            }
            chars.into_iter().collect()
        })
}

fn check(src: &str) {
    let script = parse(src);
    check_script(src, &script);
    check_commands(src, &script);
    // The helpers walk everything without panicking too.
    let all = script.all_simple_commands().count();
    assert!(script.simple_commands().count() <= all);
    // A word's literal prefix is its whole value when it has one, and what
    // rules match on is that prefix (plus `$?` when an expansion follows).
    for c in script.all_simple_commands() {
        for w in &c.words {
            let prefix = super::super::literal::literal_prefix(&w.raw);
            match &w.literal {
                Some(v) => {
                    assert_eq!(prefix.as_deref(), Some(v.as_str()), "{:?}", w.raw);
                    assert_eq!(&w.pattern_text(), v);
                }
                None => {
                    let text = w.pattern_text();
                    assert_eq!(
                        text,
                        format!("{}$?", prefix.unwrap_or_default()),
                        "{:?}",
                        w.raw
                    );
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2500))]

    #[test]
    fn random_strings(src in shellish_string()) {
        check(&src);
    }

    #[test]
    fn mutated_run_lines(src in mutated_seed()) {
        check(&src);
    }
}

#[test]
fn seeds_parse_cleanly() {
    for src in SEEDS {
        let script = parse(src);
        assert!(script.errors.is_empty(), "{src:?}: {:?}", script.errors);
        check_commands(src, &script);
    }
}
