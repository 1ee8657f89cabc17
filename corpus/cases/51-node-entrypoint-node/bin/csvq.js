#!/usr/bin/env node
const { query } = require("../lib/query");
const args = process.argv.slice(2);
if (args.length === 0 || args[0] === "--help") {
  console.log("usage: csvq QUERY FILE");
  process.exit(0);
}
process.stdout.write(query(args[0], args[1]));
