"""The gunicorn settings README documents are the ones gunicorn.conf.py makes: every row's default, every
variable it reads, and the variable really moving its setting."""
import re
import runpy

import pytest

from tests.conftest import ROOT

ROW = re.compile(r"^\| (`(?P<var>[A-Z_]+)`|—) \| `(?P<setting>[a-z_]+)` \| `(?P<default>[^`]+)` \|", re.MULTILINE)
OFFLOAD = re.compile(r"^\| `(?P<var>OFFLOAD_[A-Z_]+)` \| \(assistant/offload\.py\) \| `(?P<default>[^`]+)` \|", re.MULTILINE)


def readme_rows() -> list[dict]:
    return [m.groupdict() for m in ROW.finditer((ROOT / "README.md").read_text())]


def conf(monkeypatch, **env) -> dict:
    for name in ("PORT", "WEB_CONCURRENCY", "GUNICORN_WORKER_CONNECTIONS", "GUNICORN_TIMEOUT", "GUNICORN_GRACEFUL_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_readme_defaults_are_gunicorn_conf_defaults(monkeypatch):
    rows = readme_rows()
    assert {r["setting"] for r in rows} >= {"bind", "workers", "worker_class", "worker_connections", "timeout",
                                            "graceful_timeout"}
    settings = conf(monkeypatch)
    for row in rows:
        assert str(settings[row["setting"]]) == row["default"], row


def test_every_variable_gunicorn_conf_reads_is_documented_and_moves_its_setting(monkeypatch):
    source = (ROOT / "gunicorn.conf.py").read_text()
    read = set(re.findall(r"os\.environ\.get\(['\"]([A-Z_]+)['\"]", source))
    documented = {r["var"]: r for r in readme_rows() if r["var"]}
    assert read == set(documented)
    for var, row in documented.items():
        value = "7777" if var == "PORT" else "7"
        assert str(conf(monkeypatch, **{var: value})[row["setting"]]).endswith(value), var


@pytest.mark.parametrize("var", ["OFFLOAD_THREADS", "OFFLOAD_QUEUE", "OFFLOAD_NICE"])
def test_offload_knobs_are_documented_with_their_defaults(var):
    rows = {m["var"]: m["default"] for m in OFFLOAD.finditer((ROOT / "README.md").read_text())}
    source = (ROOT / "assistant" / "offload.py").read_text()
    assert re.search(rf'os\.environ\.get\("{var}", "{re.escape(rows[var])}"\)', source), (var, rows.get(var))


IDLE_CHECK_SCRIPT = """
from gevent import monkey; monkey.patch_all()
import json, runpy, socket, time
conf = runpy.run_path("gunicorn.conf.py")
conf["kernel_poll_for_idle_connection_checks"]()
from httpcore2._utils import is_socket_readable, select
ours, theirs = socket.socketpair()
idle = is_socket_readable(ours)
theirs.close(); time.sleep(0.05)
print(json.dumps({"idle": idle, "closed_by_peer": is_socket_readable(ours), "kernel_poll": type(select.poll).__name__}))
"""


def test_under_gevent_idle_connection_checks_use_the_kernels_poll_and_still_see_a_close():
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", IDLE_CHECK_SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    # an idle keep-alive connection is reused; one the server closed is dropped, not sent a request that fails
    assert out == {"idle": False, "closed_by_peer": True, "kernel_poll": "builtin_function_or_method"}, out
