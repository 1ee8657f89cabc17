//! A Java app that reads files from its working directory gets that
//! directory in the runtime (`java/rt-workdir`), unless the builder image
//! fills that folder itself: then the file is left unchanged, since copying
//! it whole would bring the JDK or Maven's cache along (bigger for nothing).

use dfsplit::model::Context;
use dfsplit::plan::{self, Options, Outcome};
use dfsplit::rules::Rules;
use dfsplit::syntax;

const MAIN: &str = r#"package app;
import java.nio.file.*;
public class Main { public static void main(String[] a) throws Exception {
  System.out.println(Files.readString(Path.of("config/greeting.txt")));
}}
"#;

fn plan_in(workdir: &str) -> Outcome {
    let text = format!(
        "FROM eclipse-temurin:17-jdk\nWORKDIR {workdir}\nCOPY . .\n\
         RUN mkdir -p out && javac -d out src/app/Main.java && jar cfe app.jar app.Main -C out .\n\
         CMD [\"java\", \"-jar\", \"app.jar\"]\n"
    );
    let rules = Rules::embedded().expect("embedded rules");
    let df = syntax::parse(&text);
    let ctx = Context::from_files([
        ("src/app/Main.java", MAIN),
        ("config/greeting.txt", "hello from config\n"),
    ]);
    plan::plan(&df, Some(&ctx), &rules, &Options::default()).expect("plannable")
}

#[test]
fn the_apps_own_folder_comes_along() {
    match plan_in("/app") {
        Outcome::Rewrite(r) => assert!(
            r.text.contains("COPY --from=build /app /app\n"),
            "{}",
            r.text
        ),
        Outcome::Unchanged { gate, .. } => panic!("unchanged: {}", gate.text()),
    }
}

#[test]
fn a_folder_the_builder_fills_is_not_copied_whole() {
    for wd in ["/opt", "/root", "/usr/local"] {
        match plan_in(wd) {
            Outcome::Unchanged { gate, .. } => {
                assert_eq!(gate.rule, "core/workdir-root", "{wd}");
                assert!(
                    gate.text().contains("fills itself"),
                    "{wd}: {}",
                    gate.text()
                );
            }
            Outcome::Rewrite(r) => panic!("{wd}: rewritten:\n{}", r.text),
        }
    }
}
