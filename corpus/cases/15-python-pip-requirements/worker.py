import os

from redis import Redis
from rq import Queue, Worker

conn = Redis.from_url(os.environ.get("REDIS_URL", "redis://redis:6379/0"))

if __name__ == "__main__":
    Worker([Queue("default", connection=conn)], connection=conn).work()
