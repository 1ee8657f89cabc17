import sys
import urllib.request

try:
    with urllib.request.urlopen("http://127.0.0.1:8000/health", timeout=2) as r:
        sys.exit(0 if r.read() == b"ok" else 1)
except Exception:
    sys.exit(1)
