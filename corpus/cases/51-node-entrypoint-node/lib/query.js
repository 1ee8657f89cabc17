const fs = require("fs");
const { parse } = require("csv-parse/sync");
exports.query = (q, file) => JSON.stringify(parse(fs.readFileSync(file), { columns: true })) + "\n";
