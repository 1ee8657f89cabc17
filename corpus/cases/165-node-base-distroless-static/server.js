const http = require('http');

const alerts = [];
http.createServer((req, res) => {
  if (req.method === 'POST') alerts.push(req.url.slice(1));
  res.end(JSON.stringify(alerts));
}).listen(3000);
