// Counts visits per page in /var/lib/visits/counts.json, written by the
// service's own system account; GET /whoami names that account.
const http = require('http');
const fs = require('fs');
const os = require('os');
const path = require('path');

const dir = '/var/lib/visits';
const file = path.join(dir, 'counts.json');

function load() {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if (e.code === 'ENOENT') return {};
    throw e;
  }
}

// Refuse to start when the data folder is not writable by this account.
fs.accessSync(dir, fs.constants.W_OK);

const server = http.createServer((req, res) => {
  if (req.url === '/whoami') {
    const u = os.userInfo();
    res.end(`counter ready as ${u.username} (home ${u.homedir})\n`);
    return;
  }
  if (req.method === 'POST' && req.url.startsWith('/hit/')) {
    const page = req.url.slice('/hit/'.length);
    const counts = load();
    counts[page] = (counts[page] || 0) + 1;
    fs.writeFileSync(file, JSON.stringify(counts));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ page, visits: counts[page] }));
    return;
  }
  if (req.url === '/counts') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(load()));
    return;
  }
  res.statusCode = 404;
  res.end('not found\n');
});

server.listen(8080, () => console.log('listening on 8080'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
