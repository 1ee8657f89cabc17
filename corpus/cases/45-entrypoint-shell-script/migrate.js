const { Client } = require("pg");

const client = new Client();
client.connect().then(() => client.query("CREATE TABLE IF NOT EXISTS votes (id serial)")).then(() => client.end());
