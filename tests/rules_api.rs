//! The rules query API on real commands and image references, the overlay
//! directory, and the docs-per-rule requirement.

use std::path::{Path, PathBuf};

use dfsplit::rules::{
    CommandMatchResult, PackageClass, PackageManager, RejectReason, Role, Rules, RulesError,
};

fn rules() -> Rules {
    match Rules::embedded() {
        Ok(r) => r,
        Err(e) => panic!("embedded rules must load: {e}"),
    }
}

fn argv(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

/// Splits `cmd` into program and args and classifies it.
fn classify<'a>(r: &'a Rules, cmd: &str) -> Option<CommandMatchResult<'a>> {
    let words = argv(cmd);
    let (program, args) = words.split_first()?;
    r.classify_command(program, args)
}

fn rule_of(r: &Rules, cmd: &str) -> Option<String> {
    classify(r, cmd).map(|m| m.rule.id.clone())
}

#[test]
fn profile_detection() {
    let r = rules();
    let cases = [
        ("node:20-bookworm", Some("node")),
        ("docker.io/library/node:22-alpine", Some("node")),
        ("golang:1.23", Some("go")),
        ("python:3.11-slim", Some("python")),
        ("maven:3.9-eclipse-temurin-21", Some("java")),
        ("gradle:8.10-jdk21", Some("java")),
        ("eclipse-temurin:21-jdk", Some("java")),
        ("openjdk:17-jdk-slim", Some("java")),
        ("mcr.microsoft.com/dotnet/sdk:8.0", Some("dotnet")),
        ("ubuntu:24.04", None),
        ("", None),
    ];
    for (image, want) in cases {
        assert_eq!(
            r.profile_for_image(image).map(|p| p.id.as_str()),
            want,
            "{image}"
        );
    }
    let by_manifest = |f: &str| -> Vec<String> {
        r.profiles_for_manifest(f)
            .iter()
            .map(|p| p.id.clone())
            .collect()
    };
    assert_eq!(by_manifest("package.json"), ["node"]);
    assert_eq!(by_manifest("go.mod"), ["go"]);
    assert_eq!(by_manifest("src/Api/Api.csproj"), ["dotnet"]);
    assert_eq!(by_manifest("requirements-dev.txt"), ["python"]);
    assert_eq!(by_manifest("uv.lock"), ["python"]);
    assert_eq!(by_manifest("build.gradle.kts"), ["java"]);
    assert!(by_manifest("Makefile").is_empty());
    assert_eq!(
        r.profile_for_program("/usr/local/bin/npm")
            .map(|p| p.id.as_str()),
        Some("node")
    );
}

