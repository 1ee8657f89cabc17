//! What both containers are run with: `--env`, `--env-file`, `--volume` and
//! the arguments after `--`. Environment values are secrets: they reach
//! `docker run` through the docker client's environment (`-e KEY`), never its
//! command line, and every text verify prints has them masked.

use std::path::{Path, PathBuf};

/// `--env KEY=VALUE` and `--env-file FILE`.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// In the order given; a later KEY wins, as with `docker run`.
    pub vars: Vec<(String, String)>,
    pub files: Vec<PathBuf>,
    /// The values masked in output (those of `vars` and of the files).
    secrets: Vec<String>,
}

/// Variables added to the docker client's environment.
pub type ClientEnv = Vec<(String, String)>;

/// Keys the docker client itself reads: such a value must not be put in the
/// client's own environment. They go through a private env-file instead.
fn client_reads(key: &str) -> bool {
    matches!(
        key.to_ascii_uppercase().as_str(),
        "PATH" | "HOME" | "TMPDIR" | "HTTP_PROXY" | "HTTPS_PROXY" | "NO_PROXY" | "ALL_PROXY"
    ) || key.to_ascii_uppercase().starts_with("DOCKER_")
        || key.starts_with("BUILDKIT_")
}

/// Values shorter than this are not masked: masking every `1` or `on` in an
/// app's output would make it unreadable, and such values are no secrets.
const MIN_SECRET: usize = 4;

impl Env {
    /// Checks `--env` values and reads `--env-file`s for the values to mask.
    /// Errors name the key or the file, never a value.
    pub fn new(pairs: &[String], files: &[PathBuf]) -> Result<Env, String> {
        let mut env = Env::default();
        for (i, p) in pairs.iter().enumerate() {
            let Some((k, v)) = p.split_once('=') else {
                return Err(format!(
                    "--env #{}: expected KEY=VALUE (the value is not shown)",
                    i + 1
                ));
            };
            check_key(k).map_err(|e| format!("--env {e}"))?;
            env.secrets.push(v.to_string());
            env.vars.push((k.to_string(), v.to_string()));
        }
        for f in files {
            let text = std::fs::read_to_string(f)
                .map_err(|e| format!("--env-file {}: {e}", f.display()))?;
            for (n, line) in text.lines().enumerate() {
                let line = line.trim_start();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                match line.split_once('=') {
                    Some((k, v)) => {
                        check_key(k.trim_end())
                            .map_err(|e| format!("{}:{}: {e}", f.display(), n + 1))?;
                        env.secrets.push(v.to_string());
                    }
                    // `KEY` alone: docker takes the value from its own environment.
                    None => {
                        if let Ok(v) = std::env::var(line.trim_end()) {
                            env.secrets.push(v);
                        }
                    }
                }
            }
            env.files.push(f.clone());
        }
        env.secrets.retain(|s| s.len() >= MIN_SECRET);
        // Longest first, so a value containing another is masked whole.
        env.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        env.secrets.dedup();
        Ok(env)
    }

    /// The keys given with `--env`, for the report.
    pub fn keys(&self) -> Vec<String> {
        let mut k: Vec<String> = self.vars.iter().map(|(k, _)| k.clone()).collect();
        k.dedup();
        k
    }

    /// `docker run` arguments and the client environment that carries the
    /// values. Keys the client reads itself go into a private env-file
    /// (mode 0600) in `work`, which the caller's temp folder removes.
    pub fn docker_args(&self, work: &Path) -> Result<(Vec<String>, ClientEnv), String> {
        let mut args = Vec::new();
        let mut client = Vec::new();
        let mut private = String::new();
        for (k, v) in &self.vars {
            if client_reads(k) {
                if v.contains(['\n', '\r']) {
                    return Err(format!(
                        "--env {k}: a value with a line break cannot be passed for this key"
                    ));
                }
                private.push_str(&format!("{k}={v}\n"));
            } else {
                args.extend(["-e".to_string(), k.clone()]);
                client.retain(|(c, _): &(String, String)| c != k);
                client.push((k.clone(), v.clone()));
            }
        }
        for f in &self.files {
            args.extend(["--env-file".to_string(), f.display().to_string()]);
        }
        if !private.is_empty() {
            let path = work.join("env-private");
            write_private(&path, &private).map_err(|e| format!("{}: {e}", path.display()))?;
            args.extend(["--env-file".to_string(), path.display().to_string()]);
        }
        Ok((args, client))
    }

