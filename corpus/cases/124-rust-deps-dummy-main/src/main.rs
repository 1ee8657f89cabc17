fn main() {
    println!("tick");
}
