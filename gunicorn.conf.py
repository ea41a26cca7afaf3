"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py` (or `make serve`).

Each worker is a process with its own app, database pool and warm caches (parsed specs, form
classes); nothing is shared between workers but PostgreSQL and the rate-limit store, so any
number of workers, on any number of hosts, may serve one database.  Once its app is built, a
worker tunes the garbage collector as the scheduler does (`app/gc_tuning.py`).  Settings come from
the environment:

- ``TSUNAGI_BIND`` (``127.0.0.1:8000``): where to listen; put the HTTPS proxy in front of it.
- ``WEB_CONCURRENCY`` (2 × cores + 1): worker processes.  A step is CPU work between short
  database waits, so a little more than one worker per core keeps the cores busy.
- ``TSUNAGI_WEB_TIMEOUT`` (60): seconds a worker may spend on one request before it is replaced.
- the app's own: ``DATABASE_URL``, ``TSUNAGI_SECRET_KEY`` or ``TSUNAGI_SECRET_KEY_FILE``,
  ``TSUNAGI_TRUSTED_PROXIES``, ``TSUNAGI_RATELIMIT_STORAGE_URI`` (README.md, "Production").
"""

import multiprocessing
import os

wsgi_app = "app:create_app()"
bind = os.environ.get("TSUNAGI_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = int(os.environ.get("TSUNAGI_WEB_TIMEOUT", 60))
graceful_timeout = 30
# A worker is replaced now and then, so that a slow leak cannot grow for ever; the jitter keeps
# the workers from all restarting at once.
max_requests = 5000
max_requests_jitter = 500
# The app decides which proxies to believe (TSUNAGI_TRUSTED_PROXIES, werkzeug's ProxyFix);
# gunicorn must not turn X-Forwarded-Proto into https on its own for anyone on this host.
forwarded_allow_ips = ""
# Workers build the app after the fork: no database connection is ever shared between processes.
preload_app = False
accesslog = "-"
errorlog = "-"


def post_worker_init(worker):
    # The worker's app is built by now: what it holds for good leaves the collector's way.
    from app.gc_tuning import tune_long_running_process

    tune_long_running_process()
