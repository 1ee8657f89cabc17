// Tiny file CDN: uploads go to /data/cdn, served back under /files.
const express = require("express");
const multer = require("multer");
const fs = require("fs");
const path = require("path");

const PORT = process.env.PORT || 3000;
const CDN_DIR = process.env.CDN_DIR || "/data/cdn";

fs.mkdirSync(CDN_DIR, { recursive: true });

const storage = multer.diskStorage({
  destination: (req, file, cb) => cb(null, CDN_DIR),
  filename: (req, file, cb) => cb(null, path.basename(file.originalname)),
});
const upload = multer({ storage, limits: { fileSize: 10 * 1024 * 1024 } });

const app = express();

app.get("/health", (req, res) => res.send("ok"));

app.post("/upload", upload.single("file"), (req, res) => {
  if (!req.file) {
    return res.status(400).json({ error: "no file in field 'file'" });
  }
  res.status(201).json({
    name: req.file.filename,
    size: req.file.size,
    url: `/files/${encodeURIComponent(req.file.filename)}`,
  });
});

app.get("/files/:name", (req, res) => {
  const file = path.join(CDN_DIR, path.basename(req.params.name));
  if (!fs.existsSync(file)) {
    return res.status(404).json({ error: "not found" });
  }
  res.sendFile(file);
});

app.listen(PORT, () => console.log(`cdn listening on ${PORT}, files in ${CDN_DIR}`));
