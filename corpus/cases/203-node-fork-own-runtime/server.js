const http = require('http');
const cp = require('node:child_process');

/* Older versions shelled out: cp.execFile('convert', [src, dst]) — no more. */
const usage = "child processes run with execFile(process.execPath), never execFile('convert')";

http.createServer((req, res) => {
  if (req.url === '/version') {
    // The app's own Node.js, by the path it runs from: there on any base.
    cp.execFile(process.execPath, ['--version'], (err, out) => res.end(err ? 'error\n' : out));
    return;
  }
  const child = cp.fork('./worker.js');
  child.on('message', (m) => res.end(String(m)));
}).listen(3000, () => console.log(usage));
