import tomllib

import httpx
from lxml import html

with open("/etc/scraper.toml", "rb") as f:
    cfg = tomllib.load(f)["crawl"]
page = httpx.get("https://example.com", headers={"User-Agent": cfg["user_agent"]})
print(html.fromstring(page.text).findtext(".//title"))
