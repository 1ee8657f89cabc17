use std::fs;
use std::io::{Read, Write};
use std::net::TcpListener;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let port = args
        .iter()
        .position(|a| a == "--port")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| "8080".into());
    let banner = fs::read_to_string("static/banner.txt").expect("static/banner.txt");
    let listener = TcpListener::bind(format!("0.0.0.0:{port}")).expect("bind");
    for stream in listener.incoming().flatten() {
        let mut s = stream;
        let mut buf = [0u8; 8192];
        let n = s.read(&mut buf).unwrap_or(0);
        let req = String::from_utf8_lossy(&buf[..n]).to_string();
        let first = req.lines().next().unwrap_or("").to_string();
        let body = req.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
        let (status, out) = if first.starts_with("POST /memo") {
            match fs::write("data/memo.txt", &body) {
                Ok(()) => ("201 Created", format!("saved {}\n", body.len())),
                Err(e) => ("500 Internal Server Error", format!("{e}\n")),
            }
        } else if first.starts_with("GET /memo") {
            match fs::read_to_string("data/memo.txt") {
                Ok(m) => ("200 OK", m),
                Err(e) => ("404 Not Found", format!("{e}\n")),
            }
        } else {
            ("200 OK", banner.clone())
        };
        let _ = write!(
            s,
            "HTTP/1.0 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{out}",
            out.len()
        );
    }
}
