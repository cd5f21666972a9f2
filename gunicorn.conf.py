"""gunicorn for production web nodes: `gunicorn -c gunicorn.conf.py portal.wsgi`.

Web nodes keep no state (sessions and data in PostgreSQL, cache and broker in Redis, media
on shared storage), so more nodes behind the load balancer is how the web tier grows.
"""

import os

bind = os.environ.get("KEEL_BIND", "127.0.0.1:8000")
# Sync workers, one per core: the pages are CPU-bound Python. On a 2-core box that also runs
# PostgreSQL, 2 workers served more and faster than 3 to 5 (bench/load.py). With the database
# on another host a worker also waits on the network; measure before raising it.
workers = int(os.environ.get("KEEL_WEB_WORKERS", os.cpu_count() or 1))
threads = int(os.environ.get("KEEL_WEB_THREADS", 1))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("KEEL_WEB_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound; jitter keeps them
# from restarting together.
max_requests = 5000
max_requests_jitter = 500
# Load Django once in the master: a recycled worker is then a fork, ready at once, instead of
# a second or more of imports while its share of requests queues (that showed as a p95 of
# 0.5 s in the middle of bench runs). portal/wsgi.py also imports every view and compiles the
# templates there (portal/warmup.py): a recycled worker's first page took 280–430 ms without
# that and 70–80 ms with it. Django opens no connection at import, so none is shared.
# A new release needs a restart, not a HUP.
preload_app = True
accesslog = os.environ.get("KEEL_ACCESS_LOG") or None
loglevel = os.environ.get("KEEL_LOG_LEVEL", "info").lower()
