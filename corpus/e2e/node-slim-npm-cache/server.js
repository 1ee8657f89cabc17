const express = require("express");
const morgan = require("morgan");
const fs = require("fs");
const path = require("path");
const { v4: uuid } = require("uuid");

const dataDir = path.join(__dirname, "data");
const file = path.join(dataDir, "notes.json");
fs.mkdirSync(dataDir, { recursive: true });

function load() {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return [];
  }
}

const app = express();
app.use(express.json());
app.use(morgan("tiny"));

app.get("/health", (req, res) => res.type("text/plain").send("ok"));
app.get("/notes", (req, res) => res.json(load().map((n) => n.text)));
app.post("/notes", (req, res) => {
  const notes = load();
  const note = { id: uuid(), text: String(req.body.text || "") };
  notes.push(note);
  fs.writeFileSync(file, JSON.stringify(notes));
  res.status(201).json({ text: note.text });
});

const port = process.env.PORT || 3000;
const server = app.listen(port, "0.0.0.0", () => console.log(`listening on ${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