#[test]
fn command_rules_on_real_commands() {
    let r = rules();
    let cases = [
        ("npm ci", "node/install", Role::InstallDeps),
        ("npm install", "node/install", Role::InstallDeps),
        ("npm i --no-audit", "node/install", Role::InstallDeps),
        ("npm ci --omit=dev", "node/install-prod", Role::RuntimeSetup),
        ("npm ci --omit dev", "node/install-prod", Role::RuntimeSetup),
        (
            "npm install --production=false",
            "node/install",
            Role::InstallDeps,
        ),
        (
            "yarn install --frozen-lockfile",
            "node/install",
            Role::InstallDeps,
        ),
        (
            "yarn --frozen-lockfile",
            "node/yarn-bare",
            Role::InstallDeps,
        ),
        (
            "yarn install --production",
            "node/install-prod",
            Role::RuntimeSetup,
        ),
        (
            "pnpm install --prod",
            "node/install-prod",
            Role::RuntimeSetup,
        ),
        (
            "npm prune --omit=dev",
            "node/prune-prod",
            Role::RuntimeSetup,
        ),
        (
            "npm install -g pm2",
            "node/install-global-runtime-tool",
            Role::BuildToolAtRuntime,
        ),
        (
            "npm install -g typescript",
            "node/install-global",
            Role::Build,
        ),
        ("npm run build", "node/run-build", Role::Build),
        ("npm run build:prod", "node/run-build", Role::Build),
        ("yarn build", "node/pm-build", Role::Build),
        ("pnpm build", "node/pm-build", Role::Build),
        ("pnpm run build", "node/run-build", Role::Build),
        ("tsc -p tsconfig.build.json", "node/tsc", Role::Build),
        ("npx tsc --noEmit", "node/tsc-noemit", Role::Test),
        ("npx vite build", "node/framework-build", Role::Build),
        ("npm test", "node/pm-test", Role::Test),
        ("npm run lint", "node/run-test", Role::Test),
        ("go mod download", "go/mod-download", Role::InstallDeps),
        (
            "go build -o /app/server ./cmd/server",
            "go/build",
            Role::Build,
        ),
        ("go build -ldflags=-s -o app .", "go/build", Role::Build),
        ("go test ./...", "go/test", Role::Test),
        ("go vet ./...", "go/vet", Role::Test),
        ("golangci-lint run", "go/lint", Role::Test),
        (
            "pip install --no-cache-dir -r requirements.txt",
            "python/pip-install-requirements",
            Role::InstallDeps,
        ),
        (
            "pip3 install --upgrade pip",
            "python/pip-install-packages",
            Role::InstallDeps,
        ),
        ("pip install .", "python/pip-install-project", Role::Build),
        (
            "python -m pip install -r requirements/prod.txt",
            "python/pip-install-requirements",
            Role::InstallDeps,
        ),
        (
            "python3 -m venv /opt/venv",
            "python/venv-create",
            Role::InstallDeps,
        ),
        (
            "poetry install --no-root",
            "python/poetry-install",
            Role::InstallDeps,
        ),
        (
            "poetry install --only main --no-root",
            "python/poetry-install-prod",
            Role::RuntimeSetup,
        ),
        ("uv sync --frozen", "python/uv-sync", Role::InstallDeps),
        (
            "uv sync --frozen --no-dev",
            "python/uv-sync-prod",
            Role::RuntimeSetup,
        ),
        (
            "pipenv install --deploy --system",
            "python/pipenv-install",
            Role::InstallDeps,
        ),
        ("pytest -q", "python/test", Role::Test),
        ("poetry run pytest", "python/test", Role::Test),
        ("python -m pytest tests", "python/test", Role::Test),
        ("ruff check .", "python/lint", Role::Test),
        (
            "python manage.py collectstatic --noinput",
            "python/collectstatic",
            Role::Build,
        ),
        (
            "mvn -B dependency:go-offline",
            "java/mvn-go-offline",
            Role::InstallDeps,
        ),
        (
            "mvn -B -DskipTests clean package",
            "java/mvn-package",
            Role::Build,
        ),
        ("./mvnw package", "java/mvn-package", Role::Build),
        ("mvn verify", "java/mvn-test", Role::Test),
        ("gradle build -x test", "java/gradle-build", Role::Build),
        (
            "./gradlew bootJar --no-daemon",
            "java/gradle-build",
            Role::Build,
        ),
        ("gradle test", "java/gradle-test", Role::Test),
        ("dotnet restore", "dotnet/restore", Role::InstallDeps),
        (
            "dotnet publish -c Release -o /app/publish",
            "dotnet/publish",
            Role::Build,
        ),
        (
            "dotnet publish -c Release -r linux-x64 --self-contained -o out",
            "dotnet/publish-self-contained",
            Role::Build,
        ),
        ("dotnet test", "dotnet/test", Role::Test),
    ];
    for (cmd, id, role) in cases {
        let m = classify(&r, cmd).unwrap_or_else(|| panic!("no rule for `{cmd}`"));
        assert_eq!((m.rule.id.as_str(), m.rule.role), (id, role), "{cmd}");
    }
    for cmd in [
        "ls -la",
        "apt-get install -y gcc",
        "npm",
        "go",
        "node server.js",
        "python app.py",
    ] {
        assert_eq!(rule_of(&r, cmd), None, "{cmd}");
    }
    assert_eq!(
        r.match_command("npm", &["ci"]).map(|c| c.id.as_str()),
        Some("node/install")
    );
}

