"""Long generated documents for retrieval: varied filler pages about running a company, and one page that
alone holds a fact (the tests and bench/retrieval.py ask about it)."""
from __future__ import annotations

import random

SUBJECTS = ["The quarterly review", "The facilities team", "The finance department", "Our regional office",
            "The procurement board", "The project steering group", "The customer support desk", "The audit committee",
            "The training coordinator", "The logistics partner", "The legal counsel", "The safety officer"]
VERBS = ["discussed", "approved", "postponed", "summarised", "examined", "questioned", "documented", "revised"]
OBJECTS = ["the travel policy for the coming year", "the budget for office supplies", "the onboarding checklist",
           "the schedule of internal audits", "the rules for remote work", "the inventory of laptops",
           "the supplier evaluation criteria", "the cleaning contract for the main building",
           "the format of monthly reports", "the parking arrangements for visitors", "the archive retention periods",
           "the process for expense claims", "the handover notes between shifts", "the calendar of team meetings"]
TAILS = ["after a short debate.", "with minor changes.", "pending further information.", "as proposed last month.",
         "and asked for a follow-up.", "without objections.", "in the presence of two observers.", "at the request of staff."]

FACT_PAGE = 47
FACT = ("The emergency generator at the Lisbon depot is serviced every March by Kestrel Power Systems under "
        "maintenance contract KP-4471, at a yearly cost of 18,350 euros.")
QUESTION = "Which company services the emergency generator at the Lisbon depot, and under what contract?"


def filler_page(rng: random.Random, paragraphs: int = 4, sentences: int = 5) -> str:
    return "\n\n".join(" ".join(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}"
                                for _ in range(sentences)) for _ in range(paragraphs))


def long_document(pages: int = 60, fact_page: int | None = FACT_PAGE, seed: int = 7) -> list[tuple[int, str]]:
    """(page number, text) pages; `fact_page` (1-based) carries FACT in its middle paragraph."""
    rng = random.Random(seed)
    out = []
    for number in range(1, pages + 1):
        text = filler_page(rng)
        if number == fact_page:
            paragraphs = text.split("\n\n")
            text = "\n\n".join(paragraphs[:2] + [FACT] + paragraphs[2:])
        out.append((number, text))
    return out
