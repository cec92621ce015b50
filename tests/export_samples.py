"""Sample content for the export tests and bench: multilingual markdown and a long conversation."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from assistant.db import Database
from assistant.models import Conversation, Message, new_id

USER_TURN = "Can you compare {n} ways to say hello — Γειά σου, Привет, and Olá? Keep it short."
ASSISTANT_TURN = """Here is answer **{n}**, with *emphasis* and a [reference](https://example.org/{n}).

- Greek: Καλημέρα κόσμε
- Russian: Съешь же ещё этих мягких французских булок
- French: déjà vu, naïve café

| Language | Greeting |
|---|---|
| Greek | Γειά σου |
| Russian | Здравствуйте |

```python
def greet(name: str) -> str:
    return f"Hello, {{name}}!"  # reply {n}
```
"""


def add_conversation(db: Database, messages: int = 500, title: str = "A long conversation", *,
                     content: str | None = None, system: str | None = None, owner: str | None = None) -> str:
    """Insert a conversation of `messages` alternating turns directly (fast: one transaction), owned by
    `owner`; `content` replaces every message's text, and the last reply is marked incomplete."""
    start = datetime(2026, 1, 2, 9, 0, tzinfo=timezone.utc)
    with db.session() as s:
        conv = Conversation(title=title, system=system, user_id=owner)
        s.add(conv)
        s.flush()
        parent = None
        for i in range(messages):
            role = "user" if i % 2 == 0 else "assistant"
            text = content or (USER_TURN if role == "user" else ASSISTANT_TURN).format(n=i // 2 + 1)
            status = "incomplete" if role == "assistant" and i == messages - 1 else "complete"
            message = Message(id=new_id(), conversation_id=conv.id, parent_id=parent, seq=i, role=role, content=text,
                              status=status, created_at=start + timedelta(seconds=30 * i),
                              engine=None if role == "user" else "gemini")
            s.add(message)
            parent = message.id
        return conv.id
