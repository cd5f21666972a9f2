"""Names for hand-written SQL, taken from the models so a renamed table or choice cannot drift."""

from django.db import connection, models


def table(model: type[models.Model]) -> str:
    """Return ``model``'s table name, quoted for SQL."""
    return connection.ops.quote_name(model._meta.db_table)
