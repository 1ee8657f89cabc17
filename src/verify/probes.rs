//! `--probes FILE`: requests sent in order to each container once it is
//! ready, and how two answers to the same probe are compared.

use super::http::{Request, Response};
use super::smoke::normalize;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An HTTP method, checked when the file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
    Options,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
        }
    }
}

/// What both answers must meet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<String>,
}

/// One part of the answers that must agree.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Compare {
    Status,
    Body,
    /// A header, by its lower-case name.
    Header(String),
}

impl TryFrom<String> for Compare {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "status" => Ok(Compare::Status),
            "body" => Ok(Compare::Body),
            _ => match s.strip_prefix("header:").map(str::trim) {
                Some(h) if !h.is_empty() && h.bytes().all(is_token_byte) => {
                    Ok(Compare::Header(h.to_ascii_lowercase()))
                }
                _ => Err(format!(
                    "compare: `{s}` is not one of status, body, header:NAME"
                )),
            },
        }
    }
}

impl Compare {
    pub fn label(&self) -> String {
        match self {
            Compare::Status => "status".into(),
            Compare::Body => "body".into(),
            Compare::Header(h) => format!("header:{h}"),
        }
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A probe as run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub name: String,
    pub request: Request,
    pub expect: Option<Expect>,
    pub compare: Vec<Compare>,
}

/// What `compare` is when the file does not say.
pub fn default_compare() -> Vec<Compare> {
    vec![
        Compare::Status,
        Compare::Body,
        Compare::Header("content-type".into()),
    ]
}

/// Reads a probe file; errors name `FILE:LINE:COL` where the YAML library
/// gives a position.
pub fn parse(file: &str, text: &str) -> Result<Vec<Probe>, String> {
    let options = serde_saphyr::options! { strict_booleans: true };
    let parsed: ProbeFileRaw =
        serde_saphyr::from_str_with_options(text, options).map_err(|e| yaml_error(file, &e))?;
    if parsed.probes.is_empty() {
        return Err(format!("{file}: `probes:` lists no request"));
    }
    from_raw(file, parsed.probes)
}

/// Checks probes read as part of another YAML file (`.dfsplit.yaml`'s
/// `verify.probes:` list); errors name `FILE:LINE:COL` of each probe's `path`.
pub(crate) fn from_raw(file: &str, raw: Vec<ProbeRaw>) -> Result<Vec<Probe>, String> {
    let mut out = Vec::new();
    for p in raw {
        let at = |what: &str| match p.path.referenced.line() {
            0 => format!("{file}: {what}"),
            l => format!("{file}:{l}:{}: {what}", p.path.referenced.column()),
        };
        let path = p.path.value;
        if !path.starts_with('/') || path.bytes().any(|b| b.is_ascii_whitespace() || b < 0x20) {
            return Err(at(&format!(
                "path `{}` must start with / and hold no spaces",
                path.escape_default()
            )));
        }
        let method = p.method.unwrap_or(Method::Get);
        let mut headers = Vec::new();
        for (k, v) in p.headers {
            if k.is_empty() || !k.bytes().all(is_token_byte) {
                return Err(at(&format!(
                    "header name `{}` is not a token",
                    k.escape_default()
                )));
            }
            if v.contains(['\r', '\n']) {
                return Err(at(&format!("header `{k}` has a line break in its value")));
            }
            headers.push((k, v));
        }
        let compare = p.compare.unwrap_or_else(default_compare);
        if compare.is_empty() {
            return Err(at("compare: lists nothing to compare"));
        }
        out.push(Probe {
            name: p
                .name
                .unwrap_or_else(|| format!("{} {path}", method.as_str())),
            request: Request {
                method: method.as_str().into(),
                path,
                headers,
                body: p.body.map(String::into_bytes).unwrap_or_default(),
            },
            expect: p.expect,
            compare,
        });
    }
    Ok(out)
}

/// The file as read, with the positions the checks after parsing report.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProbeFileRaw {
    probes: Vec<ProbeRaw>,
}

/// One probe as read (the format of a probes file's entries).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProbeRaw {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    method: Option<Method>,
    path: serde_saphyr::Spanned<String>,
    #[serde(default, with = "headers_in_order")]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    expect: Option<Expect>,
    #[serde(default)]
    compare: Option<Vec<Compare>>,
}