    /// `text` with every secret value replaced by `***` (also as it appears
    /// inside a JSON string).
    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            out = out.replace(s.as_str(), "***");
            let json = serde_json::to_string(s).unwrap_or_default();
            let inner = json.trim_matches('"');
            if inner != s {
                out = out.replace(inner, "***");
            }
        }
        out
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

fn check_key(k: &str) -> Result<(), String> {
    let ok = !k.is_empty()
        && !k.starts_with(|c: char| c.is_ascii_digit())
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{}`: not a variable name (letters, digits, _ . -)",
            k.escape_default()
        ))
    }
}

/// `--volume HOST:CONTAINER[:ro]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    /// The host path, absolute.
    pub host: PathBuf,
    pub container: String,
    pub read_only: bool,
}

impl Volume {
    pub fn parse(spec: &str) -> Result<Volume, String> {
        let parts: Vec<&str> = spec.split(':').collect();
        let (host, container, read_only) = match parts.as_slice() {
            [h, c] => (*h, *c, false),
            [h, c, "ro"] => (*h, *c, true),
            [h, c, "rw"] => (*h, *c, false),
            _ => {
                return Err(format!(
                    "--volume {spec}: expected HOST:CONTAINER[:ro] (no `:` inside the paths)"
                ));
            }
        };
        if host.is_empty() || !container.starts_with('/') || spec.contains(',') {
            return Err(format!(
                "--volume {spec}: expected HOST:CONTAINER[:ro], CONTAINER absolute, no `,`"
            ));
        }
        let host =
            std::fs::canonicalize(host).map_err(|e| format!("--volume {spec}: {host}: {e}"))?;
        Ok(Volume {
            host,
            container: container.to_string(),
            read_only,
        })
    }

    pub fn show(&self) -> String {
        format!(
            "{}:{}{}",
            self.host.display(),
            self.container,
            if self.read_only { ":ro" } else { "" }
        )
    }
}

/// `-v` arguments for one container (`which`: original or rewrite): a
/// writable volume is a fresh copy of the host path under `work/volumes/which/N`,
/// so one container's writes never reach the other; a read-only one is the
/// host path itself.
pub fn volume_args(volumes: &[Volume], work: &Path, which: &str) -> Result<Vec<String>, String> {
    let mut args = Vec::new();
    for (i, v) in volumes.iter().enumerate() {
        let src = if v.read_only {
            v.host.clone()
        } else {
            let dst = work.join("volumes").join(which).join(i.to_string());
            if let Some(parent) = dst.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            copy_tree(&v.host, &dst)
                .map_err(|e| format!("cannot copy {} for the {which}: {e}", v.host.display()))?;
            dst
        };
        args.extend([
            "-v".to_string(),
            format!(
                "{}:{}{}",
                src.display(),
                v.container,
                if v.read_only { ":ro" } else { "" }
            ),
        ]);
    }
    Ok(args)
}

