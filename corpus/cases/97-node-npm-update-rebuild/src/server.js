const bcrypt = require("bcrypt"); require("express")().get("/", (q, r) => r.send(bcrypt.hashSync("x", 4))).listen(5000);
