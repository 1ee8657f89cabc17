require("fs").mkdirSync("dist", {recursive: true}); require("fs").writeFileSync("dist/index.html", "<h1>status</h1>\n");
