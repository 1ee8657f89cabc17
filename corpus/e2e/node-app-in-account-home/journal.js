// A journal kept in the directory the app starts in, which is its account's
// home: it says who it runs as (the passwd entry, HOME), what the home looks
// like (owner, mode, entries), and appends entries to a file beside itself
// and to a state file under ~/.local/state.
'use strict';

const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const journal = path.join(process.cwd(), 'journal.txt');
const stateDir = path.join(os.homedir(), '.local', 'state', 'journal');

function describe(p) {
  try {
    const st = fs.statSync(p);
    return `owner ${st.uid}:${st.gid} mode ${(st.mode & 0o7777).toString(8)}`;
  } catch (err) {
    return `missing (${err.code})`;
  }
}

function whoami() {
  let account;
  try {
    const u = os.userInfo();
    account = `user ${u.username} home ${u.homedir} shell ${u.shell}`;
  } catch (err) {
    account = `no passwd entry (${err.code || err.message})`;
  }
  // The uid is left out: useradd picks it, the same way in both images,
  // and the name is what the app sees.
  return `${account} HOME ${process.env.HOME} cwd ${process.cwd()} ${describe(process.cwd())}`;
}

function listing(dir) {
  const names = fs.readdirSync(dir).filter((n) => n !== 'journal.txt' && n !== '.local').sort();
  return `${dir} ${describe(dir)}: ` + names.map((n) => `${n} ${describe(path.join(dir, n))}`).join('; ');
}

function readBody(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => resolve(data.slice(0, 1024)));
  });
}

function send(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text + '\n');
}

const server = http.createServer(async (req, res) => {
  try {
    if (req.url === '/health') return send(res, 200, `ok ${whoami()}`);
    if (req.url === '/home') return send(res, 200, listing(os.homedir()));
    if (req.url === '/journal' && req.method === 'POST') {
      const line = (await readBody(req)).trim();
      fs.appendFileSync(journal, line + '\n');
      return send(res, 201, `appended to ${journal}, ${describe(journal)}`);
    }
    if (req.url === '/journal') return send(res, 200, fs.readFileSync(journal, 'utf8').trim());
    if (req.url === '/state' && req.method === 'POST') {
      fs.mkdirSync(stateDir, { recursive: true });
      const f = path.join(stateDir, 'last');
      fs.writeFileSync(f, (await readBody(req)).trim());
      return send(res, 201, `saved ${f}, ${describe(f)}`);
    }
    if (req.url === '/state') return send(res, 200, fs.readFileSync(path.join(stateDir, 'last'), 'utf8'));
    return send(res, 404, 'not found');
  } catch (err) {
    return send(res, 500, `${err.code || ''} ${err.message}`);
  }
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
server.listen(8080);
