import os

import jinja2

print(jinja2.Template("{{ n }} rows").render(n=0), repr(os.environ["CSV_LINE_BREAK"]))
