//! An entrypoint script of the app (`ENTRYPOINT ["./docker-entrypoint.sh"]`,
//! `CMD sh start.sh`): read from the build context and classified line by
//! line, as the start command is. Its `exec` line is the start command; the
//! other lines must be harmless, or run something the profile can check is in
//! the runtime (a migration such as `npx prisma migrate deploy`, `node
//! migrate.js`, `python manage.py migrate`). Anything else leaves the file
//! unchanged, naming the line.

use super::entry::Entry;
use crate::model::{Context, join_path};
use crate::rules::Rules;
use crate::rules::pattern::program_basename;
use crate::syntax::shell;

/// What an entrypoint script runs.
#[derive(Debug, Clone, Default)]
pub(crate) struct EntryScript {
    /// The script's path in the build context.
    pub path: String,
    /// The programs it runs with their literal arguments, in order: the
    /// migrations and other app commands, then what `exec` starts (for
    /// `exec "$@"`, the arguments the entry passes the script: the CMD).
    pub runs: Vec<Vec<String>>,
    /// It ends in `exec "$@"`.
    execs_args: bool,
}

/// The shells a script of the app may be run with (`sh start.sh`, a
/// `#!/bin/bash` line).
const SCRIPT_SHELLS: &[&str] = &["sh", "bash", "dash", "ash"];

/// Shell builtins and utilities a script uses to set itself up; they change
/// nothing the image must provide beyond a shell.
const SCRIPT_BUILTINS: &[&str] = &[
    "set", "cd", "export", "unset", ":", "[", "test", "echo", "printf", "true", "false", "trap",
    "shift", "umask", "ulimit", "sleep", "wait", "local", "return", "exit", "read",
];

/// Commands a script may run before the server that the runtime can carry:
/// a database migration or seed through the app's own tools. The profile
/// then checks that each program is in the runtime (Node: node, npx and the
/// app's package binaries, which must then survive the prune).
fn app_command(words: &[String]) -> Option<&'static str> {
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    match w.as_slice() {
        ["npx", "prisma", "migrate", "deploy", ..] | ["prisma", "migrate", "deploy", ..] => {
            Some("applies Prisma's migrations to the database")
        }
        ["npx", "prisma", "db", "push", ..] => Some("pushes Prisma's schema to the database"),
        [py, manage, "migrate", ..]
            if py.starts_with("python") && manage.ends_with("manage.py") =>
        {
            Some("applies Django's migrations to the database")
        }
        // Console scripts of packages the app installs (in the venv the
        // runtime takes whole): Flask-Migrate's and Alembic's migrations.
        ["flask", "db", "upgrade", ..] => {
            Some("applies Flask-Migrate's migrations to the database")
        }
        ["alembic", "upgrade", ..] => Some("applies Alembic's migrations to the database"),
        [node, file, ..]
            if *node == "node" && [".js", ".mjs", ".cjs"].iter().any(|e| file.ends_with(e)) =>
        {
            Some("runs a script of the app with node")
        }
        [py, file, ..] if py.starts_with("python") && file.ends_with(".py") => {
            Some("runs a script of the app with python")
        }
        // `python -c CODE`: inline code run with the app's own interpreter
        // and packages (a wait for the database, a table check), which the
        // runtime keeps at the same paths.
        [py, "-c", _, ..] if is_python(py) => Some("runs inline code with the app's python"),
        _ => None,
    }
}

/// `python`, `python3`, `python3.N`.
fn is_python(p: &str) -> bool {
    p == "python"
        || p == "python3"
        || p.strip_prefix("python3.")
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()))
}

/// The word of the entry that names the script it runs, if it runs one:
/// `./entrypoint.sh`, `/docker-entrypoint.sh` (the first word), or the
/// second word after a shell (`sh start.sh`, `/bin/bash start.sh`), with its
/// index in the entry's argv.
pub(crate) fn script_word(entry: &Entry) -> Option<(&str, usize)> {
    let argv = &entry.argv;
    let first = argv.first()?;
    let name = program_basename(first);
    if SCRIPT_SHELLS.contains(&name) {
        let second = argv.get(1)?;
        if second.starts_with('-') {
            return None;
        }
        Some((second, 1))
    } else if first.ends_with(".sh") || (first.contains('/') && name.contains("entrypoint")) {
        Some((first, 0))
    } else {
        None
    }
}

/// The script the entry runs ([`script_word`]), as an image path resolved
/// against the entry's working directory, with the word's index.
fn script_path(entry: &Entry) -> Option<(String, usize)> {
    script_word(entry).map(|(w, at)| (join_path(&entry.workdir, w), at))
}

/// The context file the image's `path` was copied from: the file at the
/// same place under the working directory when the sources were copied
/// there, else the one context file with that name. `None` when no file or
/// several match.
fn context_file(ctx: &Context, path: &str, workdir: &str) -> Option<String> {
    let wd = format!("{}/", workdir.trim_end_matches('/'));
    if let Some(rel) = path.strip_prefix(&wd)
        && ctx.has(rel)
    {
        return Some(rel.to_string());
    }
    let name = path.rsplit('/').next()?;
    let mut found = ctx
        .files
        .iter()
        .filter(|f| f.rsplit('/').next() == Some(name));
    let one = found.next()?;
    found.next().is_none().then(|| one.clone())
}

