// Bookmarks over HTTP, stored as JSON lines in store/bookmarks.jsonl under
// the working directory. /health reports the flags node was started with, so
// the start command is visible from outside.
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");

const store = path.join(process.cwd(), "store", "bookmarks.jsonl");

function all() {
  if (!fs.existsSync(store)) return [];
  return fs
    .readFileSync(store, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

const server = http.createServer((req, res) => {
  const send = (status, value) => {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(value));
  };
  if (req.method === "GET" && req.url === "/health") {
    return send(200, { ok: true, nodeFlags: process.execArgv.join(" ") });
  }
  if (req.method === "GET" && req.url === "/bookmarks") return send(200, all());
  if (req.method === "POST" && req.url === "/bookmarks") {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      let url;
      try {
        url = new URL(JSON.parse(body).url).href;
      } catch {
        return send(400, { error: "expected {\"url\": \"https://…\"}" });
      }
      const entry = { id: all().length + 1, url };
      fs.mkdirSync(path.dirname(store), { recursive: true });
      fs.appendFileSync(store, JSON.stringify(entry) + "\n");
      send(201, entry);
    });
    return;
  }
  send(404, { error: "not found" });
});

server.listen(8080, () => console.log("bookmarks on 8080"));
// PID 1 in a container: without a handler node would ignore docker stop's SIGTERM.
process.on("SIGTERM", () => server.close(() => process.exit(0)));
