const express = require("express");
const { execFileSync } = require("node:child_process");

// The app reports the revision of a content repository it clones at run time.
const app = express();
app.get("/version", (_req, res) =>
  res.send(execFileSync("git", ["--version"]).toString())
);
app.listen(process.env.PORT || 3000);
