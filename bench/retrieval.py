"""Retrieval over attachments (assistant/retrieval): indexing speed for a 300-page text PDF (offline, and
with Gemini's embeddings from the fake Gemini over HTTP), query latency over 10,000 chunks, the offline
embedding model's memory, and recall@5 on generated questions over a long document.

    python bench/retrieval.py                    # SQLite in a temporary folder
    python bench/retrieval.py --database-url postgresql://…
Targets (issue 13): indexing >= 50 pages/s offline, query p95 <= 20 ms, recall@5 >= 0.9, model <= 150 MB RSS.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pymupdf  # noqa: E402

from assistant import create_app, retrieval  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.documents.pdf import text_layer  # noqa: E402
from assistant.retrieval import context as context_module  # noqa: E402
from assistant.retrieval import ranking, store  # noqa: E402
from tests.documents.corpus import text_page_pdf  # noqa: E402
from tests.fakes.gemini import FakeGemini  # noqa: E402
from tests.retrieval.corpus import filler_page  # noqa: E402
from tests.retrieval.helpers import attachment, person  # noqa: E402

ASSETS = ["emergency generator", "cooling tower", "freight elevator", "fire sprinkler pump", "rooftop solar array",
          "water softener", "backup battery bank", "loading dock door", "air compressor", "boiler"]
CITIES = ["Lisbon", "Porto", "Ghent", "Tampere", "Brno", "Valencia", "Malmo", "Graz", "Utrecht", "Bergen", "Lyon", "Turin"]
SITES = ["depot", "warehouse", "head office", "plant", "distribution centre"]
COMPANIES = ["Kestrel Power Systems", "Northwind Facility Care", "Alder & Finch Engineering", "Bluewater Technical",
             "Corvid Maintenance", "Halden Servicing", "Ostara Industrial", "Pellucid Works", "Quarry Lane Services",
             "Ruskin Mechanical", "Saltmarsh Electric", "Tamsin & Vole"]
SYNONYMS = {"emergency generator": "standby power unit", "cooling tower": "heat rejection tower",
            "freight elevator": "goods lift", "fire sprinkler pump": "firefighting water pump",
            "rooftop solar array": "photovoltaic panels on the roof", "water softener": "limescale treatment unit",
            "backup battery bank": "reserve batteries", "loading dock door": "truck bay gate",
            "air compressor": "pneumatic supply unit", "boiler": "heating furnace"}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]


def load_average() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_seconds() -> float:
    return time.process_time()  # every thread of this process (the offload pool included), to the microsecond


def make_app(database_url: str, **settings):
    values = dict(database_url=database_url, auto_titles=False, rate_limit="1000000/minute")
    values.update(settings)
    return create_app(Settings(**values))


def pdf_pages(texts: list[str]) -> list[tuple[int, str]]:
    with pymupdf.open(stream=text_page_pdf(texts, size=10), filetype="pdf") as doc:
        return [(page.number + 1, text_layer(page)) for page in doc]


def facts(count: int, rng: random.Random) -> list[tuple[str, str, str, str]]:
    """(fact, a question that shares its rare terms, a paraphrased one, one that names the asset by a synonym)
    for distinct asset/place pairs."""
    pairs = rng.sample([(a, c, s) for a in ASSETS for c in CITIES for s in SITES], count)
    out = []
    for asset, city, site in pairs:
        company, month = rng.choice(COMPANIES), rng.choice(MONTHS)
        code = f"{rng.choice('KLMNPR')}{rng.choice('PQST')}-{rng.randint(1000, 9999)}"
        out.append((f"The {asset} at the {city} {site} is serviced every {month} by {company} under maintenance contract "
                    f"{code}, at a yearly cost of {rng.randint(2, 40)},{rng.randint(100, 999)} euros.",
                    f"Who services the {asset} at the {city} {site}, and under which contract?",
                    f"Which firm looks after upkeep of the {asset} in {city}?",
                    f"Which firm looks after upkeep of the {SYNONYMS[asset]} in {city}?"))
    return out


def bench_indexing(app, owner: str, pages: list[tuple[int, str]], label: str) -> None:
    doc = attachment(app, owner, "bench.pdf")
    db = app.extensions["database"]
    with app.app_context():
        retrieval.index(db, owner, attachment(app, owner), pages[:2])  # load the model / open the client first
        cpu, start = cpu_seconds(), time.perf_counter()
        chunks = retrieval.index(db, owner, doc, pages)
        elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    print(f"  {label:<34} {len(pages) / elapsed:7.0f} pages/s  ({len(pages)} pages, {chunks} chunks, {elapsed:.2f} s, "
          f"{cpu:.2f} CPU s in this process)")


def bench_queries(app, owner: str, rng: random.Random, chunks_wanted: int, questions: int) -> None:
    db = app.extensions["database"]
    ids, total = [], 0
    with app.app_context():
        while total < chunks_wanted:
            pages = [(n, filler_page(rng)) for n in range(1, 201)]
            doc = attachment(app, owner, f"volume-{len(ids) + 1}.pdf")
            total += retrieval.index(db, owner, doc, pages)
            ids.append(doc)
        found = store.indexed(db, owner, ids)
        print(f"  {total} chunks in {len(ids)} attachments of 200 pages")
        topics = ["the travel policy", "the parking arrangements", "the cleaning contract", "the expense claims"]
        asked = [f"Who {rng.choice(['discussed', 'approved', 'revised'])} {rng.choice(topics)} in {rng.choice(MONTHS)}?"
                 for _ in range(questions)]
        ranking.cache._docs.clear()
        start = time.perf_counter()
        retrieval.context_for(db, owner, ids, asked[0], 8000)
        cold = time.perf_counter() - start
        times, cpu = [], []
        for q in asked:
            start, cpu_start = time.perf_counter(), cpu_seconds()
            passages = retrieval.context_for(db, owner, ids, q, 8000)
            times.append(time.perf_counter() - start)
            cpu.append(cpu_seconds() - cpu_start)
        assert passages
        t, c = np.array(times) * 1000, np.array(cpu) * 1000
        print(f"  context_for over {total} chunks: p50 {np.percentile(t, 50):.1f} ms, p95 {np.percentile(t, 95):.1f} ms "
              f"({questions} questions, budget 8000 tokens; the first, reading the vectors from the database: "
              f"{cold * 1000:.0f} ms)")
        print(f"  CPU per question (what the machine's load does not inflate): p50 {np.percentile(c, 50):.1f} ms, "
              f"p95 {np.percentile(c, 95):.1f} ms")
        docs = [context_module._doc(db, owner, meta) for meta in found]
        qv = context_module._query_vectors(docs, asked[0])
        start = time.perf_counter()
        for q in asked[:50]:
            ranking.rank(docs, qv, q)
        print(f"  of which ranking alone: {(time.perf_counter() - start) / 50 * 1000:.1f} ms a question")


def bench_recall(app, owner: str, rng: random.Random, pages: int, count: int) -> None:
    planted = facts(count, rng)
    fact_pages = rng.sample(range(1, pages + 1), count)
    texts = {n: filler_page(rng) for n in range(1, pages + 1)}
    for (fact, *_), n in zip(planted, fact_pages):
        paragraphs = texts[n].split("\n\n")
        texts[n] = "\n\n".join(paragraphs[:2] + [fact] + paragraphs[2:])
    doc = attachment(app, owner, "long.pdf")
    db = app.extensions["database"]
    with app.app_context():
        retrieval.index(db, owner, doc, pdf_pages([texts[n] for n in range(1, pages + 1)]))
        (meta,) = store.indexed(db, owner, [doc])
        loaded = context_module._doc(db, owner, meta)
        for kind, pick in (("sharing its terms", 1), ("paraphrased", 2), ("naming the thing by a synonym", 3)):
            hits = {"hybrid (shipped)": 0, "vectors alone": 0, "words alone": 0}
            for entry, page in zip(planted, fact_pages):
                question = entry[pick]
                qv = context_module._query_vectors([loaded], question)
                runs = {"hybrid (shipped)": (qv, question), "vectors alone": (qv, ""), "words alone": ({}, question)}
                for name, (vectors, words) in runs.items():
                    top = ranking.rank([loaded], vectors, words, dense_weight=ranking.STATIC_DENSE_WEIGHT)[:5]
                    hits[name] += any(loaded.pages[row] == page for _, row in top)
            print(f"  recall@5, {count} questions {kind}: " + ", ".join(f"{k} {v / count:.2f}" for k, v in hits.items()))


def bench_rss() -> None:
    """RSS a fresh process gains by loading the model and embedding a batch of long chunks (the app imported first)."""
    script = textwrap.dedent("""
        from assistant.retrieval.embedders import StaticEmbedder, EMBED_BATCH
        def rss(): return int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**20
        def peak():  # VmHWM: this process's own high-water mark (ru_maxrss would carry the parent's across fork)
            line = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))
            return int(line.split()[1]) / 1024
        before = rss()
        model = StaticEmbedder()
        loaded = rss()
        model.documents(["the quarterly maintenance report is due " * 40] * EMBED_BATCH * 4)
        print(f"{before:.0f} {loaded:.0f} {rss():.0f} {peak():.0f}")
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    before, loaded, after, peak = map(float, out)
    print(f"  offline embedding model: +{loaded - before:.0f} MB RSS loaded, +{after - before:.0f} MB after embedding "
          f"256 chunks of ~320 tokens (the app's imports before it: {before:.0f} MB; the whole process peaked at {peak:.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--facts", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(13)
    print(f"retrieval bench, {os.cpu_count()} cores, {load_average()}")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        start = time.perf_counter()
        pages = pdf_pages([filler_page(rng) for _ in range(args.pages)])
        print(f"{args.pages}-page text PDF read by PyMuPDF in {time.perf_counter() - start:.2f} s (not counted below)")

        print("indexing (split, embed, store):")
        offline = make_app(url, ai_provider="local")
        owner = person(offline, "bench")
        bench_indexing(offline, owner, pages, "offline (WordLlama 256-d)")
        fake = FakeGemini().start()
        try:
            gemini = make_app(url, gemini_api_key="bench-key", gemini_base_url=fake.url)
            bench_indexing(gemini, owner, pages, "Gemini embeddings (fake over HTTP)")
            gemini.extensions["engines"].close()
        finally:
            fake.stop()

        print("queries:")
        bench_queries(offline, owner, rng, args.chunks, args.questions)
        print("quality (offline model):")
        bench_recall(offline, owner, rng, args.pages, args.facts)
        print("memory:")
        bench_rss()
        offline.extensions["database"].dispose()
    print(f"done, {load_average()}")


if __name__ == "__main__":
    main()
