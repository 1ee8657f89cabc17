const express = require("express");

express().get("/", (_req, res) => res.send("poll")).listen(3000);
