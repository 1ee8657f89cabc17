// Bundles src/ into dist/: the page shell, the client router and a routes
// table stamped with the package version.
const fs = require("fs");

const { version } = require("./package.json");
fs.rmSync("dist", { recursive: true, force: true });
fs.mkdirSync("dist/assets", { recursive: true });

const shell = fs.readFileSync("src/index.html", "utf8").replace("%VERSION%", version);
fs.writeFileSync("dist/index.html", shell);
fs.copyFileSync("src/router.js", "dist/assets/router.js");
fs.writeFileSync(
  "dist/assets/routes.json",
  JSON.stringify({ version, routes: ["/", "/trails", "/trails/:id"] }) + "\n",
);
console.log("built dist/ for trail-log", version);
