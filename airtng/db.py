"""New rows of several tables written in one statement, where the database can."""

from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Model
from django.db.models.sql import InsertQuery


def insert_together(*groups: Sequence[Model]) -> None:
    """Insert each group's new rows (one model a group, primary keys known), as bulk_create.

    On PostgreSQL, all of them in one statement (the others as data-modifying WITH queries);
    elsewhere, one INSERT a group. Like bulk_create, it calls no save() and sends no signal.
    """
    groups = [list(rows) for rows in groups if rows]
    if not groups:
        return
    using = router.db_for_write(type(groups[0][0]))
    if connections[using].vendor != "postgresql":
        for rows in groups:
            type(rows[0])._default_manager.using(using).bulk_create(rows)
        return
    statements = [insert_statement(rows, using) for rows in groups]
    *first, (sql, params) = statements
    if first:
        ctes = ", ".join(f"written_{n} AS ({cte})" for n, (cte, _) in enumerate(first))
        sql = f"WITH {ctes} {sql}"
        params = (*(param for _, cte_params in first for param in cte_params), *params)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
    for rows in groups:
        for row in rows:
            row._state.adding = False
            row._state.db = using


def insert_statement(rows: list[Model], using: str) -> tuple[str, tuple]:
    """The one INSERT that bulk_create would run for `rows`, whose primary keys are set."""
    model = type(rows[0])
    for row in rows:
        row._prepare_related_fields_for_save(operation_name="insert_together")
        if not row._is_pk_set():
            raise ValueError(f"insert_together needs the primary key of {row!r}.")
    query = InsertQuery(model)
    query.insert_values([f for f in model._meta.concrete_fields if not f.generated], rows)
    (statement,) = query.get_compiler(using=using).as_sql()
    return statement
