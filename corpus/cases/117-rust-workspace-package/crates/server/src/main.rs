fn main() {
    println!("{}", inventory_core::VERSION);
}
