// Render content/*.md to dist/*.html with marked: the "npm run build" of a static site.
const fs = require("fs");
const path = require("path");
const { marked } = require("marked");

const src = path.join(__dirname, "content");
const out = path.join(__dirname, "dist");
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out);
for (const f of fs.readdirSync(src).filter((f) => f.endsWith(".md")).sort()) {
  const body = marked.parse(fs.readFileSync(path.join(src, f), "utf8"));
  const html = `<!doctype html>\n<meta charset="utf-8">\n<title>static-site</title>\n${body}`;
  fs.writeFileSync(path.join(out, f.replace(/\.md$/, ".html")), html);
}
fs.writeFileSync(path.join(out, "health.txt"), "ok\n");
console.log("built", fs.readdirSync(out).join(", "));
