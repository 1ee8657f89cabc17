const http = require('http');
const fs = require('fs');
const ms = require('ms');

const file = '/app/data/notes.json';
fs.mkdirSync('/app/data', { recursive: true });
const load = () => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : []);

const server = http.createServer((req, res) => {
  if (req.url === '/health') {
    // PID 1 is tini; the server is its child.
    res.end(`ok pid1=${fs.readFileSync('/proc/1/comm', 'utf8').trim()} ttl=${ms(3600000)}\n`);
  } else if (req.url === '/notes' && req.method === 'POST') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const notes = load();
      notes.push(JSON.parse(body).text);
      fs.writeFileSync(file, JSON.stringify(notes));
      res.statusCode = 201;
      res.end(JSON.stringify({ count: notes.length }));
    });
  } else if (req.url === '/notes') {
    res.end(JSON.stringify(load()));
  } else {
    res.statusCode = 404;
    res.end('not found\n');
  }
});
server.listen(3000);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
