// Keeps a small cache under the user's home and says who it runs as.
const os = require('os');
const fs = require('fs');
const path = require('path');
const http = require('http');

http.createServer((req, res) => {
  const dir = path.join(os.homedir(), '.cache', 'notes');
  let wrote;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'last'), new Date().toISOString());
    wrote = dir;
  } catch (e) {
    wrote = 'error ' + e.code;
  }
  let name;
  try { name = os.userInfo().username; } catch (e) { name = 'error ' + e.code; }
  res.end(JSON.stringify({ home: os.homedir(), user: name, wrote }) + '\n');
}).listen(3000);
process.on('SIGTERM', () => process.exit(0));
