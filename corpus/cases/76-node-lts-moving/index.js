const express = require("express");
const app = express();
app.get("/tickets", (req, res) => res.json([]));
app.listen(4000);
