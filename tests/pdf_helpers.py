"""Reading PDFs back with poppler (pdftotext, pdffonts, pdftoppm), for the tests of the forms."""
from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: install poppler-utils (apt-get install -y poppler-utils); "
                    "the PDF tests read the forms back with it and never skip")
    return path


def run(*args: str) -> str:
    return subprocess.run([tool(args[0]), *args[1:]], check=True, capture_output=True, text=True).stdout


def write(tmp_path: Path, name: str, pdf: bytes) -> Path:
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return path


def layout(pdf: Path) -> str:
    return unicodedata.normalize("NFC", run("pdftotext", "-layout", str(pdf), "-"))


def text_of(pdf: Path) -> str:
    """pdftotext -layout, NFC, whitespace (columns, line breaks) collapsed to single spaces."""
    return " ".join(layout(pdf).split())


def reading_text(pdf: Path) -> str:
    """pdftotext in reading order (table cells not interleaved), whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", run("pdftotext", str(pdf), "-")).split())


def words(pdf: Path) -> list[tuple[int, float, float, float, float, str]]:
    """(page, xMin, yMin, xMax, yMax, word) for every word, in points from the top-left."""
    found, page = [], 0
    for line in run("pdftotext", "-bbox", str(pdf), "-").splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            found.append((page, *map(float, m.groups()[:4]), m[5]))
    return found
