"""Gunicorn entry point: `gunicorn wsgi:app`; also the `flask` command's app (FLASK_APP=wsgi.py).

The `flask` command loads this module from within its click command, gunicorn does not: only
the command gets Flask-Migrate (`flask db`), a web worker is spared Alembic (issue 15)."""
import click

from app import create_app

app = create_app(migrations=click.get_current_context(silent=True) is not None)