#[test]
fn captures_resolve_produced_and_read_paths() {
    let r = rules();
    let m = classify(&r, "go build -o /app/server ./cmd/server").unwrap();
    assert_eq!(m.captures["output"], "/app/server");
    assert_eq!(m.produces()[0].path.as_deref(), Some("/app/server"));

    let m = classify(&r, "go build ./...").unwrap();
    assert_eq!(m.produces()[0].path, None, "binary name unknown without -o");

    let m = classify(&r, "dotnet publish src/Api/Api.csproj --output=/out").unwrap();
    assert_eq!(m.produces()[0].path.as_deref(), Some("/out"));
    let m = classify(&r, "dotnet publish -c Release").unwrap();
    assert_eq!(
        m.produces()[0].path.as_deref(),
        Some("bin/Release/*/publish")
    );

    let m = classify(&r, "python -m pip install -r requirements.txt").unwrap();
    assert_eq!(m.via, ["python/python-m"]);
    assert_eq!(m.reads(), ["requirements.txt"]);
    assert_eq!(
        m.produces()[0].path.as_deref(),
        Some("/usr/local/lib/python3*/site-packages")
    );
    let m = classify(&r, "pip install -r req.txt --target /deps").unwrap();
    assert_eq!(m.produces()[0].path.as_deref(), Some("/deps"));

    let m = classify(&r, "python3 -m venv /opt/venv").unwrap();
    assert_eq!(m.produces()[0].path.as_deref(), Some("/opt/venv"));

    let m = classify(&r, "mvn package").unwrap();
    assert_eq!(m.produces()[0].path.as_deref(), Some("target/*.jar"));
}

#[test]
fn gates_and_launchers() {
    let r = rules();
    let gate = |cmd: &str| {
        let w = argv(cmd);
        r.match_gate(&w[0], &w[1..]).map(|(_, g)| g.id.clone())
    };
    let cases = [
        ("go run ./cmd/server", Some("go/gate-go-run")),
        ("mvn spring-boot:run", Some("java/gate-mvn-run")),
        ("./gradlew bootRun", Some("java/gate-gradle-run")),
        ("dotnet run --project src/Api", Some("dotnet/gate-run")),
        ("dotnet watch run", Some("dotnet/gate-run")),
        ("npm run dev", Some("node/gate-run-dev")),
        ("yarn dev", Some("node/gate-pm-dev")),
        ("nodemon server.js", Some("node/gate-nodemon")),
        ("ts-node src/index.ts", Some("node/gate-ts-node")),
        ("npx ts-node src/index.ts", Some("node/gate-ts-node")),
        ("next dev", Some("node/gate-framework-dev")),
        (
            "flask run --host=0.0.0.0 --reload",
            Some("python/gate-flask-reload"),
        ),
        (
            "python -m flask run --reload",
            Some("python/gate-flask-reload"),
        ),
        (
            "uvicorn app.main:app --reload",
            Some("python/gate-uvicorn-reload"),
        ),
        // Django's development server needs only Django and the app: it is
        // split, with a warning (core/dev-server-kept), not gated.
        ("python manage.py runserver 0.0.0.0:8000", None),
        ("poetry run gunicorn app:app", Some("python/gate-tool-run")),
        ("node dist/index.js", None),
        ("flask run --host=0.0.0.0", None),
        ("gunicorn -b :8000 app:app", None),
        ("java -jar app.jar", None),
        ("dotnet Api.dll", None),
        ("/app/server", None),
    ];
    for (cmd, want) in cases {
        assert_eq!(gate(cmd).as_deref(), want, "{cmd}");
    }
    let launcher = |cmd: &str| {
        let w = argv(cmd);
        r.match_launcher(&w[0], &w[1..]).map(|(_, g)| g.id.clone())
    };
    assert_eq!(launcher("npm start").as_deref(), Some("node/launch-start"));
    assert_eq!(
        launcher("npm run start:prod").as_deref(),
        Some("node/launch-run-start")
    );
    assert_eq!(
        launcher("pm2-runtime ecosystem.config.js").as_deref(),
        Some("node/launch-pm2")
    );
    assert_eq!(launcher("node server.js"), None);
}

fn images(r: &Rules, builder: &str) -> Vec<String> {
    r.runtime_candidates(builder)
        .into_iter()
        .map(|c| c.image)
        .collect()
}

