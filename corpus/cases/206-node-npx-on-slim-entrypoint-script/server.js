const { execSync } = require('child_process');
const http = require('http');

// Bring the schema up to date before taking requests.
execSync('npx prisma migrate deploy', { stdio: 'inherit' });

http
  .createServer((req, res) => res.end('ok\n'))
  .listen(3000);
