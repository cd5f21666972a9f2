"""Load at start what a web process would otherwise load during its first requests.

Django imports the views behind a URL conf on the first request that resolves one, and compiles
each template on its first render. A new gunicorn worker's first checklist page took 280–430 ms
for it (against about 20 ms warm), and with ``max_requests`` a worker is new every few thousand
requests. portal/wsgi.py calls :func:`warm` at import: under ``preload_app`` that runs once in
the gunicorn master, and every worker is forked warm (its first page: 61–84 ms, bench/load.py).
"""

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.urls import get_resolver

TEMPLATE_SUFFIXES = {".html", ".txt"}


def warm() -> list[str]:
    """Import both URL confs' views and compile Keel's own templates; return the templates' names.

    Touches no database: a connection opened here would be shared by the forked workers.
    """
    for urlconf in (settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF):
        get_resolver(urlconf).reverse_dict  # noqa: B018 (building it imports every view)
    names = []
    for engine in engines.all():
        for directory in engine.dirs:  # the project's templates/, not the installed packages'
            root = Path(directory)
            for path in sorted(root.rglob("*")):
                if path.suffix in TEMPLATE_SUFFIXES:
                    name = path.relative_to(root).as_posix()
                    engine.get_template(name)  # kept by the cached loader
                    names.append(name)
    return names
