//! Unit tests of loading, merging and validation.

use super::*;

fn rules() -> Rules {
    match Rules::embedded() {
        Ok(r) => r,
        Err(e) => panic!("embedded rules must load: {e}"),
    }
}

fn overlay(files: &[(&str, &str)]) -> Result<Rules, RulesError> {
    Rules::load_overlay_texts(files.iter().copied())
}

fn overlay_ok(files: &[(&str, &str)]) -> Rules {
    match overlay(files) {
        Ok(r) => r,
        Err(e) => panic!("overlay must load: {e}"),
    }
}

fn overlay_err(files: &[(&str, &str)]) -> RulesError {
    match overlay(files) {
        Ok(_) => panic!("overlay must be rejected"),
        Err(e) => e,
    }
}

#[test]
fn embedded_rules_load() {
    let r = rules();
    let ids: Vec<&str> = r.profiles().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["node", "go", "python", "java", "dotnet", "rust"]);
    let fams: Vec<&str> = r.bases().families.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        fams,
        [
            "go",
            "node",
            "python",
            "java",
            "dotnet",
            "dotnet-core",
            "rust"
        ]
    );
    assert!(r.packages().packages.len() > 40);
}

#[test]
fn every_rule_id_is_unique_and_prefixed() {
    let r = rules();
    let mut seen = HashSet::new();
    for (profile, id) in r.rule_ids() {
        assert!(seen.insert(id), "duplicate rule id {id}");
        assert!(
            id.starts_with(&format!("{profile}/")),
            "{id} not in {profile}/"
        );
    }
    assert!(seen.len() > 60, "only {} rule ids", seen.len());
    let mut cands = HashSet::new();
    for f in &r.bases().families {
        for c in &f.candidates {
            assert!(cands.insert(c.id.as_str()), "duplicate candidate {}", c.id);
        }
    }
}

#[test]
fn unknown_key_in_overlay_names_file_line_and_column() {
    let text = "\
id: node
commands:
  - id: node/custom
    match:
      program: npm
      bogus: 1
    role: build
    why: test
";
    let err = overlay_err(&[("my-rules/node.yaml", text)]);
    let at = err.location().cloned();
    assert_eq!(at, Some(SourceLocation::at("my-rules/node.yaml", 6, 7)));
    let shown = err.to_string();
    assert!(
        shown.starts_with("my-rules/node.yaml:6:7: unknown field `bogus`"),
        "{shown}"
    );
}

#[test]
fn unknown_key_in_bases_and_packages_overlays() {
    let bases = "families:\n  - id: go\n    candidates:\n      - id: go/x\n        imag: scratch\n";
    let err = overlay_err(&[("o/bases.yaml", bases)]);
    assert_eq!(err.location().and_then(|l| l.line), Some(5));
    let pkgs = "packages:\n  - id: libfoo\n    kind: dev-library\n    apt: {build: libfoo-dev, runtim: [libfoo1]}\n    why: x\n";
    let err = overlay_err(&[("o/packages.yaml", pkgs)]);
    assert_eq!(err.location().and_then(|l| l.line), Some(4));
    assert!(err.to_string().contains("unknown field `runtim`"), "{err}");
}

#[test]
fn bad_yaml_is_an_error_not_a_panic() {
    let inputs = [
        "",
        "id: [unclosed\n",
        "id: node\n  name: [\n",
        "id: node\ncommands:\n  - id: node/x\n    match: {program: 3.10}\n    role: build\n    why: x\n",
        "id: node\ncommands: 3\n",
        "- just\n- a list\n",
        "id: node\nid: node\n",
        "id: node\ncommands:\n  - id: node/x\n    match: {program: npm}\n    role: sideways\n    why: x\n",
        "key: &a [*a]\n",
        "\u{0}\u{1}\u{2}",
    ];
    for input in inputs {
        let err = overlay_err(&[("o/node.yaml", input)]);
        assert!(!err.to_string().is_empty());
    }
    assert!(matches!(
        overlay_err(&[("o/bases.yaml", "families: {}\n")]),
        RulesError::Yaml { .. }
    ));
}

#[test]
fn overlay_replaces_same_id_and_adds_new_ids_first() {
    let text = "\
id: node
commands:
  - id: node/install
    match:
      program: npm
      args: [[ci, install, i]]
    role: build
    why: replaced
  - id: node/custom-tool
    match:
      program: my-tool
    role: test
    why: added
";
    let r = overlay_ok(&[("o/node.yaml", text)]);
    let node = r.profile("node").unwrap();
    assert_eq!(node.commands[0].id, "node/custom-tool");
    let install = node
        .commands
        .iter()
        .find(|c| c.id == "node/install")
        .unwrap();
    assert_eq!(
        (install.role, install.why.as_str()),
        (Role::Build, "replaced")
    );
    // Everything else is kept.
    let embedded = rules();
    assert_eq!(
        node.commands.len(),
        embedded.profile("node").unwrap().commands.len() + 1
    );
    assert_eq!(node.gates, embedded.profile("node").unwrap().gates);
    assert_eq!(
        r.match_command("my-tool", &["x"]).unwrap().id,
        "node/custom-tool"
    );
    assert_eq!(r.match_command("yarn", &["install"]).map(|c| c.role), None);
    assert_eq!(r.match_command("npm", &["ci"]).unwrap().role, Role::Build);
}

#[test]
fn overlay_extends_detection_and_runtime() {
    let text = "\
id: python
detect:
  manifests: [requirements.lock]
runtime:
  env:
    PYTHONUNBUFFERED: '1'
  entrypoint:
    notes: custom
";
    let r = overlay_ok(&[("o/python.yaml", text)]);
    let p = r.profile("python").unwrap();
    assert!(p.detect.manifests.iter().any(|m| m == "requirements.lock"));
    assert!(p.detect.manifests.iter().any(|m| m == "pyproject.toml"));
    assert_eq!(
        p.runtime.env.get("PYTHONUNBUFFERED").map(String::as_str),
        Some("1")
    );
    assert!(p.runtime.env.contains_key("PYTHONDONTWRITEBYTECODE"));
    assert_eq!(p.runtime.entrypoint.notes.as_deref(), Some("custom"));
    assert_eq!(p.runtime.entrypoint.interpreter.as_deref(), Some("python"));
    assert_eq!(r.profiles_for_manifest("requirements.lock")[0].id, "python");
}