/// `headers: {A: b, C: d}` in file order (a map would sort them).
mod headers_in_order {
    use serde::Deserializer;
    use serde::de::{MapAccess, Visitor};
    use std::fmt;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<(String, String)>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of header names to values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, String>()? {
                    out.push((k, v));
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

fn yaml_error(file: &str, err: &serde_saphyr::Error) -> String {
    use serde_saphyr::MessageFormatter as _;
    let message = serde_saphyr::DefaultMessageFormatter.format_message(err.without_snippet());
    let message = message.escape_debug().to_string();
    match err.location() {
        Some(loc) if loc.line() > 0 => format!("{file}:{}:{}: {message}", loc.line(), loc.column()),
        _ => format!("{file}: {message}"),
    }
}

/// One container's answer to a probe, as reported and compared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Answer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The body, cut (the comparison used the whole body).
    pub body: String,
    /// The headers named in `compare` (lower-case names), as answered.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The request failed (no answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Why the answer misses `expect`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missed: Option<String>,
    /// The whole body, normalized, for the comparison.
    #[serde(skip)]
    pub full_body: String,
}

/// How much of a body the report keeps.
const REPORT_BODY: usize = 300;

impl Answer {
    pub fn from_response(p: &Probe, resp: &Response) -> Answer {
        let body = resp.body_text();
        let headers = p
            .compare
            .iter()
            .filter_map(|c| match c {
                Compare::Header(h) => Some((h.clone(), resp.header(h).unwrap_or("").to_string())),
                _ => None,
            })
            .collect();
        let mut a = Answer {
            status: Some(resp.status),
            body: super::text::clip(&body, REPORT_BODY),
            headers,
            full_body: normalize(&body),
            ..Answer::default()
        };
        a.missed = p
            .expect
            .as_ref()
            .and_then(|e| missed(e, resp.status, &body));
        a
    }

    pub fn failed(p: &Probe, error: String) -> Answer {
        Answer {
            missed: p.expect.as_ref().map(|_| "no answer".to_string()),
            error: Some(error),
            ..Answer::default()
        }
    }
}

/// Why an answer does not meet `expect` (None: it does).
pub fn missed(e: &Expect, status: u16, body: &str) -> Option<String> {
    let mut why = Vec::new();
    if let Some(s) = e.status.filter(|s| *s != status) {
        why.push(format!("status {status}, expected {s}"));
    }
    if let Some(t) = e.contains.as_ref().filter(|t| !body.contains(t.as_str())) {
        why.push(format!("the body lacks `{t}`"));
    }
    (!why.is_empty()).then(|| why.join(", "))
}

/// How a probe's two answers compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Both meet `expect` and agree on what `compare` names.
    Agree,
    /// They differ (or only one meets `expect`).
    Differ,
    /// Neither meets `expect` (or neither answered), the same way.
    BothFail,
    /// Not sent: a container was not ready (the smoke check says why).
    NotRun,
}

/// One probe's result in the report.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeResult {
    pub name: String,
    pub method: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expect>,
    pub compare: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<Answer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<Answer>,
    pub verdict: Verdict,
    /// Both meet `expect` and agree.
    pub agree: bool,
    /// Why they do not agree (or how both fail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// Compares the two answers to probe `p`.
pub fn compare(p: &Probe, o: Option<&Answer>, r: Option<&Answer>) -> ProbeResult {
    let mut res = ProbeResult {
        name: p.name.clone(),
        method: p.request.method.clone(),
        path: p.request.path.clone(),
        expect: p.expect.clone(),
        compare: p.compare.iter().map(Compare::label).collect(),
        original: o.cloned(),
        rewrite: r.cloned(),
        verdict: Verdict::NotRun,
        agree: false,
        why: None,
    };
    let (Some(o), Some(r)) = (o, r) else {
        res.why = Some("not sent: a container was not ready".into());
        return res;
    };
    let differences = differences(p, o, r);
    let fails = |a: &Answer| a.error.is_some() || a.missed.is_some();
    (res.verdict, res.why) = match (fails(o), fails(r)) {
        (false, false) if differences.is_empty() => (Verdict::Agree, None),
        (false, false) => (Verdict::Differ, Some(differences.join("; "))),
        (true, true) if differences.is_empty() && o.error == r.error => {
            (Verdict::BothFail, Some(failure_text(o)))
        }
        (true, true) => (
            Verdict::Differ,
            Some(format!(
                "both fail, differently: original: {}; rewrite: {}",
                failure_text(o),
                failure_text(r)
            )),
        ),
        (true, false) => (
            Verdict::Differ,
            Some(format!("original: {}", failure_text(o))),
        ),
        (false, true) => (
            Verdict::Differ,
            Some(format!("rewrite: {}", failure_text(r))),
        ),
    };
    res.agree = res.verdict == Verdict::Agree;
    res
}

