// Copies pages/ to public/, wrapping each page in the site's layout.
const fs = require("fs");
const path = require("path");

const { version } = require("./package.json");
const layout = (title, body) =>
  `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title}</title>` +
  `<script type="module" src="/assets/nav.mjs"></script></head>\n` +
  `<body>\n${body}\n<footer>handbook ${version}</footer>\n</body></html>\n`;

function build(src, dst) {
  fs.mkdirSync(dst, { recursive: true });
  for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
    const from = path.join(src, entry.name);
    const to = path.join(dst, entry.name);
    if (entry.isDirectory()) {
      build(from, to);
    } else if (entry.name.endsWith(".html")) {
      const body = fs.readFileSync(from, "utf8");
      const title = (body.match(/<h1>(.*)<\/h1>/) || [, "handbook"])[1];
      fs.writeFileSync(to, layout(title, body.trim()));
    } else {
      fs.copyFileSync(from, to);
    }
  }
}

fs.rmSync("public", { recursive: true, force: true });
build("pages", "public");
console.log("built public/ for handbook", version);
