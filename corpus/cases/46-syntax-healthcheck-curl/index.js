const http = require("node:http");
const { nanoid } = require("nanoid");

http
  .createServer((req, res) => {
    if (req.url === "/healthz") return res.end("ok");
    res.end(nanoid());
  })
  .listen(3000);
