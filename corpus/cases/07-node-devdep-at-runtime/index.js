const express = require("express");
const { parse } = require("dotenv");

const app = express();
app.get("/config", (_req, res) => res.json(Object.keys(parse("A=1"))));
app.listen(Number(process.env.PORT || 5000));