/// Copies a file or folder with its modes (and owners, when allowed);
/// symbolic links are copied as links.
pub fn copy_tree(src: &Path, dst: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::symlink_metadata(src)?;
    if meta.file_type().is_symlink() {
        std::os::unix::fs::symlink(std::fs::read_link(src)?, dst)?;
        return Ok(());
    }
    if meta.is_dir() {
        std::fs::create_dir(dst)?;
        for e in std::fs::read_dir(src)? {
            let e = e?;
            copy_tree(&e.path(), &dst.join(e.file_name()))?;
        }
    } else {
        std::fs::copy(src, dst)?;
    }
    std::fs::set_permissions(dst, meta.permissions())?;
    // Owners as on the host: only root may give files away; others keep theirs.
    let _ = std::os::unix::fs::chown(dst, Some(meta.uid()), Some(meta.gid()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("dfsplit-options-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn env_values_travel_outside_the_command_line() {
        let work = tmp("env");
        let env = Env::new(
            &[
                "API_KEY=s3cr3t-value".into(),
                "EMPTY=".into(),
                "PATH=/app/bin:/usr/bin".into(),
            ],
            &[],
        )
        .unwrap();
        let (args, client) = env.docker_args(&work).unwrap();
        let private = work.join("env-private");
        assert_eq!(
            args,
            vec![
                "-e".to_string(),
                "API_KEY".into(),
                "-e".into(),
                "EMPTY".into(),
                "--env-file".into(),
                private.display().to_string()
            ]
        );
        assert!(args.iter().all(|a| !a.contains("s3cr3t")));
        assert_eq!(
            client,
            vec![
                ("API_KEY".to_string(), "s3cr3t-value".to_string()),
                ("EMPTY".into(), String::new())
            ]
        );
        // PATH would change which docker client runs: it goes through the private file.
        assert_eq!(
            std::fs::read_to_string(&private).unwrap(),
            "PATH=/app/bin:/usr/bin\n"
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&private).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(env.keys(), vec!["API_KEY", "EMPTY", "PATH"]);
        let _ = std::fs::remove_dir_all(work);
    }

    #[test]
    fn env_errors_never_show_values() {
        let e = Env::new(&["no-equals-secret".into()], &[]).unwrap_err();
        assert!(!e.contains("secret"), "{e}");
        let e = Env::new(&["BAD KEY=secret".into()], &[]).unwrap_err();
        assert!(e.contains("BAD KEY") && !e.contains("secret"), "{e}");
        let work = tmp("envfile");
        let f = work.join("app.env");
        std::fs::write(&f, "# comment\nTOKEN=tok-123456\n\nBAD KEY=hidden-value\n").unwrap();
        let e = Env::new(&[], std::slice::from_ref(&f)).unwrap_err();
        assert!(
            e.ends_with(":4: `BAD KEY`: not a variable name (letters, digits, _ . -)"),
            "{e}"
        );
        assert!(!e.contains("hidden"), "{e}");
        let _ = std::fs::remove_dir_all(work);
    }

    #[test]
    fn masking() {
        let work = tmp("mask");
        let f = work.join("app.env");
        std::fs::write(&f, "TOKEN=tok-123456\nSHORT=on\n").unwrap();
        let env = Env::new(
            &["API_KEY=s3cr3t\"q".into(), "LONG=s3cr3t\"q-and-more".into()],
            std::slice::from_ref(&f),
        )
        .unwrap();
        assert_eq!(
            env.mask("key s3cr3t\"q-and-more / s3cr3t\"q / tok-123456 / on"),
            "key *** / *** / *** / on"
        );
        // As it appears in JSON output.
        let json = serde_json::to_string("got s3cr3t\"q").unwrap();
        assert_eq!(env.mask(&json), "\"got ***\"");
        let (args, _) = env.docker_args(&work).unwrap();
        assert_eq!(
            &args[args.len() - 2..],
            ["--env-file".to_string(), f.display().to_string()]
        );
        let _ = std::fs::remove_dir_all(work);
    }

    #[test]
    fn volumes() {
        let work = tmp("vol");
        let data = work.join("data");
        std::fs::create_dir_all(data.join("sub")).unwrap();
        std::fs::write(data.join("sub/a.txt"), "a").unwrap();
        std::os::unix::fs::symlink("sub/a.txt", data.join("link")).unwrap();
        let rw = Volume::parse(&format!("{}:/srv/data", data.display())).unwrap();
        assert!(!rw.read_only && rw.container == "/srv/data");
        let ro = Volume::parse(&format!("{}:/etc/app:ro", data.display())).unwrap();
        assert!(ro.read_only);
        assert!(Volume::parse("/nonexistent-dfsplit:/x").is_err());
        assert!(Volume::parse(&format!("{}:relative", data.display())).is_err());
        assert!(Volume::parse(&format!("{}:/x:rx", data.display())).is_err());

        let vols = [rw, ro];
        let a = volume_args(&vols, &work, "original").unwrap();
        let b = volume_args(&vols, &work, "rewrite").unwrap();
        let copy_a = work.join("volumes/original/0");
        let copy_b = work.join("volumes/rewrite/0");
        assert_eq!(a[1], format!("{}:/srv/data", copy_a.display()));
        assert_eq!(b[1], format!("{}:/srv/data", copy_b.display()));
        // Read-only: the host folder itself, shared.
        assert_eq!(a[3], format!("{}:/etc/app:ro", data.display()));
        assert_eq!(a[3], b[3]);
        // Each copy is whole and separate.
        assert_eq!(std::fs::read_to_string(copy_a.join("link")).unwrap(), "a");
        std::fs::write(copy_a.join("sub/a.txt"), "written by the original").unwrap();
        assert_eq!(
            std::fs::read_to_string(copy_b.join("sub/a.txt")).unwrap(),
            "a"
        );
        assert_eq!(
            std::fs::read_to_string(data.join("sub/a.txt")).unwrap(),
            "a"
        );
        let _ = std::fs::remove_dir_all(work);
    }
}
