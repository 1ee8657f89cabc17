use std::fs;

fn main() {
    let page = fs::read_to_string("templates/index.html").expect("template");
    let db = std::env::var("DATABASE_PATH").unwrap_or_else(|_| "data/guestbook.db".into());
    fs::write(&db, page.len().to_string()).expect("write");
    let _css = fs::read("static/site.css");
}
