fn main() {
    let words: Vec<String> = std::env::args().skip(1).collect();
    let letters: usize = words.iter().map(|w| w.chars().count()).sum();
    let host = std::env::var("HOSTNAME").map(|_| "set").unwrap_or("unset");
    println!("tally: {} words, {} letters (HOSTNAME {host})", words.len(), letters);
}
