//! What an image holds: size, layers, OS packages, shell, package managers and
//! compilers. Files are read with `docker create` + `docker cp CTR:PATH -`
//! (a tar stream), which works on scratch and distroless images: no shell needed.

use super::docker::Docker;
use serde::Serialize;
use std::collections::BTreeSet;
use std::io::Read;

/// The measurements of one image.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Measure {
    /// `docker image inspect` `.Size`, bytes.
    pub size_bytes: u64,
    /// `.RootFS.Layers`.
    pub layers: usize,
    /// Installed OS packages (dpkg or apk), `None` when no package database was found.
    pub packages: Option<usize>,
    /// Which package databases were read: `dpkg`, `dpkg-status.d`, `apk`.
    pub package_db: Vec<String>,
    /// `/bin/sh` exists.
    pub shell: bool,
    /// Package managers found (apt-get, dpkg, apk, npm, yarn, pip).
    pub package_managers: Vec<String>,
    /// Compilers and SDKs found (gcc, cc, g++, go, javac, tsc, rustc, dotnet-sdk).
    pub compilers: Vec<String>,
}

/// One entry of a tar stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    /// The tar type flag (`0` file, `2` symlink, `5` directory…).
    pub kind: u8,
    pub link: String,
    /// The content, when it was asked for.
    pub data: Option<Vec<u8>>,
}

/// Reads a tar stream; keeps the data of entries for which `keep` says yes
/// (up to `max_data` bytes each). Stops at the end marker, at a broken header
/// or when the stream ends.
pub fn read_tar(r: &mut dyn Read, keep: &dyn Fn(&str) -> bool, max_data: usize) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut long_name: Option<String> = None;
    let mut long_link: Option<String> = None;
    let mut pax_path: Option<String> = None;
    let mut header = [0u8; 512];
    loop {
        if r.read_exact(&mut header).is_err() || header.iter().all(|&b| b == 0) {
            break;
        }
        let Some(size) = octal(&header[124..136]) else {
            break;
        };
        let kind = header[156];
        let padded = size.div_ceil(512) * 512;
        let name = {
            let n = cstr(&header[0..100]);
            let prefix = if &header[257..262] == b"ustar" {
                cstr(&header[345..500])
            } else {
                String::new()
            };
            if prefix.is_empty() {
                n
            } else {
                format!("{prefix}/{n}")
            }
        };
        let want_data =
            matches!(kind, b'L' | b'K' | b'x') || (matches!(kind, b'0' | 0 | b'7') && keep(&name));
        let mut data = None;
        if want_data && (size as usize) <= max_data.max(1 << 16) {
            let mut buf = vec![0u8; padded as usize];
            if r.read_exact(&mut buf).is_err() {
                break;
            }
            buf.truncate(size as usize);
            data = Some(buf);
        } else if std::io::copy(&mut r.take(padded), &mut std::io::sink()).ok() != Some(padded) {
            break;
        }
        match kind {
            b'L' => long_name = data.map(|d| cstr(&d)),
            b'K' => long_link = data.map(|d| cstr(&d)),
            b'x' => pax_path = data.and_then(|d| pax_value(&d, "path")),
            b'g' => {}
            _ => {
                let path = pax_path.take().or_else(|| long_name.take()).unwrap_or(name);
                let link = long_link.take().unwrap_or_else(|| cstr(&header[157..257]));
                entries.push(Entry {
                    path,
                    kind,
                    link,
                    data,
                });
            }
        }
    }
    entries
}

fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

fn octal(b: &[u8]) -> Option<u64> {
    if b[0] & 0x80 != 0 {
        // GNU base-256 for large sizes.
        return Some(b[1..].iter().fold(0u64, |n, &c| (n << 8) | u64::from(c)));
    }
    let s = cstr(b);
    let s = s.trim();
    if s.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(s, 8).ok()
}

/// A value from PAX extended header records (`LEN key=value\n`).
fn pax_value(data: &[u8], key: &str) -> Option<String> {
    let text = String::from_utf8_lossy(data);
    text.lines().find_map(|rec| {
        let (_, kv) = rec.split_once(' ')?;
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| v.to_string())
    })
}

/// Installed packages in a dpkg status file (or a distroless `status.d` entry).
pub fn dpkg_packages(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for stanza in text.split("\n\n") {
        let mut name = None;
        let mut installed = true;
        for line in stanza.lines() {
            if let Some(v) = line.strip_prefix("Package:") {
                name = Some(v.trim().to_string());
            } else if let Some(v) = line.strip_prefix("Status:") {
                installed = v.trim().ends_with(" installed") && v.contains("install ok");
            }
        }
        if let Some(n) = name.filter(|n| !n.is_empty())
            && installed
        {
            out.insert(n);
        }
    }
    out
}

