"""What a web worker loads (issue 15, worker memory): gunicorn imports wsgi.py outside any
`flask` command, so the app comes without Flask-Migrate, and the libraries only some work
needs (PDFs, file checks, outgoing HTTP, migrations) are not loaded when the portal starts.
The `flask` command, which loads the same module, still has `flask db`."""
import subprocess
import sys

from app.config import ROOT

LATER = ("alembic", "flask_migrate", "weasyprint", "pikepdf", "PIL", "requests", "openpyxl", "zxcvbn", "boto3")


def test_a_web_worker_starts_without_the_libraries_it_loads_when_first_needed():
    code = ("import sys, wsgi\n"
            "assert 'migrate' not in wsgi.app.extensions\n"
            f"print(' '.join(name for name in {LATER!r} if name in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == ""


def test_the_flask_command_on_the_same_module_has_the_migrations():
    heads = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi.py", "db", "heads"], cwd=ROOT,
                           capture_output=True, text=True, check=True)
    assert "(head)" in heads.stdout
