use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

fn main() {
    let addr = std::env::args().nth(2).unwrap_or_else(|| "0.0.0.0:3000".into());
    let listener = TcpListener::bind(addr).expect("bind");
    for stream in listener.incoming().flatten() {
        let mut s = stream;
        let mut line = String::new();
        BufReader::new(&s).read_line(&mut line).ok();
        let n = line.split_whitespace().count();
        write!(s, "HTTP/1.0 200 OK\r\n\r\n{n}\n").ok();
    }
}
