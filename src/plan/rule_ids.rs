//! Every rule id the plan layer names, in one place: the engine's own
//! (`core/…`, documented in `rules/core.md`) and the profile rules it
//! reads or prints (documented in `rules/<profile>.md`). Code elsewhere in
//! `plan/` uses these constants, never the literal ids; `tests/corpus.rs`
//! checks every id here is documented.

/// The engine's own rules, documented in `rules/core.md`.
pub(crate) mod core {
    pub(crate) const CGO_OFF_WITHOUT_COMPILER: &str = "core/cgo-off-without-compiler";
    pub(crate) const DEV_SERVER_KEPT: &str = "core/dev-server-kept";
    pub(crate) const ENTRY_SCRIPT: &str = "core/entry-script";
    pub(crate) const MAKE_TARGET: &str = "core/make-target";
    pub(crate) const ACCOUNTS_COPIED: &str = "core/accounts-copied";
    pub(crate) const ALREADY_MULTISTAGE: &str = "core/already-multistage";
    pub(crate) const APP_FILES: &str = "core/app-files";
    pub(crate) const ARG_IN_FROM: &str = "core/arg-in-from";
    pub(crate) const ARG_SCOPE: &str = "core/arg-scope";
    pub(crate) const BASE_CHOICE: &str = "core/base-choice";
    pub(crate) const BASE_INCOMPATIBLE: &str = "core/base-incompatible";
    pub(crate) const BASE_UNKNOWN: &str = "core/base-unknown";
    pub(crate) const BUILD_CONFIG: &str = "core/build-config";
    pub(crate) const BUILD_TOOL_CONFIG: &str = "core/build-tool-config";
    pub(crate) const CD: &str = "core/cd";
    pub(crate) const CONTEXT_UNKNOWN: &str = "core/context-unknown";
    pub(crate) const ENTRY_TRANSLATION: &str = "core/entry-translation";
    pub(crate) const ENV: &str = "core/env";
    pub(crate) const ENV_BUILD_ONLY: &str = "core/env-build-only";
    pub(crate) const ENV_SECRET: &str = "core/env-secret";
    pub(crate) const GLOBAL_ARG: &str = "core/global-arg";
    pub(crate) const HARMLESS: &str = "core/harmless";
    pub(crate) const HEALTHCHECK_EXEC: &str = "core/healthcheck-exec";
    pub(crate) const LOCALE_UNAVAILABLE: &str = "core/locale-unavailable";
    pub(crate) const MANIFESTS_FIRST: &str = "core/manifests-first";
    pub(crate) const MIXED_SETUP: &str = "core/mixed-setup";
    pub(crate) const MULTISTAGE_SDK_FINAL: &str = "core/multistage-sdk-final";
    pub(crate) const NO_CONTEXT: &str = "core/no-context";
    pub(crate) const NO_ENTRY: &str = "core/no-entry";
    pub(crate) const NO_GAIN: &str = "core/no-gain";
    pub(crate) const NO_PROFILE: &str = "core/no-profile";
    pub(crate) const NON_ROOT: &str = "core/non-root";
    pub(crate) const ONBUILD: &str = "core/onbuild";
    pub(crate) const OUTSIDE_FILES: &str = "core/outside-files";
    pub(crate) const OWNED_DIRS: &str = "core/owned-dirs";
    pub(crate) const PACKAGE_HOUSEKEEPING: &str = "core/package-housekeeping";
    pub(crate) const PRAGMA_IGNORE_FILE: &str = "core/pragma-ignore-file";
    pub(crate) const PRAGMA_PLACEMENT: &str = "core/pragma-placement";
    pub(crate) const PREBUILT: &str = "core/prebuilt";
    pub(crate) const REBASE_FINAL_STAGE: &str = "core/rebase-final-stage";
    pub(crate) const RELOCATE: &str = "core/relocate";
    pub(crate) const RUN: &str = "core/run";
    pub(crate) const RUNS_BUILD_OUTPUT: &str = "core/runs-build-output";
    pub(crate) const RUNTIME_CONFIG: &str = "core/runtime-config";
    pub(crate) const SAME_USER: &str = "core/same-user";
    pub(crate) const SETUP_ORDER: &str = "core/setup-order";
    pub(crate) const SHELL_ASSIGNMENT: &str = "core/shell-assignment";
    pub(crate) const SHELL_EXPORT: &str = "core/shell-export";
    pub(crate) const SHELL_SYNTAX: &str = "core/shell-syntax";
    pub(crate) const SOURCES: &str = "core/sources";
    pub(crate) const SPAWNED_PROGRAM: &str = "core/spawned-program";
    pub(crate) const STAGE_NAMES: &str = "core/stage-names";
    pub(crate) const STATIC_SITE: &str = "core/static-site";
    pub(crate) const SYSTEM_FILES: &str = "core/system-files";
    pub(crate) const SYSTEM_PACKAGES: &str = "core/system-packages";
    pub(crate) const SYSTEM_SETUP: &str = "core/system-setup";
    pub(crate) const UNKNOWN_COMMAND: &str = "core/unknown-command";
    pub(crate) const UNMODELLED_COPY: &str = "core/unmodelled-copy";
    pub(crate) const UNTAGGED_BASE: &str = "core/untagged-base";
    pub(crate) const USER: &str = "core/user";
    pub(crate) const USER_NUMERIC: &str = "core/user-numeric";
    pub(crate) const USER_SETUP: &str = "core/user-setup";
    pub(crate) const VOLUME: &str = "core/volume";
    pub(crate) const WORKDIR: &str = "core/workdir";
    pub(crate) const WORKDIR_FILES: &str = "core/workdir-files";
    pub(crate) const WORKDIR_ROOT: &str = "core/workdir-root";
}

