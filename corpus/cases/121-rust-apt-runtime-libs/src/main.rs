fn main() {
    println!("feeds");
}
