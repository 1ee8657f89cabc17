const express = require("express");

express()
  .use(express.urlencoded({ extended: false }))
  .post("/feedback", (req, res) => res.sendStatus(204))
  .listen(3000);
