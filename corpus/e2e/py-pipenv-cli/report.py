import sys

import humanize

SIZES = [int(a) for a in sys.argv[1:]] or [123456789]
print(f"diskreport 0.9.0 (humanize {humanize.__version__}):", ", ".join(humanize.naturalsize(s) for s in SIZES))