#[test]
fn overlay_merge_replace_and_new_profiles() {
    let replaced = "\
id: go
merge: replace
name: Go (house rules)
detect: {images: [golang]}
commands:
  - id: go/only
    match: {program: go, args: [build]}
    role: build
    why: only rule
runtime: {}
";
    let ruby = "\
id: ruby
name: Ruby
detect: {images: [ruby], manifests: [Gemfile]}
commands:
  - id: ruby/bundle-install
    match: {program: bundle, args: [install]}
    role: install-deps
    reads: [Gemfile, Gemfile.lock]
    why: installs gems
runtime: {}
";
    let r = overlay_ok(&[("o/go.yaml", replaced), ("o/ruby.yaml", ruby)]);
    assert_eq!(r.profile_ids().next(), Some("ruby"));
    let go = r.profile("go").unwrap();
    assert_eq!(go.name, "Go (house rules)");
    assert_eq!(go.commands.len(), 1);
    assert!(go.gates.is_empty());
    assert!(r.match_command("go", &["test"]).is_none());
    assert_eq!(r.profile_for_image("ruby:3.3").unwrap().id, "ruby");
    assert_eq!(
        r.match_command("bundle", &["install"]).unwrap().id,
        "ruby/bundle-install"
    );

    let incomplete = "id: ruby\nname: Ruby\ndetect: {images: [ruby]}\n";
    let err = overlay_err(&[("o/ruby.yaml", incomplete)]);
    assert!(err.to_string().contains("needs `runtime`"), "{err}");
    assert_eq!(err.location().and_then(|l| l.line), Some(1));
}

#[test]
fn overlay_validation_errors_are_located() {
    let wrong_prefix = "id: node\ncommands:\n  - id: go/sneaky\n    match: {program: x}\n    role: build\n    why: x\n";
    let err = overlay_err(&[("o/node.yaml", wrong_prefix)]);
    assert_eq!(
        err.location(),
        Some(&SourceLocation::at("o/node.yaml", 3, 5))
    );

    let duplicate = "\
id: node
commands:
  - id: node/a
    match: {program: x}
    role: build
    why: x
  - id: node/a
    match: {program: y}
    role: build
    why: y
";
    let err = overlay_err(&[("o/node.yaml", duplicate)]);
    assert_eq!(
        err.location(),
        Some(&SourceLocation::at("o/node.yaml", 7, 5))
    );

    let bad_placeholder = "id: go\ncommands:\n  - id: go/x\n    match: {program: go}\n    role: build\n    produces: [{path: '{out}', kind: build-output}]\n    why: x\n";
    let err = overlay_err(&[("o/go.yaml", bad_placeholder)]);
    assert!(err.to_string().contains("`{out}`"), "{err}");

    let clash = "id: python\ncommands:\n  - id: python/x\n    match: {program: x}\n    role: build\n    why: x\n";
    let other = "id: snake\nname: S\ndetect: {}\nruntime: {}\ncommands:\n  - id: snake/x\n    match: {program: x}\n    role: build\n    why: x\n";
    assert!(overlay(&[("a/python.yaml", clash), ("b/snake.yaml", other)]).is_ok());
    let twice = overlay_err(&[
        ("a/one.yaml", "id: python\n"),
        ("a/two.yaml", "id: python\n"),
    ]);
    assert!(
        twice.to_string().contains("also defined in a/one.yaml"),
        "{twice}"
    );

    let dangling = "id: go\nruntime:\n  receives:\n    - id: go/rt-x\n      what: x\n      path: x\n      from: [go/nope]\n      why: x\n";
    let err = overlay_err(&[("o/go.yaml", dangling)]);
    assert!(err.to_string().contains("go/nope"), "{err}");
    assert_eq!(err.location().and_then(|l| l.line), Some(4));
}

#[test]
fn bases_and_packages_overlays() {
    let bases = "\
families:
  - id: node
    candidates:
      - id: node/chainguard
        image: cgr.dev/chainguard/node:latest
        shell: false
        libc: glibc
        package-manager: none
        user: {name: node, uid: 65532}
        ca-certs: true
        approx-size-mb: 40
        suits: [node-app]
        notes: house choice
      - id: node/slim
        image: node:{major}-bookworm-slim
        shell: true
        libc: glibc
        package-manager: apt
        user: {name: root, uid: 0}
        ca-certs: true
        approx-size-mb: 71
        suits: [node-app]
        notes: pinned suite
";
    let pkgs = "\
packages:
  - id: libpq
    kind: dev-library
    apt: {build: libpq-dev, runtime: [libpq5, postgresql-client]}
    why: with psql
  - id: libfoo
    kind: dev-library
    apt: {build: libfoo-dev, runtime: [libfoo1]}
    why: new
";
    let r = overlay_ok(&[("o/bases.yaml", bases), ("o/packages.yaml", pkgs)]);
    let images: Vec<String> = r
        .runtime_candidates("node:20")
        .into_iter()
        .map(|c| c.image)
        .collect();
    assert_eq!(images[0], "cgr.dev/chainguard/node:latest");
    assert!(images.contains(&"node:20-bookworm-slim".to_owned()));
    assert!(!images.contains(&"node:20-slim".to_owned()));
    assert!(images.contains(&"gcr.io/distroless/nodejs20-debian13".to_owned()));
    assert_eq!(
        r.runtime_package("libpq-dev").unwrap(),
        ["libpq5", "postgresql-client"]
    );
    assert_eq!(r.runtime_package("libfoo-dev").unwrap(), ["libfoo1"]);

    let bad_var = "families:\n  - id: go\n    candidates:\n      - id: go/x\n        image: 'x:{major}'\n        shell: false\n        libc: none\n        package-manager: none\n        user: {name: root, uid: 0}\n        ca-certs: false\n        approx-size-mb: 0\n        suits: [static-binary]\n        notes: x\n";
    assert!(
        overlay(&[("o/bases.yaml", bad_var)]).is_ok(),
        "golang captures major"
    );
    let bad_var = bad_var.replace("{major}", "{flavour}");
    let err = overlay_err(&[("o/bases.yaml", &bad_var)]);
    assert!(err.to_string().contains("{flavour}"), "{err}");
    assert_eq!(err.location().and_then(|l| l.line), Some(4));

    let clash =
        "packages:\n  - id: pq2\n    kind: dev-library\n    apt: {build: libpq-dev}\n    why: x\n";
    let err = overlay_err(&[("o/packages.yaml", clash)]);
    assert!(err.to_string().contains("libpq-dev"), "{err}");
}

