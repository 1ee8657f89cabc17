// The start script runs through cross-env, which is only a devDependency:
// an image installed with `npm ci --omit=dev` cannot start this app.
require("dotenv").config();
const http = require("http");

const port = Number(process.env.PORT || 4000);
const greeting = process.env.APP_GREETING || "missing-greeting";

http
  .createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(req.url === "/health" ? greeting : `hello ${process.getuid()}\n`);
  })
  .listen(port, "0.0.0.0", () => console.log(`listening on ${port}`));
