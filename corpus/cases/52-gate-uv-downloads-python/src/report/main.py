import jinja2


def run() -> None:
    print(jinja2.Template("report {{ v }}").render(v="2.0.0"))