/// Reads and classifies the entry's script. `Ok(None)` when the entry runs
/// no script; `Err(reason)` when it runs one whose effect cannot be shown
/// (not in the context, or a line no rule knows).
pub(crate) fn read(
    entry: &Entry,
    ctx: Option<&Context>,
    rules: &Rules,
) -> Result<Option<EntryScript>, String> {
    let Some((path, at)) = script_path(entry) else {
        return Ok(None);
    };
    let Some(ctx) = ctx else {
        return Err(format!(
            "the entry runs the script {path}, and without the build context what it runs cannot be shown"
        ));
    };
    let Some(file) = context_file(ctx, &path, &entry.workdir) else {
        return Err(format!(
            "the entry runs the script {path}, which is not a file of the build context, so what it runs cannot be shown"
        ));
    };
    let Some(text) = ctx.text(&file) else {
        return Err(format!(
            "the entry runs the script {file}, which was not read (too large, or not text), so what it runs cannot be shown"
        ));
    };
    let mut script = classify(&file, text, rules)?;
    let args = &entry.argv[at + 1..];
    if script.execs_args && !args.is_empty() {
        script.runs.push(args.to_vec());
    }
    Ok(Some(script))
}

/// Classifies each command of the script `file` (text `text`).
fn classify(file: &str, text: &str, rules: &Rules) -> Result<EntryScript, String> {
    let shebang = text.lines().next().filter(|l| l.starts_with("#!"));
    if let Some(interp) = shebang {
        let prog = interp[2..].split_whitespace().collect::<Vec<_>>();
        let shell_name = match prog.as_slice() {
            [env, name, ..] if env.ends_with("/env") => *name,
            [p, ..] => program_basename(p),
            [] => "",
        };
        if !SCRIPT_SHELLS.contains(&shell_name) {
            return Err(format!(
                "the entry runs {file}, a `{}` script; only shell scripts are read",
                interp.trim()
            ));
        }
    }
    let parsed = shell::parse(text);
    if parsed.has_errors() {
        return Err(format!(
            "the entry runs {file}, whose shell text could not be parsed"
        ));
    }
    let line_of = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
    let mut script = EntryScript {
        path: file.to_string(),
        ..EntryScript::default()
    };
    let commands: Vec<_> = parsed.all_simple_commands().collect();
    let last = commands.len().saturating_sub(1);
    for (n, c) in commands.into_iter().enumerate() {
        let Some(prog) = c.name() else {
            if c.words.is_empty() {
                continue; // an assignment
            }
            return Err(unknown(file, line_of(c.span.start), &text[c.span.clone()]));
        };
        let words: Option<Vec<String>> = std::iter::once(Some(prog))
            .chain(c.literal_args())
            .map(|w| w.map(str::to_string))
            .collect();
        if prog == "exec" {
            let rest: Vec<String> = c.args().iter().map(|w| w.raw.clone()).collect();
            let runs_cmd = matches!(
                rest.iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .as_slice(),
                ["\"$@\""] | ["$@"]
            );
            if runs_cmd {
                script.execs_args = true;
                continue;
            }
            match words {
                Some(w) if w.len() > 1 => script.runs.push(w[1..].to_vec()),
                _ => return Err(unknown(file, line_of(c.span.start), &text[c.span.clone()])),
            }
            continue;
        }
        let base = program_basename(prog);
        if SCRIPT_BUILTINS.contains(&base) {
            continue;
        }
        let lits: Vec<String> = c.args().iter().map(|w| w.pattern_text()).collect();
        if rules.is_harmless(prog, &lits) {
            continue;
        }
        match words {
            Some(w) if app_command(&w).is_some() => script.runs.push(w),
            // The script's last command without `exec` (or the last of an
            // `if` branch) is the start command all the same, run as the
            // shell's child (as in the original).
            Some(w) if n == last || ends_branch(text, c.span.end) => script.runs.push(w),
            _ => return Err(unknown(file, line_of(c.span.start), &text[c.span.clone()])),
        }
    }
    Ok(script)
}

/// Whether what follows `at` in `text` (blanks, `;`, comments aside) closes
/// a branch: `else`, `elif`, `fi`, `;;`, `esac`, or the end of the script.
fn ends_branch(text: &str, at: usize) -> bool {
    let mut rest = text.get(at..).unwrap_or("");
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ';');
        if rest.starts_with('#') {
            rest = rest.split_once('\n').map_or("", |(_, r)| r);
            continue;
        }
        break;
    }
    if rest.is_empty() || text[at..].trim_start().starts_with(";;") {
        return true;
    }
    let word = rest
        .split(|c: char| c.is_whitespace() || c == ';')
        .next()
        .unwrap_or("");
    matches!(word, "else" | "elif" | "fi" | "esac")
}