#[test]
fn runtime_candidates_resolve_tag_templates() {
    let r = rules();
    assert_eq!(
        images(&r, "golang:1.23"),
        [
            "scratch",
            "gcr.io/distroless/static-debian13",
            "gcr.io/distroless/base-debian13"
        ]
    );
    assert_eq!(
        images(&r, "golang:1.22-alpine3.20"),
        [
            "scratch",
            "gcr.io/distroless/static-debian13",
            "alpine:3.20"
        ]
    );
    let node = images(&r, "node:20");
    assert_eq!(
        node,
        [
            "gcr.io/distroless/nodejs20-debian13",
            "node:20-slim",
            "nginx:stable-alpine",
            "nginxinc/nginx-unprivileged:stable-alpine"
        ]
    );
    assert!(images(&r, "node:20-bookworm").contains(&"node:20-bookworm-slim".to_owned()));
    assert_eq!(
        // The version and the Alpine release as pinned (issue 13).
        images(&r, "node:22.11.0-alpine3.20")[..1],
        ["node:22.11.0-alpine3.20".to_owned()]
    );
    // Debian's Python 3.11 is on Debian 12 only, older than python:3.11's
    // trixie; distroless Python 3.13 is on Debian 13.
    assert_eq!(images(&r, "python:3.11"), ["python:3.11-slim"]);
    assert_eq!(
        images(&r, "python:3.13"),
        ["python:3.13-slim", "gcr.io/distroless/python3-debian13"]
    );
    assert_eq!(
        images(&r, "python:3.12-slim-bookworm"),
        ["python:3.12-slim-bookworm"]
    );
    assert_eq!(images(&r, "python:3"), ["python:3-slim"]);
    assert_eq!(
        images(&r, "maven:3.9-eclipse-temurin-21"),
        [
            "eclipse-temurin:21-jre",
            "gcr.io/distroless/java21-debian13",
            // The jlink bases: the builder is on noble (glibc 2.39), so
            // Debian 13, never Debian 12 (2.36).
            "gcr.io/distroless/cc-debian13",
            "debian:trixie-slim"
        ]
    );
    assert_eq!(
        images(&r, "gradle:8.10-jdk17-jammy"),
        [
            "eclipse-temurin:17-jre-jammy",
            "gcr.io/distroless/java17-debian13",
            // jammy's glibc 2.35: Debian 12 (2.36) is the nearest for the
            // slim jlink base; distroless prefers its maintained Debian 13.
            "gcr.io/distroless/cc-debian13",
            "debian:bookworm-slim"
        ]
    );
    assert_eq!(
        images(&r, "eclipse-temurin:25-jdk"),
        [
            "eclipse-temurin:25-jre",
            "gcr.io/distroless/java25-debian13",
            // Plain eclipse-temurin tags are on noble (glibc 2.39).
            "gcr.io/distroless/cc-debian13",
            "debian:trixie-slim"
        ]
    );
    assert_eq!(
        images(&r, "mcr.microsoft.com/dotnet/sdk:8.0"),
        [
            "mcr.microsoft.com/dotnet/aspnet:8.0",
            "mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled",
            "mcr.microsoft.com/dotnet/runtime:8.0",
            "mcr.microsoft.com/dotnet/runtime-deps:8.0"
        ]
    );
    assert!(images(&r, "ubuntu:24.04").is_empty());

    let c = &r.runtime_candidates("node:20")[0];
    assert_eq!(
        c.spec.entrypoint.as_deref(),
        Some(&["/nodejs/bin/node".to_owned()][..])
    );
    assert!(!c.spec.shell);
    assert_eq!(
        c.nonroot_image.as_deref(),
        Some("gcr.io/distroless/nodejs20-debian13:nonroot")
    );
}

