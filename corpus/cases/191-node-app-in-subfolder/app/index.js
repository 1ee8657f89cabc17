const express = require("express");

const app = express();
app.get("/notes", (_req, res) => res.json([]));
app.listen(8080, () => console.log("notes on 8080"));