fn unknown(file: &str, line: usize, cmd: &str) -> String {
    format!(
        "the entry runs {file}, and no rule knows its line {line} (`{}`), so what the runtime needs for it cannot be shown",
        cmd.trim()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules::embedded().expect("rules")
    }

    #[test]
    fn migration_then_exec_of_the_cmd() {
        let s = classify(
            "docker-entrypoint.sh",
            "#!/bin/sh\nset -e\necho migrating\nnpx prisma migrate deploy\nexec \"$@\"\n",
            &rules(),
        )
        .expect("known");
        assert_eq!(s.runs, vec![vec!["npx", "prisma", "migrate", "deploy"]]);
    }

    #[test]
    fn exec_line_is_the_start_command() {
        let s = classify(
            "start.sh",
            "#!/bin/bash\npython manage.py migrate --noinput\nexec gunicorn app:app -b 0.0.0.0:8000\n",
            &rules(),
        )
        .expect("known");
        assert_eq!(s.runs[0][2], "migrate");
        assert_eq!(s.runs[1], vec!["gunicorn", "app:app", "-b", "0.0.0.0:8000"]);
    }

    #[test]
    fn an_unknown_line_is_named() {
        let err = classify(
            "entrypoint.sh",
            "#!/bin/sh\n\nwait-for-it db:5432\nexec node server.js\n",
            &rules(),
        )
        .unwrap_err();
        assert!(err.contains("line 3 (`wait-for-it db:5432`)"), "{err}");
    }

    #[test]
    fn the_last_command_is_the_start_command_without_exec() {
        let s = classify("start.sh", "#!/bin/sh\nflask db upgrade\n", &rules());
        assert_eq!(s.expect("known").runs, vec![vec!["flask", "db", "upgrade"]]);
        let err = classify("start.sh", "#!/bin/sh\nflask seed\nflask run\n", &rules());
        assert!(err.unwrap_err().contains("line 2 (`flask seed`)"));
    }

    /// Migrations through console scripts of the app's own packages are
    /// known lines before the server.
    #[test]
    fn flask_migrate_and_alembic_migrations_are_known() {
        for (line, prog) in [
            ("flask db upgrade", "flask"),
            ("alembic upgrade head", "alembic"),
        ] {
            let text = format!("#!/bin/sh\n{line}\nexec gunicorn app:app\n");
            let s = classify("start.sh", &text, &rules()).expect("known");
            assert_eq!(s.runs[0][0], prog);
            assert_eq!(s.runs[1], vec!["gunicorn", "app:app"]);
        }
        let err = classify(
            "start.sh",
            "#!/bin/sh\nalembic downgrade base\nexec gunicorn app:app\n",
            &rules(),
        );
        assert!(
            err.unwrap_err()
                .contains("line 2 (`alembic downgrade base`)")
        );
    }

    #[test]
    fn inline_python_is_carried_and_dirname_is_harmless() {
        let s = classify(
            "entrypoint.sh",
            "#!/bin/sh\nset -e\nDIR=\"$(cd \"$(dirname \"$0\")\" && pwd)\"\ncd \"$DIR\"\nuntil python -c 'import socket; socket.create_connection((\"db\", 5432))'; do sleep 1; done\nexec python3 app.py\n",
            &rules(),
        )
        .expect("known");
        assert_eq!(s.runs.len(), 2, "{:?}", s.runs);
        assert_eq!(s.runs[0][..2], ["python", "-c"]);
        assert_eq!(s.runs[1], ["python3", "app.py"]);
        // `python -m MODULE` is not inline code of the app: it may be any tool.
        let err = classify(
            "entrypoint.sh",
            "#!/bin/sh\npython -m pip install extra\nexec python app.py\n",
            &rules(),
        )
        .unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }

    /// The script's word follows a shell however the shell is named; a
    /// shell's path is never taken for the script.
    #[test]
    fn the_script_follows_a_shell_given_by_its_path() {
        let entry = |argv: &[&str]| Entry {
            entrypoint: None,
            cmd: None,
            argv: argv.iter().map(|s| s.to_string()).collect(),
            commands: Vec::new(),
            shell_form: false,
            workdir: "/srv/api".into(),
        };
        for (argv, word) in [
            (&["/bin/bash", "start.sh"][..], Some(("start.sh", 1))),
            (&["bash", "start.sh"][..], Some(("start.sh", 1))),
            (&["/usr/bin/env"][..], None),
            (&["/bin/sh", "-c", "x.sh"][..], None),
            (
                &["./docker-entrypoint.sh", "gunicorn"][..],
                Some(("./docker-entrypoint.sh", 0)),
            ),
            (&["gunicorn", "api:app"][..], None),
        ] {
            assert_eq!(script_word(&entry(argv)), word, "{argv:?}");
        }
        assert_eq!(
            script_path(&entry(&["/bin/bash", "start.sh"])),
            Some(("/srv/api/start.sh".to_string(), 1))
        );
    }

    #[test]
    fn not_a_shell_script() {
        let err = classify("run.sh", "#!/usr/bin/env python3\nprint(1)\n", &rules()).unwrap_err();
        assert!(err.contains("only shell scripts"), "{err}");
    }
}
