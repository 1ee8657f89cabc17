const http = require('http');

const started = new Date().toISOString();
http.createServer((req, res) => res.end(`up since ${started}\n`)).listen(8080);
