import os
import pwd

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI()


@app.get("/health", response_class=PlainTextResponse)
def health():
    return "ok"


@app.get("/whoami", response_class=PlainTextResponse)
def whoami():
    return pwd.getpwuid(os.getuid()).pw_name