/// Installed packages in Alpine's `/lib/apk/db/installed`.
pub fn apk_packages(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("P:"))
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

/// Names a tool list uses for what was found in the image's directories.
const PACKAGE_MANAGERS: &[(&str, &[&str])] = &[
    ("apt-get", &["apt-get"]),
    ("dpkg", &["dpkg"]),
    ("apk", &["apk"]),
    ("npm", &["npm"]),
    ("yarn", &["yarn"]),
    ("pip", &["pip", "pip3"]),
];
const COMPILERS: &[(&str, &[&str])] = &[
    ("gcc", &["gcc"]),
    ("cc", &["cc"]),
    ("g++", &["g++", "c++"]),
    ("go", &["go"]),
    ("javac", &["javac"]),
    ("tsc", &["tsc"]),
    ("rustc", &["rustc"]),
];

/// Which tools of `table` appear among `names` (file names in PATH folders).
pub fn tools_found(table: &[(&str, &[&str])], names: &BTreeSet<String>) -> Vec<String> {
    table
        .iter()
        .filter(|(_, aliases)| aliases.iter().any(|a| names.contains(*a)))
        .map(|(t, _)| (*t).to_string())
        .collect()
}

const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Measures `image` (already inspected as `info`).
pub fn measure(docker: &Docker, image: &str, info: &serde_json::Value) -> Result<Measure, String> {
    let config = &info["Config"];
    let mut m = Measure {
        size_bytes: info["Size"].as_u64().unwrap_or(0),
        layers: info["RootFS"]["Layers"].as_array().map_or(0, Vec::len),
        ..Measure::default()
    };
    let ctr = docker.create(image)?;
    let id = ctr.id.clone();
    let exists = |path: &str| -> bool {
        docker
            .cp_stream(&id, path, |r| {
                let mut h = [0u8; 512];
                r.read_exact(&mut h).is_ok() && h.iter().any(|&b| b != 0)
            })
            .unwrap_or(false)
    };
    let read_files = |path: &str| -> Vec<Entry> {
        docker
            .cp_stream(&id, path, |r| read_tar(r, &|_| true, 8 << 20))
            .unwrap_or_default()
    };

    // OS packages.
    let mut packages: BTreeSet<String> = BTreeSet::new();
    let mut dbs = Vec::new();
    for e in read_files("/var/lib/dpkg/status") {
        if let Some(d) = e.data {
            dbs.push("dpkg".to_string());
            packages.extend(dpkg_packages(&String::from_utf8_lossy(&d)));
        }
    }
    let status_d: Vec<Entry> = read_files("/var/lib/dpkg/status.d")
        .into_iter()
        .filter(|e| e.data.is_some() && !e.path.ends_with(".md5sums"))
        .collect();
    if !status_d.is_empty() {
        dbs.push("dpkg-status.d".to_string());
        for e in status_d {
            packages.extend(dpkg_packages(&String::from_utf8_lossy(
                e.data.as_deref().unwrap_or_default(),
            )));
        }
    }
    for e in read_files("/lib/apk/db/installed") {
        if let Some(d) = e.data {
            dbs.push("apk".to_string());
            packages.extend(apk_packages(&String::from_utf8_lossy(&d)));
        }
    }
    m.packages = (!dbs.is_empty()).then_some(packages.len());
    m.package_db = dbs;

    m.shell = exists("/bin/sh");

    // Tools: the names in every PATH folder (headers only; data is skipped).
    let path_var = config["Env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .find_map(|kv| kv.strip_prefix("PATH="))
        .unwrap_or(DEFAULT_PATH)
        .to_string();
    let mut names = BTreeSet::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut dirs: Vec<String> = path_var
        .split(':')
        .filter(|d| d.starts_with('/'))
        .map(str::to_string)
        .collect();
    dirs.push("/usr/local/go/bin".into());
    let mut i = 0;
    while i < dirs.len() && i < 32 {
        let dir = dirs[i].trim_end_matches('/').to_string();
        i += 1;
        if dir.is_empty() || !seen.insert(dir.clone()) {
            continue;
        }
        let entries = docker
            .cp_stream(&id, &dir, |r| read_tar(r, &|_| false, 0))
            .unwrap_or_default();
        let base = dir.rsplit('/').next().unwrap_or("").to_string();
        // The folder itself is a symlink (`/bin` → `usr/bin`): list its target instead.
        if let [only] = entries.as_slice()
            && only.kind == b'2'
            && only.path.trim_end_matches('/') == base
        {
            let parent = dir.rsplit_once('/').map_or("", |(p, _)| p);
            let target = if only.link.starts_with('/') {
                only.link.clone()
            } else {
                format!("{parent}/{}", only.link)
            };
            dirs.push(normalize(&target));
            continue;
        }
        for e in entries {
            let rel = e.path.trim_end_matches('/');
            if let Some((top, name)) = rel.split_once('/')
                && top == base
                && !name.contains('/')
                && e.kind != b'5'
            {
                names.insert(name.to_string());
            }
        }
    }
    m.package_managers = tools_found(PACKAGE_MANAGERS, &names);
    let mut compilers = tools_found(COMPILERS, &names);
    let workdir = config["WorkingDir"].as_str().unwrap_or("");
    if !compilers.iter().any(|c| c == "tsc") {
        let mut tsc_paths = vec!["/usr/local/lib/node_modules/typescript".to_string()];
        if workdir.starts_with('/') {
            tsc_paths.push(format!(
                "{}/node_modules/.bin/tsc",
                workdir.trim_end_matches('/')
            ));
        }
        if tsc_paths.iter().any(|p| exists(p)) {
            compilers.push("tsc".into());
        }
    }
    if [
        "/usr/share/dotnet/sdk",
        "/usr/lib/dotnet/sdk",
        "/root/.dotnet/sdk",
    ]
    .iter()
    .any(|p| exists(p))
    {
        compilers.push("dotnet-sdk".into());
    }
    m.compilers = compilers;
    drop(ctr);
    Ok(m)
}

/// `/a/b/../c` → `/a/c`.
fn normalize(path: &str) -> String {
    crate::model::join_path("/", path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, kind: u8, size: usize, link: &str) -> Vec<u8> {
        let mut h = vec![0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        let sz = format!("{size:011o}\0");
        h[124..136].copy_from_slice(sz.as_bytes());
        h[156] = kind;
        h[157..157 + link.len()].copy_from_slice(link.as_bytes());
        h[257..263].copy_from_slice(b"ustar\0");
        h
    }

    fn file(name: &str, data: &[u8]) -> Vec<u8> {
        let mut v = header(name, b'0', data.len(), "");
        v.extend_from_slice(data);
        v.resize(v.len() + (512 - data.len() % 512) % 512, 0);
        v
    }

    #[test]
    fn tar_listing_and_data() {
        let mut t = header("bin/", b'5', 0, "");
        t.extend(file("bin/gcc", b"ELF..."));
        t.extend(header("bin/cc", b'2', 0, "gcc"));
        let long = "bin/a-very-long-name";
        let mut ln = header("././@LongLink", b'L', long.len() + 1, "");
        ln.extend_from_slice(long.as_bytes());
        ln.resize(ln.len() + 512 - long.len() - 1, 0);
        t.extend(ln);
        t.extend(file("ignored", b"x"));
        t.extend(vec![0u8; 1024]);
        let entries = read_tar(&mut t.as_slice(), &|p| p == "bin/gcc", 1024);
        let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["bin/", "bin/gcc", "bin/cc", "bin/a-very-long-name"]);
        assert_eq!(entries[1].data.as_deref(), Some(&b"ELF..."[..]));
        assert_eq!(entries[2].link, "gcc");
        assert!(entries[3].data.is_none());
    }

    #[test]
    fn truncated_tar_stops() {
        let mut t = header("status", b'0', 4000, "");
        t.extend_from_slice(b"Package: x");
        assert_eq!(read_tar(&mut t.as_slice(), &|_| true, 1 << 20), vec![]);
        assert_eq!(read_tar(&mut &[][..], &|_| true, 10), vec![]);
    }

    #[test]
    fn dpkg_counts_installed_only() {
        let status = "Package: libc6\nStatus: install ok installed\nVersion: 2.36\n\n\
                      Package: gcc-12\nStatus: deinstall ok config-files\n\n\
                      Package: bash\nStatus: install ok installed\n";
        let p = dpkg_packages(status);
        assert_eq!(p.into_iter().collect::<Vec<_>>(), ["bash", "libc6"]);
        // distroless status.d entries may lack a Status field.
        assert_eq!(dpkg_packages("Package: tzdata\nVersion: 2024a\n").len(), 1);
    }

    #[test]
    fn apk_counts() {
        let db = "C:Q1abc\nP:musl\nV:1.2.4\n\nC:Q1def\nP:busybox\nV:1.36\n";
        assert_eq!(apk_packages(db).len(), 2);
    }

    #[test]
    fn tools_by_alias() {
        let names: BTreeSet<String> = ["pip3", "c++", "node", "dpkg"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(tools_found(PACKAGE_MANAGERS, &names), ["dpkg", "pip"]);
        assert_eq!(tools_found(COMPILERS, &names), ["g++"]);
    }

    #[test]
    fn normalizes() {
        assert_eq!(normalize("/usr/./lib/../bin/"), "/usr/bin");
    }
}
