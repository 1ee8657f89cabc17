//! Setup steps that work on a path an earlier COPY brought, which the
//! runtime receives from the build stage (core/setup-order): never repeated
//! before the copy that brings the path; carried by that copy, repeated
//! after it, or the file left unchanged.

use dfsplit::model::Context;
use dfsplit::plan::{self, Options, Outcome};
use dfsplit::rules::Rules;
use dfsplit::syntax;

/// The rewritten text, or why the file is left unchanged.
fn plan(text: &str, files: &[&str]) -> Result<String, String> {
    let rules = Rules::embedded().expect("embedded rules");
    let df = syntax::parse(text);
    let ctx = Context::from_files(files.iter().map(|f| (*f, "")));
    match plan::plan(&df, Some(&ctx), &rules, &Options::default()).expect("plannable") {
        Outcome::Rewrite(r) => Ok(r.text),
        Outcome::Unchanged { gate, .. } => Err(gate.text()),
    }
}

/// The runtime stage (from its FROM to the end).
fn runtime(out: &str) -> &str {
    let at = out.rfind("\nFROM ").expect("a runtime stage");
    &out[at + 1..]
}

/// Every RUN of the runtime stage that names an absolute path comes after
/// the `COPY --from` that brings that path or a folder holding it, when
/// there is one.
fn assert_no_run_before_its_copy(out: &str) {
    let rt: Vec<&str> = runtime(out).lines().collect();
    for (n, line) in rt.iter().enumerate() {
        let Some(cmd) = line.strip_prefix("RUN ") else {
            continue;
        };
        for word in cmd.split_whitespace().filter(|w| w.starts_with('/')) {
            let later_copy = rt[n + 1..].iter().find(|l| {
                l.starts_with("COPY --from=")
                    && l.split_whitespace().last().is_some_and(|to| {
                        word == to || word.starts_with(&format!("{}/", to.trim_end_matches('/')))
                    })
            });
            assert!(
                later_copy.is_none(),
                "`{line}` works on {word} before `{}` brings it:\n{out}",
                later_copy.unwrap()
            );
        }
    }
}

fn python(tail: &str) -> String {
    format!(
        "FROM python:3.11\nWORKDIR /code\nCOPY requirements.txt /code/requirements.txt\n\
         RUN pip install --no-cache-dir -r /code/requirements.txt\nCOPY app.py /code/app.py\n{tail}"
    )
}

const PY_FILES: &[&str] = &["requirements.txt", "app.py", "entrypoint.sh"];

fn node(tail: &str) -> String {
    format!(
        "FROM node:20\nWORKDIR /app\nCOPY package.json /app/package.json\nRUN npm install\n\
         COPY server.js /app/server.js\nCOPY package.json /etc/myapp/config.json\n{tail}\
         CMD [\"node\",\"server.js\"]\n"
    )
}

const NODE_FILES: &[&str] = &["package.json", "server.js"];

#[test]
fn chmod_of_a_copied_script_is_carried_by_its_copy() {
    let out = plan(
        &python(
            "COPY entrypoint.sh /entrypoint.sh\nRUN chmod +x /entrypoint.sh\nCMD [\"/entrypoint.sh\"]\n",
        ),
        PY_FILES,
    )
    .expect("a rewrite");
    assert_no_run_before_its_copy(&out);
    let rt = runtime(&out);
    assert!(
        rt.contains("COPY --from=build /entrypoint.sh /entrypoint.sh\n"),
        "{out}"
    );
    // The build stage makes it executable; the copy keeps the mode.
    assert!(!rt.contains("chmod"), "{out}");
    assert!(out.contains("RUN chmod +x /entrypoint.sh\n"), "{out}");
}

#[test]
fn chown_of_a_copied_config_is_carried_by_its_copy() {
    let out = plan(
        &python(
            "COPY requirements.txt /etc/myapp.conf\nRUN chown nobody /etc/myapp.conf\nCMD [\"python\", \"app.py\"]\n",
        ),
        PY_FILES,
    )
    .expect("a rewrite");
    assert_no_run_before_its_copy(&out);
    assert!(!runtime(&out).contains("chown"), "{out}");
}

#[test]
fn node_chmod_sed_and_redirect_on_a_copied_file_are_carried() {
    for step in [
        "RUN chmod 600 /etc/myapp/config.json\n",
        "RUN sed -i s/cfg/prod/ /etc/myapp/config.json\n",
        "RUN echo '{}' >> /etc/myapp/config.json\n",
    ] {
        let out = plan(&node(step), NODE_FILES).expect("a rewrite");
        assert_no_run_before_its_copy(&out);
        let rt = runtime(&out);
        assert!(
            rt.contains("COPY --from=build /etc/myapp/config.json /etc/myapp/config.json\n"),
            "{step}: {out}"
        );
        assert!(!rt.contains(step.trim_end()), "{step}: {out}");
    }
}