#[test]
fn non_yaml_overlay_files_are_ignored() {
    let r = overlay_ok(&[("o/README.md", "id: [not yaml"), ("o/.hidden.yaml", "{")]);
    assert_eq!(r, rules());
}

#[test]
fn placeholders_in_embedded_rules_resolve() {
    let r = rules();
    for p in r.profiles() {
        for c in &p.commands {
            for a in &c.produces {
                for ph in pattern::path_placeholders(&a.path) {
                    assert!(
                        c.matcher.capture.contains_key(&ph)
                            || c.matcher.capture_args.contains_key(&ph),
                        "{}: {ph}",
                        c.id
                    );
                }
            }
        }
    }
}

/// The image of candidate `id` for `builder`, or why it was left out.
fn candidate_for(r: &Rules, builder: &str, id: &str) -> Result<(String, Option<String>), String> {
    let report = r.explain_runtime_candidates(builder);
    if let Some(c) = report.accepted.iter().find(|c| c.spec.id == id) {
        return Ok((
            c.image.clone(),
            c.release.as_ref().and_then(|r| r.deprecated.clone()),
        ));
    }
    match report.rejected.iter().find(|c| c.spec.id == id) {
        Some(c) => Err(c.reason.to_string()),
        None => panic!("{id} is not a candidate for {builder}"),
    }
}

#[test]
fn releases_follow_the_builders_glibc() {
    let r = rules();
    // A bookworm builder, named in the tag or by the image's default for its
    // version: the maintained Debian 13 images (newer glibc is compatible).
    for builder in ["golang:1.22-bookworm", "golang:1.23"] {
        assert_eq!(
            candidate_for(&r, builder, "go/distroless-base"),
            Ok(("gcr.io/distroless/base-debian13".to_owned(), None)),
            "{builder}"
        );
    }
    let report = r.explain_runtime_candidates("golang:1.23");
    assert_eq!(
        report
            .builder
            .release
            .as_ref()
            .map(|(r, s)| (r.suite.as_str(), *s)),
        Some(("bookworm", crate::rules::ReleaseSource::Default))
    );
    let report = r.explain_runtime_candidates("golang:1.25-trixie");
    assert_eq!(
        report
            .builder
            .release
            .as_ref()
            .map(|(r, s)| (r.suite.as_str(), *s)),
        Some(("trixie", crate::rules::ReleaseSource::Tag))
    );
    // Version not in the defaults: glibc unknown, so no glibc-sensitive image;
    // a static binary needs no libc and keeps its candidate.
    let why = candidate_for(&r, "golang:1.19", "go/distroless-base").unwrap_err();
    assert!(why.contains("does not say which release"), "{why}");
    // A moving tag names no release at all: said as such.
    let why = candidate_for(&r, "golang:latest", "go/distroless-base").unwrap_err();
    assert!(why.contains("`golang:latest` is a moving tag"), "{why}");
    assert_eq!(
        candidate_for(&r, "golang:latest", "go/distroless-static"),
        Ok(("gcr.io/distroless/static-debian13".to_owned(), None))
    );
    // Node: a line distroless still builds, one it stopped building (offered,
    // flagged), and one it never built on any release the catalogue lists.
    assert_eq!(
        candidate_for(&r, "node:22", "node/distroless"),
        Ok(("gcr.io/distroless/nodejs22-debian13".to_owned(), None))
    );
    let (image, deprecated) = candidate_for(&r, "node:20", "node/distroless").unwrap();
    assert_eq!(image, "gcr.io/distroless/nodejs20-debian13");
    assert!(deprecated.is_some_and(|d| d.contains("end of life")));
    let why = candidate_for(&r, "node:18", "node/distroless").unwrap_err();
    assert!(why.contains("no image is published for major 18"), "{why}");
    // A jar does not care about the builder's C library.
    assert_eq!(
        candidate_for(&r, "eclipse-temurin:21-jdk", "java/distroless"),
        Ok(("gcr.io/distroless/java21-debian13".to_owned(), None))
    );
}

#[test]
fn an_older_release_never_serves_a_newer_builder() {
    // The catalogue as a registry with Debian 12 images only.
    let bases = "\
families:
  - id: go
    candidates:
      - id: go/distroless-base
        image: gcr.io/distroless/base-{distro}
        shell: false
        libc: glibc
        package-manager: none
        user: {name: root, uid: 0}
        ca-certs: true
        approx-size-mb: 9
        releases: [{distro: debian12}]
        suits: [dynamic-binary]
        notes: Debian 12 only
";
    let r = overlay_ok(&[("o/bases.yaml", bases)]);
    assert_eq!(
        candidate_for(&r, "golang:1.23", "go/distroless-base"),
        Ok(("gcr.io/distroless/base-debian12".to_owned(), None))
    );
    let why = candidate_for(&r, "golang:1.25", "go/distroless-base").unwrap_err();
    assert!(
        why.contains("glibc 2.36 is older than the builder's 2.41 (trixie)"),
        "{why}"
    );
    // Alpine builders have no Debian release: the libc check speaks first.
    let why = candidate_for(&r, "golang:1.23-alpine3.20", "go/distroless-base").unwrap_err();
    assert!(why.contains("musl"), "{why}");
}

