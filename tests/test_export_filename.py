"""The Content-Disposition header of an export is safe whatever the title holds."""
import re
from urllib.parse import unquote

import pytest
from werkzeug.http import parse_options_header

from assistant.export.filename import content_disposition

SAFE_ASCII = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._ -")

TITLES = [
    ('He said "hi"; rm -rf /', 'He said hi rm -rf.pdf', 'He said hi rm -rf.pdf'),
    ("line one\r\nSet-Cookie: evil=1", "line one Set-Cookie evil-1.pdf", "line one Set-Cookie evil=1.pdf"),
    ("../../etc/passwd", "etc passwd.pdf", "etc passwd.pdf"),
    ("C:\\Windows\\system32", "C Windows system32.pdf", "C Windows system32.pdf"),
    ("Ελληνικά / Русский: отчёт", "export.pdf", "Ελληνικά Русский отчёт.pdf"),
    ("Café déjà vu", "Cafe deja vu.pdf", "Café déjà vu.pdf"),
    ("  ...  ", "export.pdf", "export.pdf"),
    ("", "export.pdf", "export.pdf"),
    ("tab\there\x00nul\u202eRTL", "tab here nul RTL.pdf", "tab here nul RTL.pdf"),
    ("100% done, 50%2F off", "100 done 50 2F off.pdf", "100 done 50 2F off.pdf"),
]


@pytest.mark.parametrize(("title", "ascii_name", "unicode_name"), TITLES)
def test_filename_is_safe(title, ascii_name, unicode_name):
    header = content_disposition(title)
    assert "\r" not in header and "\n" not in header and header.isascii()
    kind, params = parse_options_header(header)  # as a client reads it: filename* wins where understood
    assert kind == "attachment" and params["filename"] == unicode_name
    fallback = re.fullmatch(r'attachment; filename="([^"]*)"; filename\*=UTF-8\'\'(\S+)', header)
    assert fallback, header
    assert set(fallback[1]) <= SAFE_ASCII and fallback[1] == ascii_name
    raw = fallback[2]
    assert unquote(raw) == unicode_name
    assert not any(c in unquote(raw) for c in '/\\"\r\n\x00')


def test_long_titles_are_cut():
    kind, params = parse_options_header(content_disposition("wörd " * 100))
    assert len(params["filename"]) <= 84 and params["filename"].endswith(".pdf")


@pytest.mark.parametrize("title", ['Quote " slash / newline \n Ωμέγα', "Отчёт за март"])
def test_the_route_sends_a_safe_header(client, title):
    response = client.post("/api/export/pdf", json={"title": title, "content": "Body text."})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == content_disposition(title)
    assert response.headers["Content-Type"] == "application/pdf"
