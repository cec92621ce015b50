"""Offline analysis grounding on the test corpus: every number, date and proper name in the analysis must
appear in the document's extracted text. Prints, per document and prompt, whether the embedded model's own
summary was grounded (kept) or replaced by the document's key lines, and the grounding of what the person
finally sees (target: 100%).

    python -m bench.grounding
"""
from __future__ import annotations

import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import create_app  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.documents.analysis import describe_image  # noqa: E402
from assistant.documents.grounding import ungrounded  # noqa: E402
from bench._accounts import limits, signed_in_client  # noqa: E402
from tests.documents import corpus  # noqa: E402

DOCUMENTS = {
    "one-line invoice (PDF)": (corpus.text_page_pdf(["Invoice 42: total due 180 euros."]), "invoice.pdf"),
    "bakery invoice (scan, PNG)": (corpus.png(corpus.text_image()), "scan.png"),
    "bakery invoice (phone photo)": (corpus.photo_of_page(corpus.text_image()), "photo.jpg"),
    **{f"{p.split('.')[0].lower()} (PDF)": (corpus.text_page_pdf([p]), "page.pdf") for p in corpus.PARAGRAPHS},
    "three pages (PDF)": (corpus.text_page_pdf(corpus.PARAGRAPHS), "report.pdf"),
}
PROMPTS = [None, "What is this document about?", "Who is it from and what are the amounts?"]


def main() -> None:
    folder = tempfile.mkdtemp(prefix="bench-grounding-")
    app = create_app(Settings(ai_provider="local", gemini_api_key=None, log_level="WARNING", database_url=f"sqlite:///{folder}/g.db",
                              upload_dir=folder, **limits("memory://")))
    client, _ = signed_in_client(app)
    kept = shown_grounded = total = 0
    began = time.perf_counter()
    print(f"{'document':32} {'prompt':42} {'model summary':>14}  final")
    for name, (data, filename) in DOCUMENTS.items():
        for prompt in PROMPTS:
            form = {"file": (io.BytesIO(data), filename), **({"prompt": prompt} if prompt else {})}
            body = client.post("/api/upload", data=form, content_type="multipart/form-data").get_json()
            analysis, document = body["analysis"], body["document"]
            # what the model was given: the text, the image's facts (size, colours), the request
            source = "\n".join([document["text"], describe_image(document["image"]) if document.get("image") else "", prompt or ""])
            replaced = analysis["notice"].startswith("Offline extract")
            missing = ungrounded(analysis["text"], source)
            grounded = not missing
            total += 1
            kept += not replaced
            shown_grounded += grounded
            print(f"{name:32} {(prompt or '(default)'):42} {'replaced' if replaced else 'kept':>14}  "
                  f"{'grounded' if grounded else 'NOT GROUNDED: ' + ', '.join(missing)}")
    print(f"\n{total} analyses in {time.perf_counter() - began:.0f} s: the model's own summary grounded and kept in "
          f"{kept}/{total} ({kept / total:.0%}); what the person sees grounded in {shown_grounded}/{total} "
          f"({shown_grounded / total:.0%}, target 100%)")
    app.extensions["usage"].close()


if __name__ == "__main__":
    main()