#[test]
fn versions_are_never_assumed() {
    let r = rules();
    // No version in the tag: nothing that needs one is offered.
    assert_eq!(images(&r, "maven:3.9.9"), Vec::<String>::new());
    // A moving line: the same line's slim image, never a major read into
    // it; the per-major image says the tag is moving.
    let report = r.explain_runtime_candidates("node:lts");
    assert!(report.accepted.iter().all(|c| {
        c.image == "node:lts-slim"
            || c.spec
                .suits
                .iter()
                .all(|k| format!("{k:?}") == "StaticSite")
    }));
    assert!(report.rejected.iter().any(|x| x.reason
        == RejectReason::MovingTag {
            image: "node:lts".into(),
            var: Some("major".into())
        }));
    // A codename is neither a version nor a moving line: nothing versioned.
    let report = r.explain_runtime_candidates("node:hydrogen");
    assert!(
        report
            .rejected
            .iter()
            .any(|x| x.reason == RejectReason::MissingVariable("version".into()))
    );
    let report = r.explain_runtime_candidates("node:18-bookworm");
    let distroless = report
        .rejected
        .iter()
        .find(|x| x.spec.id == "node/distroless")
        .unwrap();
    assert_eq!(
        distroless.reason,
        RejectReason::VersionNotPublished {
            var: "major".into(),
            value: "18".into()
        }
    );
    assert_eq!(report.builder.suite.as_deref(), Some("bookworm"));
    assert!(distroless.reason.to_string().contains("18"));
    let report = r.explain_runtime_candidates("node:20-alpine");
    assert!(
        report
            .rejected
            .iter()
            .any(|x| matches!(x.reason, RejectReason::LibcMismatch { .. }))
    );
}

#[test]
fn system_packages() {
    let r = rules();
    let cases = [
        ("libpq-dev", &["libpq5"][..]),
        ("libjpeg-dev", &["libjpeg62-turbo"]),
        ("default-libmysqlclient-dev", &["libmariadb3"]),
        ("libxml2-dev", &["libxml2"]),
        ("libffi-dev", &["libffi8"]),
        ("libssl-dev", &["libssl3"]),
        ("zlib1g-dev", &["zlib1g"]),
        ("libsqlite3-dev", &["libsqlite3-0"]),
        ("libpng-dev", &["libpng16-16"]),
        ("gcc", &[]),
        ("g++", &[]),
        ("build-essential", &[]),
        ("make", &[]),
        ("git", &[]),
        ("pkg-config", &[]),
        ("python3-dev", &[]),
    ];
    for (dev, want) in cases {
        let got: Option<Vec<&str>> = r
            .runtime_package(dev)
            .map(|v| v.iter().map(String::as_str).collect());
        assert_eq!(got.as_deref(), Some(want), "{dev}");
    }
    assert_eq!(r.runtime_package("libfoo-dev"), None);
    assert_eq!(
        r.classify_package("libfoo-dev", PackageManager::Apt),
        PackageClass::DevUnknownRuntime
    );
    assert_eq!(
        r.classify_package("nginx", PackageManager::Apt),
        PackageClass::Unknown
    );
    match r.classify_package("postgresql-dev", PackageManager::Apk) {
        PackageClass::Known(rule) => assert_eq!(rule.apk.as_ref().unwrap().runtime, ["libpq"]),
        other => panic!("{other:?}"),
    }
}

/// Every rule id, candidate id and package id has a section in the docs, and
/// every documented id exists.
#[test]
fn every_rule_is_documented() {
    let r = rules();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("rules/{name}: {e}"))
    };
    let mut documented = Vec::new();
    for p in r.profiles() {
        let md = read(&format!("{}.md", p.id));
        for (profile, id) in r.rule_ids().filter(|(profile, _)| *profile == p.id) {
            let heading = format!("### `{id}`");
            assert!(
                md.contains(&heading),
                "rules/{profile}.md lacks `{heading}`"
            );
            let section = md.split(&heading).nth(1).unwrap_or("");
            let section = section.split("\n### ").next().unwrap_or("");
            let is_rule =
                p.commands.iter().any(|c| c.id == id) || p.gates.iter().any(|g| g.id == id);
            if is_rule {
                for part in ["**What**", "**Why**", "**Example**"] {
                    assert!(section.contains(part), "{id}: section lacks {part}");
                }
            }
        }
        documented.extend(headings(&md));
    }
    let bases = read("bases.md");
    for f in &r.bases().families {
        for c in &f.candidates {
            assert!(
                bases.contains(&format!("### `{}`", c.id)),
                "bases.md lacks {}",
                c.id
            );
        }
    }
    documented.extend(headings(&bases));
    let packages = read("packages.md");
    for p in &r.packages().packages {
        assert!(
            packages.contains(&format!("`{}`", p.id)),
            "packages.md lacks {}",
            p.id
        );
    }
    let known: Vec<String> = r
        .rule_ids()
        .map(|(_, id)| id.to_owned())
        .chain(
            r.bases()
                .families
                .iter()
                .flat_map(|f| f.candidates.iter().map(|c| c.id.clone())),
        )
        .collect();
    for id in documented {
        assert!(
            known.contains(&id),
            "docs describe `{id}`, which no rule has"
        );
    }
    let readme = read("README.md");
    for key in [
        "merge",
        "detect",
        "wrappers",
        "capture-args",
        "any-arg",
        "with-flag",
        "without-flag",
        "value-flags",
        "exact",
        "produces",
        "receives",
        "launchers",
        "libc-sensitive",
        "approx-size-mb",
        "releases",
        "default-suites",
        "deprecated",
        "drops-privileges",
        "disabled",
        "dev-patterns",
        "tools",
        "config",
        "cache-clean",
        "cache-mounts",
        "unless-arg",
        "unless-env",
        "build-env",
        "core.yaml",
        "harmless",
        "file-commands",
        "cache-paths",
        "--rules",
    ] {
        assert!(
            readme.contains(&format!("`{key}`")),
            "README.md does not describe `{key}`"
        );
    }
}

