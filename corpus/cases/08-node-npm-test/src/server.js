const express = require("express");

const app = express();
app.get("/price/:sku", (req, res) => res.json({ sku: req.params.sku, cents: 1999 }));
if (require.main === module) app.listen(3000);
module.exports = app;