/// Rules of the go profile (`rules/go.yaml`, `rules/go.md`) the plan names.
pub(crate) mod go {
    pub(crate) const BUILD: &str = "go/build";
    pub(crate) const GATE_GO_RUN: &str = "go/gate-go-run";
    pub(crate) const START_GO_BUILD: &str = "go/start-go-build";
    pub(crate) const RT_BINARY: &str = "go/rt-binary";
    pub(crate) const RT_CA_CERTS: &str = "go/rt-ca-certs";
    pub(crate) const RT_INSTALLED_BINARY: &str = "go/rt-installed-binary";
    pub(crate) const RT_TZDATA: &str = "go/rt-tzdata";
}

/// Rules of the node profile (`rules/node.yaml`, `rules/node.md`) the plan names.
pub(crate) mod node {
    pub(crate) const INSTALL: &str = "node/install";
    pub(crate) const INSTALL_GLOBAL_RUNTIME_TOOL: &str = "node/install-global-runtime-tool";
    pub(crate) const PRISMA_GENERATE: &str = "node/prisma-generate";
    pub(crate) const PRUNE_PROD: &str = "node/prune-prod";
    pub(crate) const RT_APP: &str = "node/rt-app";
    pub(crate) const YARN_GLOBAL_RUNTIME_TOOL: &str = "node/yarn-global-runtime-tool";
}

/// Rules of the python profile (`rules/python.yaml`, `rules/python.md`) the plan names.
pub(crate) mod python {
    pub(crate) const COLLECTSTATIC: &str = "python/collectstatic";
    pub(crate) const GATE_TOOL_RUN: &str = "python/gate-tool-run";
    pub(crate) const INSTALL_TOOL: &str = "python/install-tool";
    pub(crate) const PIP_INSTALL_PACKAGES: &str = "python/pip-install-packages";
    pub(crate) const PIP_INSTALL_PROJECT: &str = "python/pip-install-project";
    pub(crate) const PIP_INSTALL_REQUIREMENTS: &str = "python/pip-install-requirements";
    pub(crate) const PIPENV_INSTALL: &str = "python/pipenv-install";
    pub(crate) const POETRY_INSTALL: &str = "python/poetry-install";
    pub(crate) const POETRY_INSTALL_PROD: &str = "python/poetry-install-prod";
    pub(crate) const RT_APP: &str = "python/rt-app";
    pub(crate) const RT_APP_PLACES: &str = "python/rt-app-places";
    pub(crate) const RT_PROJECT_VENV: &str = "python/rt-project-venv";
    pub(crate) const RT_SITE_PACKAGES: &str = "python/rt-site-packages";
    pub(crate) const RT_VENV: &str = "python/rt-venv";
    pub(crate) const START_TOOL_ENV: &str = "python/start-tool-env";
    pub(crate) const UV_SYNC: &str = "python/uv-sync";
    pub(crate) const UV_SYNC_PROD: &str = "python/uv-sync-prod";
    pub(crate) const UV_VENV: &str = "python/uv-venv";
    pub(crate) const UV_PIP_INSTALL: &str = "python/uv-pip-install";
    pub(crate) const VENV_CREATE: &str = "python/venv-create";
}

/// Rules of the java profile (`rules/java.yaml`, `rules/java.md`) the plan names.
pub(crate) mod java {
    pub(crate) const GATE_GRADLE_RUN: &str = "java/gate-gradle-run";
    pub(crate) const GATE_MVN_RUN: &str = "java/gate-mvn-run";
    pub(crate) const GRADLE_BUILD: &str = "java/gradle-build";
    pub(crate) const START_GRADLE_BOOTJAR: &str = "java/start-gradle-bootjar";
    pub(crate) const START_MVN_PACKAGE: &str = "java/start-mvn-package";
    pub(crate) const JLINK_RUNTIME: &str = "java/jlink-runtime";
    pub(crate) const JLINK_LOCALTIME: &str = "java/jlink-localtime";
    pub(crate) const RT_GRADLE_JAR: &str = "java/rt-gradle-jar";
    pub(crate) const RT_MAVEN_JAR: &str = "java/rt-maven-jar";
    pub(crate) const RT_PREBUILT_JAR: &str = "java/rt-prebuilt-jar";
    pub(crate) const RT_WORKDIR: &str = "java/rt-workdir";
}

/// Rules of the dotnet profile (`rules/dotnet.yaml`, `rules/dotnet.md`) the plan names.
pub(crate) mod dotnet {
    pub(crate) const GATE_RUN: &str = "dotnet/gate-run";
    pub(crate) const START_DOTNET_PUBLISH: &str = "dotnet/start-dotnet-publish";
    pub(crate) const PUBLISH: &str = "dotnet/publish";
    pub(crate) const PUBLISH_SELF_CONTAINED: &str = "dotnet/publish-self-contained";
    pub(crate) const RT_PUBLISH: &str = "dotnet/rt-publish";
}

/// Rules of the rust profile (`rules/rust.yaml`, `rules/rust.md`) the plan names.
pub(crate) mod rust {
    pub(crate) const BUILD: &str = "rust/build";
    pub(crate) const CARGO_RUN: &str = "rust/cargo-run";
    pub(crate) const DATA_FILES: &str = "rust/data-files";
    pub(crate) const INSTALL_PATH: &str = "rust/install-path";
    pub(crate) const RT_BINARY: &str = "rust/rt-binary";
    pub(crate) const RT_INSTALLED_BINARY: &str = "rust/rt-installed-binary";
}
