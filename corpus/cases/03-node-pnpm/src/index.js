import { createServer } from "node:http";
import { request } from "undici";

createServer(async (_req, res) => {
  const upstream = await request("http://search:9200/_cluster/health");
  res.end(await upstream.body.text());
}).listen(4000);
