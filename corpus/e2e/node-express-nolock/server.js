const express = require("express");

const app = express();
const port = process.env.PORT || 3000;

app.get("/health", (req, res) => res.type("text/plain").send("ok"));
app.get("/api/items", (req, res) => res.json([{ id: 1, name: "widget" }]));

app.listen(port, "0.0.0.0", () => console.log(`listening on ${port}`));