#[test]
fn a_change_to_the_folder_a_copy_made_comes_after_the_copies() {
    for step in [
        "RUN chmod 700 /etc/myapp\n",
        "RUN ln -s /etc/myapp/config.json /etc/myapp/current.json\n",
        "RUN useradd app && chown app /etc/myapp/config.json\n",
    ] {
        let out = plan(&node(step), NODE_FILES).expect("a rewrite");
        assert_no_run_before_its_copy(&out);
        let rt = runtime(&out);
        let run = rt.find(step.trim_end()).expect("repeated in the runtime");
        let copy = rt
            .find("COPY --from=build /etc/myapp/config.json")
            .expect("the copy");
        assert!(copy < run, "{step}: {out}");
    }
}

#[test]
fn what_cannot_be_carried_nor_done_again_leaves_the_file_unchanged() {
    for step in [
        "RUN chown -R node /etc/myapp\n",
        "RUN useradd app && sed -i s/a/b/ /etc/myapp/config.json\n",
    ] {
        let why = plan(&node(step), NODE_FILES).expect_err("unchanged");
        assert!(
            why.starts_with("line 7: `") && why.contains("which the instruction on line 6 brought"),
            "names the step and the COPY that brought the path: {step}: {why}"
        );
    }
}

#[test]
fn a_relative_path_in_the_app_folder_waits_for_the_app_copy() {
    let out = plan(
        &python(
            "COPY app.py /code/data.txt\nRUN chown nobody data.txt\nCMD [\"python\", \"app.py\"]\n",
        ),
        PY_FILES,
    )
    .expect("a rewrite");
    assert_no_run_before_its_copy(&out);
    assert!(!runtime(&out).contains("chown"), "{out}");
}

#[test]
fn a_step_before_the_copy_keeps_its_place() {
    // The folder is made before the COPY in the original too: the runtime
    // makes it, then copies into it.
    let out = plan(
        &node_before("RUN mkdir -p /etc/myapp && chmod 700 /etc/myapp\n"),
        NODE_FILES,
    )
    .expect("a rewrite");
    let rt = runtime(&out);
    let run = rt.find("RUN mkdir -p /etc/myapp").expect("repeated");
    let copy = rt
        .find("COPY --from=build /etc/myapp/config.json")
        .expect("the copy");
    assert!(run < copy, "{out}");
}

fn node_before(step: &str) -> String {
    format!(
        "FROM node:20\nWORKDIR /app\nCOPY package.json /app/package.json\nRUN npm install\n\
         COPY server.js /app/server.js\n{step}COPY package.json /etc/myapp/config.json\n\
         CMD [\"node\",\"server.js\"]\n"
    )
}

/// A step repeated after the copies takes the later repeated steps with it,
/// so they keep the original's order: the `chown app` of a later step runs
/// after the `useradd app` of the step that waits for a copy.
#[test]
fn later_steps_follow_a_step_repeated_after_the_copies() {
    let out = plan(
        &node(
            "RUN useradd app && chown app /etc/myapp/config.json\n\
             RUN mkdir -p /var/log/myapp && chown app /var/log/myapp\n",
        ),
        NODE_FILES,
    )
    .expect("a rewrite");
    let rt = runtime(&out);
    let useradd = rt.find("RUN useradd app").expect("repeated");
    let chown = rt.find("RUN mkdir -p /var/log/myapp").expect("repeated");
    assert!(useradd < chown, "{out}");
}

/// A folder `cp -r` or `mv` puts somewhere is not one file: a recursive
/// owner change of it is not taken as carried by the copy (the top of a
/// copied folder comes out root's), and the file stays unchanged.
#[test]
fn a_relocated_folder_is_not_taken_for_a_file() {
    let text = "FROM node:20\nWORKDIR /app\nCOPY package.json /app/package.json\nRUN npm install\n\
                COPY . .\nRUN cp -r /app/public /opt/site\nRUN chown -R node /opt/site\n\
                CMD [\"node\",\"server.js\"]\n";
    match plan(text, &["package.json", "server.js", "public/index.html"]) {
        Err(why) => assert!(why.contains("/opt/site"), "{why}"),
        Ok(out) => {
            let rt = runtime(&out);
            let copy = rt.find("COPY --from=build /opt/site").expect("the copy");
            let chown = rt
                .find("chown -R node /opt/site")
                .expect("repeated after it");
            assert!(copy < chown, "{out}");
        }
    }
}

/// Changing an entry a package put beside a copied file (`rm` of nginx's
/// default site, `sed -i` of its main config) does not wait for the copy:
/// the runtime has the package before its copies, as the original did.
#[test]
fn a_change_beside_a_copied_file_does_not_wait_for_it() {
    for step in [
        "RUN rm /etc/myapp/default.json\n",
        "RUN sed -i s/a/b/ /etc/myapp/main.json\n",
    ] {
        let out = plan(&node(step), NODE_FILES).expect("a rewrite, not a refusal");
        let rt = runtime(&out);
        assert!(rt.contains(step.trim_end()), "{step}: {out}");
    }
}