fn headings(md: &str) -> Vec<String> {
    md.lines()
        .filter_map(|l| l.strip_prefix("### `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect()
}

/// A scratch directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("dfsplit-rules-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn overlay_directory() {
    let dir = TempDir::new("ok");
    std::fs::write(
        dir.0.join("node.yaml"),
        "id: node\ngates:\n  - id: node/gate-bun\n    match: {program: bun, args: [--watch]}\n    why: house rule\n",
    )
    .unwrap();
    std::fs::write(dir.0.join("notes.md"), "not rules").unwrap();
    let r = Rules::load(Some(&dir.0)).unwrap();
    assert_eq!(r.profile("node").unwrap().gates[0].id, "node/gate-bun");

    let bad = TempDir::new("bad");
    std::fs::write(
        bad.0.join("packages.yml"),
        "packages:\n  - id: libfoo\n    kind: dev-library\n    apt: {build: libfoo-dev}\n    why: x\n    colour: blue\n",
    )
    .unwrap();
    let err = Rules::load(Some(&bad.0)).unwrap_err();
    let file = bad.0.join("packages.yml").display().to_string();
    assert!(
        err.to_string()
            .starts_with(&format!("{file}:6:5: unknown field `colour`")),
        "{err}"
    );

    let missing = dir.0.join("nope");
    assert!(matches!(
        Rules::load(Some(&missing)),
        Err(RulesError::Io { .. })
    ));
    let file = dir.0.join("notes.md");
    assert!(matches!(
        Rules::load(Some(&file)),
        Err(RulesError::NotADirectory { .. })
    ));
}

#[test]
fn build_tool_tables() {
    let r = rules();
    let config = |cmd: &str| {
        let w = argv(cmd);
        r.is_tool_config(&w[0], &w[1..])
    };
    for cmd in [
        "git config --global url.x.insteadOf y",
        "npm config set registry https://r.example",
        "yarn config set cafile /etc/ca.pem",
        "pip config set global.index-url https://p.example",
        "poetry config virtualenvs.create false",
        "go env -w GOPRIVATE=example.com",
        "corepack enable",
        "dotnet nuget add source https://n.example -n house",
    ] {
        assert!(config(cmd), "{cmd}");
    }
    for cmd in ["npm ci", "git clone x", "go build ."] {
        assert!(!config(cmd), "{cmd}");
    }
    let clean = |cmd: &str| {
        let w = argv(cmd);
        r.is_cache_clean(&w[0], &w[1..])
    };
    for cmd in [
        "npm cache clean --force",
        "yarn cache clean",
        "pnpm cache prune",
        "pip cache purge",
        "go clean -modcache",
    ] {
        assert!(clean(cmd), "{cmd}");
    }
    assert!(!clean("npm cache ls"));
    let target =
        |rule: &str, program: &str| r.cache_mount(rule, program).map(|m| m.target.as_str());
    assert_eq!(target("node/install", "npm"), Some("/root/.npm"));
    assert_eq!(
        target("node/install", "/usr/local/bin/npm"),
        Some("/root/.npm")
    );
    assert_eq!(
        target("node/yarn-bare", "yarn"),
        Some("/usr/local/share/.cache/yarn")
    );
    assert_eq!(target("node/install", "pnpm"), None);
    assert_eq!(
        target("python/pip-install-requirements", "pip3"),
        Some("/root/.cache/pip")
    );
    assert_eq!(target("go/build", "go"), Some("/root/.cache/go-build"));
    assert_eq!(target("go/mod-download", "go"), None);
    let pip = r.cache_mount("python/install-tool", "pip").unwrap();
    assert_eq!(pip.unless_arg, ["--no-cache-dir"]);
    assert_eq!(pip.unless_env, ["PIP_NO_CACHE_DIR"]);
    for name in [
        "CGO_ENABLED",
        "GOFLAGS",
        "PIP_INDEX_URL",
        "POETRY_HOME",
        "NPM_CONFIG_FUND",
        "UV_LINK_MODE",
        "MAVEN_OPTS",
        "DOTNET_NOLOGO",
        "DEBIAN_FRONTEND",
    ] {
        assert!(r.is_build_env(name), "{name}");
    }
    for name in [
        "NODE_ENV",
        "PATH",
        "PORT",
        "UV_PYTHON",
        "GOPATH",
        "JAVA_OPTS",
    ] {
        assert!(!r.is_build_env(name), "{name}");
    }
    let harmless = |cmd: &str| {
        let w = argv(cmd);
        r.is_harmless(&w[0], &w[1..])
    };
    for cmd in [
        "echo hi",
        "ls -la /app",
        "[ -f x ]",
        "node --version",
        "java -version",
        "python3 -v",
        "/usr/bin/node version",
    ] {
        assert!(harmless(cmd), "{cmd}");
    }
    for cmd in [
        "node app.js",
        "node --version app.js",
        "python -c print(1)",
        "curl -V",
    ] {
        assert!(!harmless(cmd), "{cmd}");
    }
    assert!(r.is_file_command("/bin/cp") && r.is_file_command("sed"));
    assert!(!r.is_file_command("rsync"));
    assert!(r.is_cache_path("/var/lib/apt/lists/*") && r.is_cache_path("/var/cache/apk"));
    assert!(!r.is_cache_path("/var/lib/app"));
}

/// An overlay extends every tool table: its own entries are added to the
/// embedded ones (a cache mount with the same target replaces that one).
#[test]
fn overlay_extends_build_tool_tables() {
    let dir = TempDir::new("tools");
    std::fs::write(
        dir.0.join("node.yaml"),
        "id: node
tools:
  config:
    - {program: volta, args: [[install, pin]]}
  cache-clean:
    - {program: pnpm, args: [store, prune]}
  cache-mounts:
    - target: /root/.local/share/pnpm/store
      what: pnpm's content-addressed store
      rules: [node/install]
      program: pnpm
    - target: /root/.npm
      what: the house npm cache
      rules: [node/install]
      program: npm
  build-env: [VOLTA_HOME]
",
    )
    .unwrap();
    std::fs::write(
        dir.0.join("core.yaml"),
        "harmless:
  programs: [figlet]
  version-checks: [deno]
file-commands: [rsync]
cache-paths: [\"/root/.cache*\"]
tools:
  config:
    - {program: hg, args: [config]}
  build-env: [\"HOUSE_*\"]
",
    )
    .unwrap();
    let r = Rules::load(Some(&dir.0)).unwrap();
    let w = |cmd: &str| argv(cmd);
    let config = |cmd: &str| r.is_tool_config(&w(cmd)[0], &w(cmd)[1..]);
    assert!(config("volta install node@20") && config("hg config -l"));
    assert!(config("npm config set fund false") && config("git config x y"));
    assert!(r.is_cache_clean("pnpm", &w("store prune")));
    assert!(r.is_cache_clean("npm", &w("cache clean --force")));
    assert_eq!(
        r.cache_mount("node/install", "pnpm")
            .map(|m| m.what.as_str()),
        Some("pnpm's content-addressed store")
    );
    assert_eq!(
        r.cache_mount("node/install", "npm")
            .map(|m| m.what.as_str()),
        Some("the house npm cache")
    );
    assert_eq!(
        r.cache_mount("node/install-prod", "npm")
            .map(|m| m.target.as_str()),
        None,
        "the same target replaces the embedded mount, rules and all"
    );
    assert!(r.cache_mount("node/yarn-bare", "yarn").is_some());
    for name in [
        "VOLTA_HOME",
        "HOUSE_MIRROR",
        "NPM_CONFIG_FUND",
        "DEBIAN_FRONTEND",
    ] {
        assert!(r.is_build_env(name), "{name}");
    }
    assert!(r.is_harmless("figlet", &w("hi")) && r.is_harmless("deno", &w("--version")));
    assert!(!r.is_harmless("deno", &w("run main.ts")) && r.is_harmless("echo", &w("hi")));
    assert!(r.is_file_command("rsync") && r.is_file_command("cp"));
    assert!(r.is_cache_path("/root/.cache/pip") && r.is_cache_path("/var/cache/apt"));
}

/// The tables reach the plan: with the overlay, a command no rule knew
/// (which left the file unchanged) is classified and the file is split.
#[test]
fn overlay_tables_reach_the_plan() {
    let text = "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /bin/app . && figlet done\nCMD [\"/bin/app\"]\n";
    let before = dfsplit::analyze(text, None, &rules(), &Default::default());
    assert!(!before.changed(), "{}", before.output);
    let r = Rules::load_overlay_texts([("core.yaml", "harmless: {programs: [figlet]}\n")]).unwrap();
    let after = dfsplit::analyze(text, None, &r, &Default::default());
    assert!(after.changed());
    assert!(
        after
            .output
            .contains("RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build"),
        "{}",
        after.output
    );
}

/// Tool tables are checked like every rule: unknown keys at `FILE:LINE:COL`,
/// and cache mounts need an absolute target and rules that exist.
#[test]
fn build_tool_table_errors_are_located() {
    let err = |name: &str, text: &str| match Rules::load_overlay_texts([(name, text)]) {
        Ok(_) => panic!("{name} must be rejected:\n{text}"),
        Err(e) => e.to_string(),
    };
    let e = err(
        "node.yaml",
        "id: node\ntools:\n  build-env: [X]\n  cache-mount: []\n",
    );
    assert!(
        e.starts_with("node.yaml:4:3: unknown field `cache-mount`"),
        "{e}"
    );
    let e = err("core.yaml", "harmless:\n  program: [figlet]\n");
    assert!(
        e.starts_with("core.yaml:2:3: unknown field `program`"),
        "{e}"
    );
    let e = err(
        "go.yaml",
        "id: go\ntools:\n  cache-mounts:\n    - target: .cache\n      what: x\n      rules: [go/build]\n",
    );
    assert!(
        e.starts_with("go.yaml:4:7: ") && e.contains("must be an absolute path"),
        "{e}"
    );
    let e = err(
        "go.yaml",
        "id: go\ntools:\n  cache-mounts:\n    - target: /c\n      what: x\n      rules: [go/bulid]\n",
    );
    assert!(
        e.starts_with("go.yaml:4:7: ") && e.contains("`go/bulid`, which is not a command rule"),
        "{e}"
    );
    let e = err("core.yaml", "tools:\n  config:\n    - {args: [config]}\n");
    assert!(e.starts_with("core.yaml:3:"), "{e}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
    /// Whatever an overlay file holds, loading returns, it never panics.
    #[test]
    fn arbitrary_overlay_text_never_panics(text in "\\PC{0,200}", name in "(node|bases|packages|core|x)\\.yaml") {
        let _ = Rules::load_overlay_texts([(name.as_str(), text.as_str())]);
    }

    /// Same for YAML-looking text built from schema words.
    #[test]
    fn yamlish_overlay_never_panics(lines in proptest::collection::vec(
        "( {0,6})(- )?(id|match|program|args|role|why|commands|gates|families|candidates|image|packages|apt|build|runtime|receives|from|merge|tools|config|cache-mounts|target|rules|build-env|harmless|programs|file-commands)(: )(\\[|\\{|node/x|go|build|\\[a, b\\]|replace|'x'|1|)",
        0..12,
    )) {
        let text = lines.join("\n");
        for name in ["node.yaml", "bases.yaml", "packages.yaml", "core.yaml"] {
            let _ = Rules::load_overlay_texts([(name, text.as_str())]);
        }
    }
}