#[test]
fn release_keys_are_checked() {
    let cand = |image: &str, releases: &str| {
        format!(
            "families:\n  - id: go\n    candidates:\n      - id: go/x\n        image: '{image}'\n        shell: false\n        libc: none\n        package-manager: none\n        user: {{name: root, uid: 0}}\n        ca-certs: false\n        approx-size-mb: 0\n{releases}        suits: [static-binary]\n        notes: x\n"
        )
    };
    let err = overlay_err(&[("o/bases.yaml", &cand("x-{distro}", ""))]);
    assert!(err.to_string().contains("needs `releases`"), "{err}");
    let err = overlay_err(&[(
        "o/bases.yaml",
        &cand("x", "        releases: [{distro: debian13}]\n"),
    )]);
    assert!(err.to_string().contains("takes no `releases`"), "{err}");
    let err = overlay_err(&[(
        "o/bases.yaml",
        &cand("x-{distro}", "        releases: [{distro: debian99}]\n"),
    )]);
    assert!(err.to_string().contains("`debian99`"), "{err}");
    let suite = "families:\n  - id: go\n    builders:\n      - image: golang\n        tags: ['{major}.{minor}*', '*alpine{alpine_major}.{alpine_minor}*']\n        default-suites: [{suite: sid, versions: {minor: ['27']}}]\n";
    let err = overlay_err(&[("o/bases.yaml", suite)]);
    assert!(
        err.to_string().contains("`sid` is not in `releases`"),
        "{err}"
    );
    // A release added by an overlay can be used by its candidates.
    let extra = "releases:\n  - {suite: forky, distro: debian14, glibc: '2.42'}\n";
    let r = overlay_ok(&[("o/bases.yaml", extra)]);
    let report = r.explain_runtime_candidates("golang:1.27-forky");
    let why = report
        .rejected
        .iter()
        .find(|c| c.spec.id == "go/distroless-base")
        .map(|c| c.reason.to_string())
        .unwrap_or_default();
    assert!(
        why.contains("older than the builder's 2.42 (forky)"),
        "{why}"
    );
}

// ---------------------------------------------------------------------------
// The build-time JSON of the embedded files
// ---------------------------------------------------------------------------

/// The merged set `build.rs` embedded is exactly what loading, validating
/// and merging the YAML gives now — every part of it read from its own bytes
/// (a part that does not read would be taken from the YAML instead, which
/// the comparison of whole sets could not tell) — and it is what the
/// process reads (not the YAML fallback of `embedded_shared`).
#[test]
fn embedded_merged_set_is_the_yaml_loaded_validated_and_merged() {
    assert!(
        !MERGED.is_empty(),
        "build.rs embedded no merged set (is `dfsplit_rules_json` set?)"
    );
    let yaml = match MergedSet::load_with(std::iter::empty(), EmbeddedSource::Yaml) {
        Ok(r) => r,
        Err(e) => panic!("embedded YAML must load: {e}"),
    };
    let set: EmbeddedSet<'static> = match postcard::from_bytes(MERGED) {
        Ok(s) => s,
        Err(e) => panic!("the merged set does not read back: {e}"),
    };
    assert_eq!(set.profiles.len(), yaml.profiles.len());
    for ((blob, head), want) in set.profiles.iter().zip(&set.heads).zip(&yaml.profiles) {
        let profile: Profile = match postcard::from_bytes(blob.0) {
            Ok(p) => p,
            Err(e) => panic!("profile `{}` does not read back: {e}", head.id),
        };
        assert!(profile == *want, "profile `{}` differs", want.id);
        assert!(
            *head == ProfileHead::of(want),
            "head of `{}` differs",
            want.id
        );
    }
    let packages: Packages = match postcard::from_bytes(set.packages.0) {
        Ok(p) => p,
        Err(e) => panic!("the package map does not read back: {e}"),
    };
    assert!(packages == yaml.packages);
    let (catalogue, images) = catalogue_head(&yaml.bases);
    assert!(set.catalogue == catalogue);
    assert_eq!(set.candidate_images, images);
    assert_eq!(set.candidates.len(), yaml.bases.families.len());
    for (blob, want) in set.candidates.iter().zip(&yaml.bases.families) {
        let candidates: Vec<CandidateSpec> = match postcard::from_bytes(blob.0) {
            Ok(c) => c,
            Err(e) => panic!("the candidates of `{}` do not read back: {e}", want.id),
        };
        assert!(
            candidates == want.candidates,
            "family `{}` differs",
            want.id
        );
    }
    assert!(set.core == yaml.core);

    let yaml = Rules::from(yaml);
    let merged = EmbeddedSet::read(MERGED).expect("the merged set reads");
    assert_eq!(format!("{merged:#?}"), format!("{yaml:#?}"));
    assert!(merged == yaml);
    // What the process shares and what `embedded` copies is that set.
    assert!(*Rules::embedded_shared().expect("embedded rules") == yaml);
    assert!(rules() == yaml);
    // Not a trivial equality: the set has every profile, family and package.
    let ids: Vec<&str> = yaml.profile_ids().collect();
    assert_eq!(ids, ["node", "go", "python", "java", "dotnet", "rust"]);
    assert!(
        yaml.bases().families.len() > 5,
        "{:?}",
        yaml.bases().families.len()
    );
    assert!(yaml.packages().packages.len() > 20);
    assert!(!yaml.core().harmless.programs.is_empty());
}

