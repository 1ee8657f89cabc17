// Appends one line per visit to data/visits.log, which the app user owns.
const fs = require("fs");
const http = require("http");
const path = require("path");

const log = path.join(__dirname, "data", "visits.log");
fs.appendFileSync(log, "start\n");

http
  .createServer((req, res) => {
    if (req.url === "/health") {
      fs.appendFileSync(log, "visit\n");
      const lines = fs.readFileSync(log, "utf8").trim().split("\n").length;
      res.setHeader("Content-Type", "text/plain");
      res.end(`ok ${lines > 1 ? "writable" : "?"}\n`);
      return;
    }
    res.statusCode = 404;
    res.end();
  })
  .listen(8080, "0.0.0.0", () => console.log("listening on 8080"));
