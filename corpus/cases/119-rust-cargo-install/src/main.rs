fn main() {
    let port = std::env::var("PORT").unwrap_or_default();
    println!("listening on {port}");
}
