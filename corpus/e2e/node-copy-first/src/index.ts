import http from "http";
import ms from "ms";

const port = Number(process.env.PORT ?? 8080);
const started = Date.now();

const server = http.createServer((req, res) => {
  if (req.url === "/health") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
    return;
  }
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(`ts-build up for ${ms(Date.now() - started)}\n`);
});

server.listen(port, "0.0.0.0", () => console.log(`listening on ${port}`));
