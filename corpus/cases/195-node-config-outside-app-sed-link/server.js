const fs = require('fs');
const st = fs.statSync('/etc/myapp/config.json');
const cur = fs.readFileSync('/etc/myapp/current.json', 'utf8').trim();
console.log('hello mode', (st.mode & 0o777).toString(8), 'uid', st.uid, cur);