/// Start-up reads no profile and no package map; a question about a
/// command reads only the profiles whose rules may match its program, and
/// the answers are those of the set read whole.
#[test]
fn embedded_profiles_are_read_when_a_question_needs_them() {
    let lazy = EmbeddedSet::read(MERGED).expect("the merged set reads");
    let read = |r: &Rules| -> Vec<String> {
        r.heads
            .iter()
            .zip(&r.profiles)
            .filter(|(_, p)| p.value.get().is_some())
            .map(|(h, _)| h.id.clone())
            .collect()
    };
    let families_read = |r: &Rules| -> Vec<String> {
        r.catalogue
            .families
            .iter()
            .zip(&r.candidates)
            .filter(|(_, c)| c.value.get().is_some())
            .map(|(f, _)| f.id.clone())
            .collect()
    };
    assert!(read(&lazy).is_empty());
    assert!(families_read(&lazy).is_empty());
    assert!(lazy.packages.value.get().is_none());

    let whole = rules();
    let go = lazy.classify_command("go", &["build", "-o", "/app", "."]);
    assert_eq!(go.as_ref().map(|m| m.rule.id.as_str()), Some("go/build"));
    assert_eq!(
        go,
        whole.classify_command("go", &["build", "-o", "/app", "."])
    );
    assert_eq!(read(&lazy), ["go"]);
    // Through a wrapper (read with the heads): `python -m pip` is python's.
    let pip = lazy.classify_command("python3", &["-m", "pip", "install", "-r", "r.txt"]);
    assert_eq!(
        pip.map(|m| (m.rule.id.clone(), m.via)),
        whole
            .classify_command("python3", &["-m", "pip", "install", "-r", "r.txt"])
            .map(|m| (m.rule.id.clone(), m.via))
    );
    assert_eq!(read(&lazy), ["go", "python"]);
    // A program no rule runs reads nothing more.
    assert_eq!(lazy.classify_command("echo", &["hi"]), None);
    assert_eq!(read(&lazy), ["go", "python"]);
    // The tool tables: a build variable is answered from the heads, a
    // cache mount reads the profile whose mounts its rule fills.
    assert!(lazy.is_build_env("CGO_ENABLED") && whole.is_build_env("CGO_ENABLED"));
    assert!(!lazy.is_build_env("PORT") && !whole.is_build_env("PORT"));
    assert_eq!(read(&lazy), ["go", "python"]);
    let npm = |r: &Rules| {
        r.cache_mount("node/install", "npm")
            .map(|m| m.target.clone())
    };
    assert_eq!(npm(&lazy), npm(&whole));
    assert_eq!(npm(&whole).as_deref(), Some("/root/.npm"));
    assert_eq!(read(&lazy), ["node", "go", "python"]);
    assert!(lazy.packages.value.get().is_none());
    assert_eq!(
        lazy.runtime_package("libpq-dev"),
        whole.runtime_package("libpq-dev")
    );
    assert!(lazy.packages.value.get().is_some());

    // The runtime bases of a Go builder read the Go family's candidates only.
    let ids = |r: &Rules| -> Vec<String> {
        r.runtime_candidates("golang:1.22-bookworm")
            .iter()
            .map(|c| c.spec.id.clone())
            .collect()
    };
    assert_eq!(ids(&lazy), ids(&whole));
    assert!(!ids(&whole).is_empty());
    assert_eq!(families_read(&lazy), ["go"]);
    // A slim builder found in the catalogue by its image reads its family.
    let slim = |r: &Rules| {
        r.candidate_by_image(|image| image.starts_with("node:"))
            .map(|c| c.id.clone())
    };
    assert_eq!(slim(&lazy), slim(&whole));
    assert!(slim(&whole).is_some());
    assert_eq!(families_read(&lazy), ["go", "node"]);
    assert!(lazy.bases() == whole.bases());
    assert_eq!(families_read(&lazy).len(), whole.bases().families.len());
}

/// An overlay is merged over the embedded files read from their per-file
/// JSON as it would be over their YAML: the same rules, the same errors.
#[test]
fn overlays_merge_the_same_over_the_json_as_over_the_yaml() {
    let files: &[(&str, &str)] = &[
        (
            "over/go.yaml",
            "id: go\ndetect:\n  images: [\"tinygo/tinygo\"]\n",
        ),
        (
            "over/packages.yaml",
            "packages:\n  - id: libfoo\n    kind: dev-library\n    apt: { build: libfoo-dev, runtime: [libfoo1] }\n    why: a test\n",
        ),
    ];
    let json = Rules::load_with(files.iter().copied(), EmbeddedSource::Json);
    let yaml = Rules::load_with(files.iter().copied(), EmbeddedSource::Yaml);
    let (json, yaml) = match (json, yaml) {
        (Ok(j), Ok(y)) => (j, y),
        (j, y) => panic!("overlay must load both ways: {j:?} / {y:?}"),
    };
    assert!(json == yaml);
    assert_ne!(json, rules());
    assert!(json.runtime_package("libfoo-dev") == Some(&["libfoo1".to_owned()][..]));

    // An error that blames an embedded entry is located in its YAML.
    let clash: &[(&str, &str)] = &[(
        "over/extra.yaml",
        "id: extra\nname: Extra\ndetect: {}\nruntime: {}\ngates:\n  - id: extra/x\n    match: { program: x }\n    why: x\n    translation: go/build\n",
    )];
    let err = |source| match Rules::load_with(clash.iter().copied(), source) {
        Ok(_) => panic!("a clash must be rejected"),
        Err(e) => e.to_string(),
    };
    let from_json = err(EmbeddedSource::Json);
    assert_eq!(from_json, err(EmbeddedSource::Yaml));
    assert!(from_json.starts_with("rules/go.yaml:"), "{from_json}");
    assert!(from_json.contains("`go/build`"), "{from_json}");
}

/// Each file on its own: the JSON is there (so the fast path is taken, not
/// the YAML fallback) and reads back as the YAML does.
#[test]
fn every_embedded_file_has_json_that_reads_as_its_yaml() {
    fn same<T: serde::de::DeserializeOwned + std::fmt::Debug>(file: &'static Embedded) {
        assert!(
            !file.json.is_empty(),
            "{}: build.rs wrote no JSON (see its cargo warning)",
            file.name
        );
        let from_json: T = match serde_json::from_str(file.json) {
            Ok(v) => v,
            Err(e) => panic!("{}: JSON does not read back: {e}", file.name),
        };
        let from_yaml: T = match Loader::default().parse(file.name, file.yaml) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(
            format!("{from_json:?}"),
            format!("{from_yaml:?}"),
            "{}",
            file.name
        );
    }
    let mut names = Vec::new();
    for file in EMBEDDED {
        match file_kind(base_name(file.name)) {
            Some(FileKind::Profile) => same::<ProfileFile>(file),
            Some(FileKind::Bases) => same::<BasesFile>(file),
            Some(FileKind::Packages) => same::<PackagesFile>(file),
            Some(FileKind::Core) => same::<Core>(file),
            None => panic!("{}: not a rule file name", file.name),
        }
        names.push(file.name);
    }
    assert_eq!(names.len(), 9, "{names:?}");
}

