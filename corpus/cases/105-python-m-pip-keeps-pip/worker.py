import os
from redis import Redis
from rq import Worker

conn = Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379"))
Worker(["default"], connection=conn).work()
