const http = require('http');
const bcrypt = require('bcrypt');

http.createServer(async (req, res) => {
  const hash = await bcrypt.hash(decodeURIComponent(req.url.slice(1)), 10);
  res.end(hash);
}).listen(3000);
