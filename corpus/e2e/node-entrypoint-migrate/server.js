const http = require('http');
const fs = require('fs');
// The generated client, as @prisma/client loads it: from node_modules/.prisma.
const client = require('.prisma/client');
const ms = require('ms');

const db = '/app/data/db.json';
// `prisma migrate deploy` in the entrypoint script created the database.
if (!fs.existsSync(db)) {
  console.error(`${db} is missing: the migration did not run`);
  process.exit(1);
}
const migrations = JSON.parse(fs.readFileSync(db, 'utf8'))._migrations;

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') {
    res.end(`ok client=${client.models.join(',')} schema=${client.generatedFrom} retention=${ms(7 * 86400000)} migrations=${migrations}\n`);
  } else if (req.method === 'GET' && req.url === '/notes') {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(client.note.findMany()));
  } else if (req.method === 'POST' && req.url === '/notes') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const note = client.note.create({ text: JSON.parse(body).text });
      res.statusCode = 201;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(note));
    });
  } else {
    res.statusCode = 404;
    res.end('not found\n');
  }
});
server.listen(3000, () => console.log('listening on 3000'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
