#!/usr/bin/env python3
"""Editor latency and memory of a Dockerfile language server, measured the
way an editor drives it: one client script for every server.

    benches/lsp_latency.py [--edits N] [--file DOCKERFILE] -- SERVER COMMAND...
    benches/lsp_latency.py -- target/release/dfsplit lsp
    benches/lsp_latency.py -- tally lsp --stdio
    benches/lsp_latency.py -- docker-langserver --stdio

It opens DOCKERFILE (default benches/lsp/Dockerfile, 200 lines, its folder
the build context), then N times (default 1,000): changes one line
(incremental sync, or the whole text when the server asks for full sync), waits for that version's diagnostics — pushed
(`publishDiagnostics`), or pulled (`textDocument/diagnostic`) when the
server offers pull diagnostics — and, when the server has code actions,
asks for them on the FROM line. Each step is timed from the moment the
message is written to the moment its answer is read. The server's resident
memory (VmRSS) is read from /proc after opening, after 10 edits and after
the last. Prints one JSON object. Not a test: figures depend on the machine.
"""

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

WAIT = 10.0


def percentile(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    k = min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))
    return xs[k]


def ms(x):
    return None if x is None else round(x * 1000, 2)


class Server:
    def __init__(self, cmd):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.messages = queue.Queue()
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = out.read(length)
            self.messages.put((time.perf_counter(), json.loads(body)))

    def send(self, msg):
        msg["jsonrpc"] = "2.0"
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return time.perf_counter()

    def notify(self, method, params):
        return self.send({"method": method, "params": params})

    def request(self, method, params):
        rid = self.next_id
        self.next_id += 1
        start = self.send({"id": rid, "method": method, "params": params})
        at, msg = self.wait(lambda m: m.get("id") == rid and "method" not in m)
        if "method" in msg:
            raise RuntimeError(msg)
        return at - start, msg

    def wait(self, match):
        deadline = time.perf_counter() + WAIT
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no answer within %.0f s" % WAIT)
            at, msg = self.messages.get(timeout=left)
            if "method" in msg and "id" in msg:
                # A request from the server (configuration, registration): answer null.
                self.send({"id": msg["id"], "result": None})
                continue
            if match(msg):
                return at, msg

    def rss_kb(self):
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return None


def main():
    args = sys.argv[1:]
    if "--" not in args:
        sys.exit(__doc__)
    cmd = args[args.index("--") + 1:]
    opts = args[: args.index("--")]
    edits = int(opts[opts.index("--edits") + 1]) if "--edits" in opts else 1000
    default = Path(__file__).resolve().parent / "lsp" / "Dockerfile"
    path = Path(opts[opts.index("--file") + 1]).resolve() if "--file" in opts else default
    text = path.read_text()
    uri = path.as_uri()
    lines = text.split("\n")
    from_line = next(i for i, l in enumerate(lines) if l.startswith("FROM "))
    edit_line = from_line + 3

    s = Server(cmd)
    _, init = s.request("initialize", {
        "processId": os.getpid(),
        "rootUri": path.parent.as_uri(),
        "workspaceFolders": [{"uri": path.parent.as_uri(), "name": "bench"}],
        "capabilities": {
            "textDocument": {
                "publishDiagnostics": {"versionSupport": True},
                "diagnostic": {},
                "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {
                    "valueSet": ["quickfix", "refactor", "refactor.rewrite", "source"]}}},
                "synchronization": {"didSave": True},
            },
            "workspace": {"workspaceEdit": {"documentChanges": True}, "configuration": True},
        },
    })
    caps = init["result"]["capabilities"]
    pull = bool(caps.get("diagnosticProvider"))
    actions = bool(caps.get("codeActionProvider"))
    sync = caps.get("textDocumentSync", 1)
    incremental = (sync.get("change", 1) if isinstance(sync, dict) else sync) == 2
    s.notify("initialized", {})

    def diagnostics(version, sent):
        if pull:
            took, msg = s.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
            return took, len(msg["result"].get("items", []))
        at, msg = s.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                         and m["params"]["uri"] == uri
                         and m["params"].get("version", version) == version)
        return at - sent, len(msg["params"]["diagnostics"])

    sent = s.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "dockerfile", "version": 1, "text": text}})
    open_took, open_count = diagnostics(1, sent)
    rss = {"after_open_kb": s.rss_kb()}
    diag_t, action_t, total_t = [], [], []
    counts = set()
    for i in range(edits):
        version = i + 2
        old = lines[edit_line]
        new = f'LABEL org.example.edited="edit-{i:05d}"'
        lines[edit_line] = new
        sent = s.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            # What the server asked for: the changed line, or the whole text.
            "contentChanges": [{"range": {"start": {"line": edit_line, "character": 0},
                                          "end": {"line": edit_line, "character": len(old)}},
                                "text": new}] if incremental else [{"text": "\n".join(lines)}]})
        took, n = diagnostics(version, sent)
        counts.add(n)
        diag_t.append(took)
        total = took
        if actions:
            a_took, msg = s.request("textDocument/codeAction", {
                "textDocument": {"uri": uri},
                "range": {"start": {"line": from_line, "character": 0},
                          "end": {"line": from_line, "character": 0}},
                "context": {"diagnostics": []}})
            action_t.append(a_took)
            total += a_took
        total_t.append(total)
        if i + 1 == 10:
            rss["after_10_edits_kb"] = s.rss_kb()
    rss["after_all_edits_kb"] = s.rss_kb()
    s.request("shutdown", None)
    s.notify("exit", None)
    try:
        s.proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        s.proc.kill()

    def stats(xs):
        return {"p50_ms": ms(percentile(xs, 50)), "p99_ms": ms(percentile(xs, 99)),
                "max_ms": ms(max(xs) if xs else None)}

    print(json.dumps({
        "server": " ".join(cmd),
        "file": str(path), "lines": text.count("\n"), "edits": edits,
        "diagnostics_mode": "pull" if pull else "push",
        "sync": "incremental" if incremental else "full",
        "open_diagnostics_ms": ms(open_took), "diagnostics_on_open": open_count,
        "diagnostics_per_edit": sorted(counts),
        "diagnostics": stats(diag_t),
        "code_action": stats(action_t) if actions else None,
        "diagnostics_plus_code_action": stats(total_t),
        "rss": rss,
    }, indent=1))


if __name__ == "__main__":
    main()
