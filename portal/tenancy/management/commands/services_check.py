"""Check PostgreSQL and Redis before anything else runs, and say how to start them."""

import sys

import psycopg
import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql

START_HINTS = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
}


class Command(BaseCommand):
    help = "Check that PostgreSQL and Redis answer; with --create-db, create the database if missing."

    def add_arguments(self, parser):
        parser.add_argument("--create-db", action="store_true", help="Create the configured database if absent.")

    def handle(self, *args, **opts):
        db = settings.DATABASES["default"]
        problems: list[tuple[str, str, Exception]] = []
        try:
            self._postgres(db, create=opts["create_db"])
        except psycopg.OperationalError as exc:
            problems.append(("PostgreSQL", f"{db['HOST']}:{db['PORT']}", exc))
        try:
            redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            problems.append(("Redis", settings.CELERY_BROKER_URL, exc))
        for name, where, error in problems:
            self.stderr.write(self.style.ERROR(f"{name} is not reachable at {where}: {str(error).strip()}"))
            self.stderr.write(f"  Start it with: {START_HINTS[name]}")
        if problems:
            raise CommandError("Required services are down (see above).")
        self.stdout.write(self.style.SUCCESS(f"PostgreSQL and Redis are up; database {db['NAME']!r} is ready."))

    def _postgres(self, db, *, create: bool) -> None:
        params = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "connect_timeout": 3}
        if db["PASSWORD"]:
            params["password"] = db["PASSWORD"]
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
            if not exists and create:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
                self.stdout.write(f"Created database {db['NAME']!r}.")
            elif not exists:
                print(f"Database {db['NAME']!r} does not exist yet (use --create-db).", file=sys.stderr)
