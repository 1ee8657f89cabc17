fn main() {
    println!("notes api");
}