fn failure_text(a: &Answer) -> String {
    match (&a.error, &a.missed) {
        (Some(e), _) => format!("no answer: {e}"),
        (None, Some(m)) => m.clone(),
        (None, None) => "ok".into(),
    }
}

/// What `compare` names that differs between two answers.
fn differences(p: &Probe, o: &Answer, r: &Answer) -> Vec<String> {
    let mut out = Vec::new();
    for c in &p.compare {
        match c {
            Compare::Status if o.status != r.status => out.push(format!(
                "status {} vs {}",
                show_status(o.status),
                show_status(r.status)
            )),
            Compare::Body if o.full_body != r.full_body => out.push("the bodies differ".into()),
            Compare::Header(h) => {
                let get = |a: &Answer| {
                    a.headers
                        .get(h)
                        .map(|v| normalize_header(v))
                        .unwrap_or_default()
                };
                let (a, b) = (get(o), get(r));
                if a != b {
                    out.push(format!("{h} `{a}` vs `{b}`"));
                }
            }
            _ => {}
        }
    }
    out
}

fn show_status(s: Option<u16>) -> String {
    s.map_or("none".into(), |s| s.to_string())
}

/// Header values as compared: case and blanks around `;` and `,` do not count
/// (`text/html; charset=UTF-8` = `text/html;charset=utf-8`).
fn normalize_header(v: &str) -> String {
    v.split([';', ','])
        .map(|p| p.trim().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"probes:
  - name: save a note            # optional
    method: POST
    path: /notes
    headers: {Content-Type: application/json, X-B: "2"}
    body: '{"text":"hello"}'
    expect: {status: 201, contains: "hello"}
    compare: [status, body]
  - path: /notes
    expect: {contains: hello}
  - path: /upload
    method: PUT
    body: "--x\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nhi\r\n--x--\r\n"
    compare: [status, "header:X-Request-Kind"]
"#;

    #[test]
    fn a_good_file() {
        let p = parse("app/probes.yaml", GOOD).unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].name, "save a note");
        assert_eq!(p[0].request.method, "POST");
        assert_eq!(p[0].request.path, "/notes");
        assert_eq!(
            p[0].request.headers,
            vec![
                ("Content-Type".to_string(), "application/json".to_string()),
                ("X-B".to_string(), "2".to_string())
            ]
        );
        assert_eq!(p[0].request.body, br#"{"text":"hello"}"#);
        assert_eq!(
            p[0].expect,
            Some(Expect {
                status: Some(201),
                contains: Some("hello".into())
            })
        );
        assert_eq!(p[0].compare, vec![Compare::Status, Compare::Body]);
        // Defaults: GET, "METHOD PATH", status + body + content-type.
        assert_eq!(p[1].name, "GET /notes");
        assert_eq!(p[1].request.method, "GET");
        assert!(p[1].request.body.is_empty());
        assert_eq!(p[1].compare, default_compare());
        // YAML escapes make a multipart body; header names are compared lower-case.
        assert!(p[2].request.body.starts_with(b"--x\r\nContent-Disposition"));
        assert_eq!(
            p[2].compare,
            vec![Compare::Status, Compare::Header("x-request-kind".into())]
        );
    }

    #[test]
    fn unknown_keys_are_errors_with_a_position() {
        let e = parse("p.yaml", "probes:\n  - path: /\n    bdy: x\n").unwrap_err();
        assert!(e.starts_with("p.yaml:3:"), "{e}");
        assert!(e.contains("bdy"), "{e}");
        let e = parse("p.yaml", "probes:\n  - path: /\nextra: 1\n").unwrap_err();
        assert!(e.starts_with("p.yaml:3:"), "{e}");
        let e = parse(
            "p.yaml",
            "probes:\n  - path: /\n    expect: {stauts: 200}\n",
        )
        .unwrap_err();
        assert!(e.starts_with("p.yaml:3:"), "{e}");
    }

    #[test]
    fn bad_values_are_errors_with_a_position() {
        let e = parse("p.yaml", "probes:\n  - path: /\n    method: FETCH\n").unwrap_err();
        assert!(e.starts_with("p.yaml:3:"), "{e}");
        assert!(e.contains("FETCH"), "{e}");
        // Methods are upper-case, as on the wire.
        assert!(parse("p.yaml", "probes:\n  - path: /\n    method: get\n").is_err());
        let e = parse(
            "p.yaml",
            "probes:\n  - path: /\n    compare: [status, bodies]\n",
        )
        .unwrap_err();
        assert!(e.starts_with("p.yaml:3:") && e.contains("bodies"), "{e}");
        let e = parse("p.yaml", "probes:\n  - path: /\n    expect: {status: x}\n").unwrap_err();
        assert!(e.starts_with("p.yaml:3:"), "{e}");
        let e = parse("p.yaml", "probes:\n  - name: a\n    path: notes\n").unwrap_err();
        assert!(
            e.starts_with("p.yaml:3:") && e.contains("must start with /"),
            "{e}"
        );
        let e = parse("p.yaml", "probes:\n  - method: GET\n").unwrap_err();
        assert!(e.starts_with("p.yaml:2:") && e.contains("path"), "{e}");
        assert!(parse("p.yaml", "probes: []\n").is_err());
        let e = parse(
            "p.yaml",
            "probes:\n  - path: /\n    headers: {\"X Y\": z}\n",
        )
        .unwrap_err();
        assert!(e.contains("not a token"), "{e}");
    }

    fn probe(yaml: &str) -> Probe {
        parse("p.yaml", yaml).unwrap().remove(0)
    }

    fn resp(status: u16, ctype: &str, body: &str) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), ctype.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn agreement_of_two_answers() {
        let p = probe("probes:\n  - path: /notes\n    expect: {contains: hello}\n");
        let a = Answer::from_response(&p, &resp(200, "text/plain; charset=utf-8", "hello\n"));
        let b = Answer::from_response(&p, &resp(200, "text/plain;charset=UTF-8", "hello\r\n"));
        let r = compare(&p, Some(&a), Some(&b));
        assert_eq!((r.verdict, r.agree), (Verdict::Agree, true), "{:?}", r.why);

        // Another content type: differ, naming the header.
        let c = Answer::from_response(&p, &resp(200, "text/html", "hello\n"));
        let r = compare(&p, Some(&a), Some(&c));
        assert_eq!(r.verdict, Verdict::Differ);
        assert!(
            r.why.as_deref().unwrap().contains("content-type"),
            "{:?}",
            r.why
        );

        // Only the rewrite misses the expected text.
        let d = Answer::from_response(&p, &resp(500, "text/plain", "EACCES"));
        let r = compare(&p, Some(&a), Some(&d));
        assert_eq!(r.verdict, Verdict::Differ);
        assert_eq!(r.why.as_deref(), Some("rewrite: the body lacks `hello`"),);

        // Both miss it with the same answer: both fail, the same way.
        let r = compare(&p, Some(&d), Some(&d.clone()));
        assert_eq!(r.verdict, Verdict::BothFail);
        assert!(!r.agree);
        // Both miss it with different answers: a difference.
        let e = Answer::from_response(&p, &resp(404, "text/plain", "nope"));
        assert_eq!(compare(&p, Some(&d), Some(&e)).verdict, Verdict::Differ);

        // compare: [status] ignores bodies; a 404 in both agrees without expect.
        let p = probe("probes:\n  - path: /\n    compare: [status]\n");
        let a = Answer::from_response(&p, &resp(404, "a", "x"));
        let b = Answer::from_response(&p, &resp(404, "b", "y"));
        assert_eq!(compare(&p, Some(&a), Some(&b)).verdict, Verdict::Agree);
        // No answer in either: both fail when the errors are the same.
        let n = Answer::failed(&p, "read: connection reset".into());
        assert_eq!(
            compare(&p, Some(&n), Some(&n.clone())).verdict,
            Verdict::BothFail
        );
        assert_eq!(compare(&p, Some(&a), Some(&n)).verdict, Verdict::Differ);
        assert_eq!(compare(&p, Some(&a), None).verdict, Verdict::NotRun);
    }

    #[test]
    fn answers_are_cut_in_the_report_not_in_the_comparison() {
        let p = probe("probes:\n  - path: /\n");
        let long = "x".repeat(1000);
        let a = Answer::from_response(&p, &resp(200, "t", &long));
        let b = Answer::from_response(&p, &resp(200, "t", &format!("{long}y")));
        assert!(a.body.chars().count() <= REPORT_BODY + 1);
        assert_eq!(a.body, b.body, "the cut bodies look the same");
        assert_eq!(compare(&p, Some(&a), Some(&b)).verdict, Verdict::Differ);
    }

    #[test]
    fn expectations() {
        let e = Expect {
            status: Some(201),
            contains: Some("id".into()),
        };
        assert_eq!(missed(&e, 201, "{\"id\":1}"), None);
        assert_eq!(
            missed(&e, 200, "{}").as_deref(),
            Some("status 200, expected 201, the body lacks `id`")
        );
    }
}
