const express = require("express");

const app = express();
app.get("/orders", (_req, res) => res.json([]));
app.listen(process.env.PORT || 3000);
