// A notes API on Node's own http module; notes are kept in data/notes.json
// under the working directory.
const http = require("http");
const fs = require("fs");
const path = require("path");

const file = path.join(process.cwd(), "data", "notes.json");
const load = () => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : []);

http
  .createServer((req, res) => {
    if (req.method === "GET" && req.url === "/health") {
      res.end(`ok node ${process.versions.node.split(".")[0]}`);
    } else if (req.method === "GET" && req.url === "/notes") {
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify(load()));
    } else if (req.method === "POST" && req.url === "/notes") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const notes = load();
        notes.push({ id: notes.length + 1, text: JSON.parse(body).text });
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify(notes));
        res.statusCode = 201;
        res.setHeader("Content-Type", "application/json");
        res.end(JSON.stringify(notes[notes.length - 1]));
      });
    } else {
      res.statusCode = 404;
      res.end("not found");
    }
  })
  .listen(3000);
process.on("SIGTERM", () => process.exit(0));
