const fs = require('fs');
const http = require('http');
const os = require('os');

http.createServer((req, res) => {
  fs.appendFileSync('guestbook.txt', `${new Date().toISOString()} ${req.url}\n`);
  res.end(`signed by ${os.userInfo().username}\n`);
}).listen(3000);
