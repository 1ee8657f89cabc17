const http = require('http');
const { execFile } = require('child_process');

// git comes with the full node:20 image, not with the slim or distroless ones.
http.createServer((req, res) => {
  execFile('git', ['--version'], (err, out) => {
    res.statusCode = err ? 500 : 200;
    res.end(err ? 'error: ' + err.code + '\n' : out);
  });
}).listen(3000, () => console.log('up'));
process.on('SIGTERM', () => process.exit(0));