#[test]
fn an_embedded_file_without_json_is_read_from_its_yaml_with_its_errors() {
    static BROKEN: Embedded = Embedded {
        name: "rules/broken.yaml",
        yaml: "id: broken\nname: Broken\nbogus: 1\n",
        json: "",
    };
    let err = match Loader::default().parse_embedded::<ProfileFile>(&BROKEN, EmbeddedSource::Json) {
        Ok(p) => panic!("must be rejected, got {p:?}"),
        Err(e) => e,
    };
    assert!(matches!(err, RulesError::Yaml { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("rules/broken.yaml:3:1: "),
        "{err}"
    );
    static FINE: Embedded = Embedded {
        name: "rules/fine.yaml",
        yaml: "id: fine\nname: Fine\n",
        json: "",
    };
    let parsed: ProfileFile = match Loader::default().parse_embedded(&FINE, EmbeddedSource::Json) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(parsed.name.as_deref(), Some("Fine"));
}

/// Moving tags and pinned versions, variants and releases: the runtime is
/// written in the builder's own terms, and a version is never read into a
/// tag that does not give one.
#[test]
fn runtime_tags_follow_what_the_builder_tag_says() {
    let r = rules();
    let image = |builder: &str, id: &str| candidate_for(&r, builder, id).map(|(i, _)| i);
    let ok = |s: &str| Ok(s.to_owned());
    // Moving lines: the same line's variant; `latest` (or no tag, or a tag
    // made only of variants) has variants without a version.
    assert_eq!(image("node:lts", "node/slim"), ok("node:lts-slim"));
    assert_eq!(image("node:current", "node/slim"), ok("node:current-slim"));
    assert_eq!(image("node:latest", "node/slim"), ok("node:slim"));
    assert_eq!(image("node", "node/slim"), ok("node:slim"));
    assert_eq!(image("node:slim", "node/slim"), ok("node:slim"));
    assert_eq!(
        image("node:bookworm", "node/slim"),
        ok("node:bookworm-slim")
    );
    assert_eq!(
        image("node:lts-bookworm", "node/slim"),
        ok("node:lts-bookworm-slim")
    );
    assert_eq!(image("node:alpine", "node/alpine"), ok("node:alpine"));
    assert_eq!(
        image("node:lts-alpine", "node/alpine"),
        ok("node:lts-alpine")
    );
    assert_eq!(image("python:3", "python/slim"), ok("python:3-slim"));
    assert_eq!(image("python", "python/slim"), ok("python:slim"));
    assert_eq!(image("python:alpine", "python/alpine"), ok("python:alpine"));
    // Per-major images are not offered for a moving line, and say why.
    let why = image("node:lts", "node/distroless").unwrap_err();
    assert!(
        why.contains("`node:lts` is a moving tag that names no `major`"),
        "{why}"
    );
    // Debian's Python is per release: `python:3` names neither.
    let why = image("python:3", "python/distroless").unwrap_err();
    assert!(why.contains("`python:3` is a moving tag"), "{why}");
    // Pins are kept: the full version, the Alpine release, the Debian suite,
    // old suites included.
    assert_eq!(image("node:22.13.1", "node/slim"), ok("node:22.13.1-slim"));
    assert_eq!(
        image("node:20-alpine3.19", "node/alpine"),
        ok("node:20-alpine3.19")
    );
    assert_eq!(
        image("python:3.12-alpine3.19", "python/alpine"),
        ok("python:3.12-alpine3.19")
    );
    assert_eq!(
        image("node:20-bookworm", "node/slim"),
        ok("node:20-bookworm-slim")
    );
    assert_eq!(
        image("node:10-stretch", "node/slim"),
        ok("node:10-stretch-slim")
    );
    assert_eq!(
        image("python:3.8-buster", "python/slim"),
        ok("python:3.8-slim-buster")
    );
    // A tag that is neither a version, a moving line nor variants (a
    // codename) gives no version: never `node:slim`.
    let why = image("node:hydrogen", "node/slim").unwrap_err();
    assert!(why.contains("`version`"), "{why}");
    // What the builder's tag tells the rewrite's warnings.
    let facts = |b: &str| r.explain_runtime_candidates(b).builder;
    assert_eq!(facts("node:lts").moving.as_deref(), Some("lts"));
    assert_eq!(facts("node").moving.as_deref(), Some("latest"));
    assert_eq!(facts("node:20").moving, None);
    assert!(facts("openjdk:17").deprecated.is_some());
    assert!(facts("eclipse-temurin:17").deprecated.is_none());
    assert_eq!(
        facts("python:3.8-buster")
            .unmaintained_release
            .map(|(s, _)| s),
        Some("buster".to_owned())
    );
    assert_eq!(facts("python:3.12-bookworm").unmaintained_release, None);
    // The .NET Core names keep their repository and version.
    assert_eq!(
        image(
            "mcr.microsoft.com/dotnet/core/sdk:3.1",
            "dotnet-core/aspnet"
        ),
        ok("mcr.microsoft.com/dotnet/core/aspnet:3.1")
    );
    assert_eq!(
        image("microsoft/dotnet:2.2-sdk", "dotnet-core/runtime"),
        ok("mcr.microsoft.com/dotnet/core/runtime:2.2")
    );
}

#[test]
fn load_shared_borrows_the_embedded_set_and_merges_an_overlay() {
    // No overlay: the process-wide set itself, not a copy.
    let shared = Rules::load_shared(None).expect("embedded rules load");
    let Cow::Borrowed(borrowed) = shared else {
        panic!("without an overlay the embedded rules are borrowed");
    };
    let embedded = Rules::embedded_shared().expect("embedded rules load");
    assert!(std::ptr::eq(borrowed, embedded));
    assert_eq!(*borrowed, rules());

    // An overlay directory: merged as `Rules::load` merges it.
    let dir = std::env::temp_dir().join(format!("dfsplit-load-shared-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("go.yaml"),
        "id: go\ndetect:\n  images: [\"tinygo/tinygo\"]\n",
    )
    .unwrap();
    let merged = Rules::load_shared(Some(&dir)).expect("overlay loads");
    let loaded = Rules::load(Some(&dir)).expect("overlay loads");
    std::fs::remove_dir_all(&dir).unwrap();
    let Cow::Owned(merged) = merged else {
        panic!("an overlay gives a merged copy");
    };
    assert_eq!(merged, loaded);
    assert_ne!(merged, rules());
    let go = merged.profile("go").expect("go profile");
    assert!(go.detect.images.iter().any(|i| i == "tinygo/tinygo"));
}

#[test]
fn locale_from_is_rendered_for_the_chosen_release_and_checked() {
    // The jlink base's locale data comes from Debian's slim image of the
    // release chosen for the runtime, whatever the builder's release.
    let r = rules();
    for builder in [
        "openjdk:17",
        "eclipse-temurin:17-jdk",
        "maven:3-eclipse-temurin-17",
    ] {
        let report = r.explain_runtime_candidates(builder);
        let c = report
            .accepted
            .iter()
            .find(|c| c.spec.id == "java/jlink-distroless")
            .unwrap_or_else(|| panic!("java/jlink-distroless for {builder}"));
        assert_eq!(c.image, "gcr.io/distroless/cc-debian13", "{builder}");
        assert_eq!(
            c.locale_from.as_deref(),
            Some("debian:trixie-slim"),
            "{builder}"
        );
    }
    // A variable the candidate cannot know is refused, with where it is.
    let cand = |from: &str, releases: &str| {
        format!(
            "families:\n  - id: go\n    candidates:\n      - id: go/x\n        image: 'x{}'\n        shell: false\n        libc: none\n        package-manager: none\n        user: {{name: root, uid: 0}}\n        ca-certs: false\n        approx-size-mb: 0\n{releases}        suits: [static-binary]\n        locale: {{lang: C.UTF-8, from: '{from}'}}\n        notes: x\n",
            if releases.is_empty() { "" } else { "-{distro}" }
        )
    };
    let err = overlay_err(&[("o/bases.yaml", &cand("debian:{nope}-slim", ""))]);
    assert!(
        err.to_string().contains(
            "`{nope}` in `locale.from` (`debian:{nope}-slim`) is not known for this candidate"
        ),
        "{err}"
    );
    // `{release}` needs releases to choose from.
    let err = overlay_err(&[("o/bases.yaml", &cand("debian:{release}-slim", ""))]);
    assert!(
        err.to_string().contains("`{release}` in `locale.from`"),
        "{err}"
    );
    overlay_ok(&[(
        "o/bases.yaml",
        &cand(
            "debian:{release}-slim",
            "        releases: [{distro: debian13}]\n",
        ),
    )]);
}

/// A glob made a name it matches (`python3*` → `python3x`).
fn glob_example(glob: &str) -> String {
    glob.replace('*', "x").replace('?', "y")
}

/// Arguments a command match accepts, made from its patterns (the first
/// choice of each slot, then its required flags and words).
fn args_example(m: &CommandMatch) -> Vec<String> {
    let mut args: Vec<String> = m
        .args
        .iter()
        .filter_map(|slot| slot.0.first().map(|g| glob_example(g)))
        .collect();
    args.extend(m.with_flag.iter().cloned());
    args.extend(m.any_arg.first().map(|g| glob_example(g)));
    for (key, flags) in &m.capture {
        if let Some(flag) = flags.first() {
            args.push(flag.clone());
            args.push(format!("/{key}"));
        }
    }
    args
}

/// Every question the lazily read embedded set answers, asked again of the
/// set read whole by walking every profile, tool table and family in order,
/// as the queries did before the set was read in parts. The inputs are made
/// from every program, argument pattern, wrapper, cache mount, tool image,
/// build variable and candidate image of the rules.
#[test]
fn lazy_queries_answer_as_walking_every_profile() {
    let set = MergedSet::load_with(std::iter::empty(), EmbeddedSource::Yaml).unwrap();
    let all: Vec<&Profile> = set.profiles.iter().collect();
    let tools: Vec<&Tools> = std::iter::once(&set.core.tools)
        .chain(all.iter().map(|p| &p.tools))
        .collect();
    let wrappers = || all.iter().flat_map(|p| p.wrappers.iter());
    type Found = (String, String, Vec<String>, BTreeMap<String, String>);
    let walk_classify = |prog: &str, args: &[String]| -> Option<Found> {
        through_wrappers(wrappers(), prog, args, &mut |p, a| {
            all.iter().find_map(|pr| pr.direct_match(p, a))
        })
        .map(|(m, via)| {
            let via = via.iter().map(|v| v.to_string()).collect();
            (m.profile.id.clone(), m.rule.id.clone(), via, m.captures)
        })
    };
    let walk_entry = |prog: &str, args: &[String], gates: bool| -> Option<(String, String)> {
        through_wrappers(wrappers(), prog, args, &mut |p, a| {
            all.iter().find_map(|pr| {
                let list = if gates {
                    &pr.gates
                } else {
                    &pr.runtime.entrypoint.launchers
                };
                list.iter()
                    .find(|g| pattern::match_command(&g.matcher, p, a).is_some())
                    .map(|g| (pr.id.clone(), g.id.clone()))
            })
        })
        .map(|(found, _)| found)
    };

    // Every command match of the rules, and the programs they name.
    let mut matches: Vec<&CommandMatch> = Vec::new();
    for p in &all {
        matches.extend(p.commands.iter().map(|r| &r.matcher));
        matches.extend(p.gates.iter().map(|g| &g.matcher));
        matches.extend(p.runtime.entrypoint.launchers.iter().map(|g| &g.matcher));
    }
    for t in &tools {
        matches.extend(t.config.iter().chain(&t.cache_clean));
    }
    let mut inputs: Vec<(String, Vec<String>)> = Vec::new();
    let mut programs: Vec<String> = vec!["echo".into(), "sh".into(), String::new()];
    for m in &matches {
        for glob in &m.program {
            let name = glob_example(glob);
            inputs.push((name.clone(), args_example(m)));
            inputs.push((format!("/usr/bin/{name}"), args_example(m)));
            inputs.push((name.clone(), Vec::new()));
            programs.push(name);
        }
    }
    for t in &tools {
        for c in &t.cache_mounts {
            programs.extend(c.program.iter().map(|g| glob_example(g)));
        }
    }
    programs.sort();
    programs.dedup();
    // Through every wrapper, with the target where the wrapper takes it (the
    // direct inputs only, not the `/usr/bin/` ones).
    let direct: Vec<(String, Vec<String>)> = inputs
        .iter()
        .filter(|(p, _)| !p.starts_with('/'))
        .cloned()
        .collect();
    for w in wrappers() {
        for wp in &w.program {
            for (target, args) in direct.clone() {
                let mut wrapped: Vec<String> = w
                    .args
                    .iter()
                    .filter_map(|slot| slot.0.first().map(|g| glob_example(g)))
                    .collect();
                if let Some(flag) = &w.module_flag {
                    wrapped.push(flag.clone());
                }
                wrapped.push(target);
                wrapped.extend(args);
                inputs.push((glob_example(wp), wrapped));
            }
        }
    }

    let lazy = EmbeddedSet::read(MERGED).expect("the merged set reads");
    let mut hits = 0;
    for (prog, args) in &inputs {
        let want = walk_classify(prog, args);
        hits += usize::from(want.is_some());
        let got = lazy.classify_command(prog, args).map(|m| {
            let via = m.via.iter().map(|v| v.to_string()).collect();
            (m.profile.id.clone(), m.rule.id.clone(), via, m.captures)
        });
        assert_eq!(got, want, "classify_command {prog} {args:?}");
        let pair = |f: Option<(&Profile, &GateRule)>| f.map(|(p, g)| (p.id.clone(), g.id.clone()));
        assert_eq!(
            pair(lazy.match_gate(prog, args)),
            walk_entry(prog, args, true)
        );
        assert_eq!(
            pair(lazy.match_launcher(prog, args)),
            walk_entry(prog, args, false)
        );
        let walk_tools = |clean: bool| {
            tools.iter().any(|t| {
                let list = if clean { &t.cache_clean } else { &t.config };
                list.iter()
                    .any(|m| pattern::match_command(m, prog, args).is_some())
            })
        };
        assert_eq!(
            lazy.is_tool_config(prog, args),
            walk_tools(false),
            "{prog} {args:?}"
        );
        assert_eq!(
            lazy.is_cache_clean(prog, args),
            walk_tools(true),
            "{prog} {args:?}"
        );
    }
    // Not a trivial agreement: many commands made from the rules match one
    // (2,824 of 5,886 when written; those without arguments mostly do not).
    assert!(hits * 3 > inputs.len(), "{hits} of {}", inputs.len());

    for p in &all {
        for rule in &p.commands {
            for prog in &programs {
                let base = pattern::program_basename(prog);
                let want = tools
                    .iter()
                    .flat_map(|t| &t.cache_mounts)
                    .find(|m| {
                        m.rules.contains(&rule.id)
                            && (m.program.is_empty() || pattern::any_glob(&m.program, base))
                    })
                    .map(|m| m.target.clone());
                let got = lazy.cache_mount(&rule.id, prog).map(|m| m.target.clone());
                assert_eq!(got, want, "cache_mount {} {prog}", rule.id);
            }
        }
    }
    for prog in &programs {
        let base = pattern::program_basename(prog);
        let want = all
            .iter()
            .find(|p| pattern::any_glob(&p.detect.commands, base))
            .map(|p| p.id.clone());
        let got = lazy.profile_for_program(prog).map(|p| p.id.clone());
        assert_eq!(got, want, "profile_for_program {prog}");
    }
    for t in &tools {
        for image in &t.images {
            for probe in [
                glob_example(&image.image),
                format!("{}:1", glob_example(&image.image)),
            ] {
                let name = pattern::ImageRef::parse(&probe).name;
                let want = tools
                    .iter()
                    .flat_map(|t| t.images.iter())
                    .find(|i| pattern::glob_match(&i.image, &name))
                    .map(|i| i.id.clone());
                assert_eq!(
                    lazy.tool_image(&probe).map(|i| i.id.clone()),
                    want,
                    "{probe}"
                );
                assert!(want.is_some(), "{probe}");
            }
        }
        for name in t
            .build_env
            .iter()
            .map(|g| glob_example(g))
            .chain(["PORT".into()])
        {
            let want = tools.iter().any(|t| pattern::any_glob(&t.build_env, &name));
            assert_eq!(lazy.is_build_env(&name), want, "{name}");
        }
    }
    for c in set.bases.families.iter().flat_map(|f| f.candidates.iter()) {
        let test = |t: &str| t == c.image;
        let want = set
            .bases
            .families
            .iter()
            .flat_map(|f| f.candidates.iter())
            .find(|s| test(&s.image))
            .map(|s| s.id.clone());
        assert_eq!(
            lazy.candidate_by_image(test).map(|s| s.id.clone()),
            want,
            "{}",
            c.image
        );
        assert!(want.is_some());
    }
    assert!(lazy.candidate_by_image(|_| false).is_none());
}

/// Every dependency in a profile's `runtime.libraries` names a build package
/// that packages.yaml maps to runtime packages (the names the runtime
/// installs), and every such entry is documented in its profile's page.
#[test]
fn every_native_library_maps_to_runtime_packages() {
    let r = rules();
    let mut seen = 0;
    for id in ["node", "go", "python", "java", "dotnet", "rust"] {
        let Some(p) = r.profile(id) else { continue };
        let doc = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("rules/{id}.md")),
        )
        .expect("profile page");
        for lib in p.runtime.libraries.iter().flat_map(|l| &l.packages) {
            seen += 1;
            let runtime = r.runtime_package(&lib.links).unwrap_or_default();
            assert!(
                !runtime.is_empty(),
                "{}: `{}` has no apt runtime packages in packages.yaml",
                lib.package,
                lib.links
            );
            assert!(
                doc.contains(&format!("| `{}` | `{}` |", lib.package, lib.links)),
                "rules/{id}.md lacks the row of {}",
                lib.package
            );
        }
    }
    assert!(seen >= 3, "only {seen} native libraries");
}
