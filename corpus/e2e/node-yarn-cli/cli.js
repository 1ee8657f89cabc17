#!/usr/bin/env node
const argv = require("minimist")(process.argv.slice(2), { boolean: ["version"] });
const slugify = require("slugify");
const { version } = require("./package.json");

if (argv.version) {
  console.log(`slugify-cli ${version}`);
  process.exit(0);
}
console.log(slugify(argv._.join(" ") || "Hello World", { lower: true }));
