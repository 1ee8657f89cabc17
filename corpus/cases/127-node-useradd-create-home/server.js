const http = require('http');
const fs = require('fs');
const os = require('os');

const file = require('path').join(os.homedir(), 'notes.txt');

http.createServer((req, res) => {
  if (req.method === 'POST') {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      fs.appendFileSync(file, body.trim() + '\n');
      res.end('saved\n');
    });
    return;
  }
  const notes = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  res.end(`user=${os.userInfo().username}\n${notes}`);
}).listen(3000);
