//! A tiny HTTP/1.0 client for the smoke check and the probes: one request
//! (a method, headers and a body with its Content-Length), the whole answer
//! read until the server closes the connection.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// A parsed answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Answers larger than this are cut (the smoke check needs the first bytes).
const MAX_ANSWER: u64 = 1 << 20;

/// One request: `METHOD PATH`, extra headers and a body sent as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn get(path: &str) -> Request {
        Request {
            method: "GET".into(),
            path: path.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// The bytes sent to `host`: HTTP/1.0 with `Connection: close`; the
    /// defaults (`Host`, `User-Agent`, `Accept`) give way to headers of the
    /// same name; `Content-Length` is always the body's length (also 0 for a
    /// body-less POST, which some servers require).
    pub fn to_bytes(&self, host: &str) -> Vec<u8> {
        let given = |name: &str| {
            self.headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case(name))
        };
        let mut head = format!("{} {} HTTP/1.0\r\n", self.method, self.path);
        for (k, v) in [
            ("Host", host),
            ("User-Agent", "dfsplit-verify"),
            ("Accept", "*/*"),
        ] {
            if !given(k) {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
        }
        for (k, v) in &self.headers {
            if k.eq_ignore_ascii_case("content-length") || k.eq_ignore_ascii_case("connection") {
                continue;
            }
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if !self.body.is_empty() || !matches!(self.method.as_str(), "GET" | "HEAD") {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        head.push_str("Connection: close\r\n\r\n");
        let mut out = head.into_bytes();
        out.extend_from_slice(&self.body);
        out
    }
}

/// `GET path` on `addr`, each phase bounded by `timeout`.
pub fn get(addr: SocketAddr, path: &str, timeout: Duration) -> Result<Response, String> {
    send(addr, &Request::get(path), timeout)
}

/// Sends `req` to `addr` and reads the whole answer, each phase bounded by
/// `timeout`. A refused or reset connection and an empty answer are errors.
pub fn send(addr: SocketAddr, req: &Request, timeout: Duration) -> Result<Response, String> {
    let mut stream =
        TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(&req.to_bytes(&addr.to_string()))
        .map_err(|e| format!("send: {e}"))?;
    let mut raw = Vec::new();
    stream
        .take(MAX_ANSWER)
        .read_to_end(&mut raw)
        .map_err(|e| format!("read: {e}"))?;
    let resp = parse_response(&raw)?;
    Ok(if req.method == "HEAD" {
        Response {
            body: Vec::new(),
            ..resp
        }
    } else {
        resp
    })
}

/// Parses a whole HTTP/1.x answer (chunked bodies decoded).
pub fn parse_response(raw: &[u8]) -> Result<Response, String> {
    if raw.is_empty() {
        return Err("empty answer (connection closed)".into());
    }
    let split = find(raw, b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| find(raw, b"\n\n").map(|i| (i, i + 2)))
        .ok_or("the answer has no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..split.0]);
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.split_whitespace();
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/") {
        return Err(format!("not an HTTP answer: {status_line:.60}"));
    }
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line: {status_line:.60}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut resp = Response {
        status,
        headers,
        body: raw[split.1..].to_vec(),
    };
    if resp
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        resp.body = dechunk(&resp.body)?;
    } else if let Some(n) = resp
        .header("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        resp.body.truncate(n);
    }
    Ok(resp)
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = find(data, b"\r\n").ok_or("chunk size line without end")?;
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size_hex = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_hex, 16)
            .map_err(|_| format!("bad chunk size `{size_hex}`"))?;
        data = &data[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size {
            return Err("truncated chunk".into());
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or(&[]);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_answer() {
        let r = parse_response(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok",
        )
        .unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("text/plain"));
        assert_eq!(r.body_text(), "ok");
    }

    #[test]
    fn content_length_cuts_extra_bytes() {
        let r =
            parse_response(b"HTTP/1.0 404 Not Found\r\nContent-Length: 3\r\n\r\nnopeXX").unwrap();
        assert_eq!(r.status, 404);
        assert_eq!(r.body, b"nop");
    }

    #[test]
    fn chunked_answer() {
        let r = parse_response(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nStat\r\nc;x=y\r\nic site seed\r\n0\r\n\r\n",
        )
        .unwrap();
        assert_eq!(r.body_text(), "Static site seed");
    }

    #[test]
    fn bare_newlines_and_no_length() {
        let r = parse_response(b"HTTP/1.0 200 OK\nServer: x\n\nhello\n").unwrap();
        assert_eq!(r.body_text(), "hello\n");
    }

    #[test]
    fn requests_carry_method_headers_and_body() {
        let req = Request {
            method: "POST".into(),
            path: "/notes".into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: br#"{"text":"hello"}"#.to_vec(),
        };
        let raw = String::from_utf8(req.to_bytes("127.0.0.1:8080")).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        let lines: Vec<&str> = head.split("\r\n").collect();
        assert_eq!(lines[0], "POST /notes HTTP/1.0");
        assert!(lines.contains(&"Host: 127.0.0.1:8080"), "{head}");
        assert!(lines.contains(&"Content-Type: application/json"), "{head}");
        assert!(lines.contains(&"Content-Length: 16"), "{head}");
        assert!(lines.contains(&"Connection: close"), "{head}");
        assert_eq!(body, r#"{"text":"hello"}"#);

        // A plain GET has no Content-Length; given headers replace the defaults
        // and a caller's Content-Length cannot contradict the body.
        let get = String::from_utf8(Request::get("/").to_bytes("h:1")).unwrap();
        assert!(!get.contains("Content-Length"), "{get}");
        assert!(get.starts_with("GET / HTTP/1.0\r\nHost: h:1\r\n"), "{get}");
        let req = Request {
            method: "DELETE".into(),
            path: "/notes/1".into(),
            headers: vec![
                ("host".into(), "example.test".into()),
                ("Content-Length".into(), "99".into()),
            ],
            body: Vec::new(),
        };
        let raw = String::from_utf8(req.to_bytes("h:1")).unwrap();
        assert!(
            !raw.contains("Host: h:1") && raw.contains("host: example.test"),
            "{raw}"
        );
        assert!(
            raw.contains("Content-Length: 0\r\n") && !raw.contains("99"),
            "{raw}"
        );
    }

    #[test]
    fn a_real_exchange_over_tcp() {
        // A one-shot server on a free port: what it receives is what was sent.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = vec![0u8; 4096];
            let mut got = Vec::new();
            while !got.windows(5).any(|w| w == b"hello") {
                let n = s.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            s.write_all(b"HTTP/1.0 201 Created\r\nContent-Type: text/plain\r\n\r\nsaved")
                .unwrap();
            String::from_utf8(got).unwrap()
        });
        let req = Request {
            method: "PUT".into(),
            path: "/x".into(),
            headers: Vec::new(),
            body: b"hello".to_vec(),
        };
        let resp = send(addr, &req, Duration::from_secs(5)).unwrap();
        assert_eq!((resp.status, resp.body_text().as_str()), (201, "saved"));
        let seen = server.join().unwrap();
        assert!(seen.starts_with("PUT /x HTTP/1.0\r\n"), "{seen}");
        assert!(
            seen.ends_with("Content-Length: 5\r\nConnection: close\r\n\r\nhello"),
            "{seen}"
        );
    }

    #[test]
    fn not_http() {
        assert!(parse_response(b"").is_err());
        assert!(parse_response(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
        assert!(parse_response(b"HTTP/1.1 abc\r\n\r\n").is_err());
        assert!(
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").is_err()
        );
    }
}
