const express = require("express");
const fs = require("fs");
const path = require("path");

const UPLOAD_DIR = "./uploads";

// fail fast if the upload folder is missing or read-only
try {
  fs.accessSync(UPLOAD_DIR, fs.constants.W_OK);
} catch (err) {
  console.error(`upload folder ${path.resolve(UPLOAD_DIR)} is not writable: ${err.message}`);
  process.exit(1);
}

const app = express();

app.get("/", (req, res) => res.send("upload service ready"));

// POST /upload?name=report.txt with the file as the raw request body
app.post("/upload", express.raw({ type: "*/*", limit: "5mb" }), (req, res) => {
  const name = path.basename(String(req.query.name || ""));
  if (!name || !Buffer.isBuffer(req.body) || req.body.length === 0) {
    return res.status(400).json({ error: "need ?name= and a body" });
  }
  fs.writeFile(path.join(UPLOAD_DIR, name), req.body, (err) => {
    if (err) {
      console.error(err);
      return res.status(500).json({ error: "could not save" });
    }
    res.status(201).json({ saved: name, bytes: req.body.length, url: `/uploads/${name}` });
  });
});

app.use("/uploads", express.static(UPLOAD_DIR));

const port = process.env.PORT || 8080;
const server = app.listen(port, () => console.log(`listening on ${port}`));

process.on("SIGTERM", () => {
  console.log("SIGTERM received, closing");
  server.close(() => process.exit(0));
});
