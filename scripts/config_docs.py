"""Print the configuration as README's markdown table or as .env.example, from assistant/config.py.

    python scripts/config_docs.py table | env
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.config import ROOT, Settings  # noqa: E402


def shown(field) -> str:
    """The default as a person would write it: a path relative to the repository, JSON for tables."""
    default = field.get_default(call_default_factory=True)
    if default is None or default == "" or hasattr(default, "get_secret_value"):
        return ""
    if isinstance(default, Path):
        return str(default.relative_to(ROOT)) if default.is_relative_to(ROOT) else str(default)
    if isinstance(default, dict):
        return json.dumps({k: v.model_dump() if hasattr(v, "model_dump") else v for k, v in default.items()}, separators=(",", ":"))
    return str(default)


def rows():
    for name, field in Settings.model_fields.items():
        yield name.upper(), shown(field), field.description or ""


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "table"
    if kind == "table":
        print("| Variable | Default | What it does |\n|---|---|---|")
        for name, default, doc in rows():
            print(f"| `{name}` | {f'`{default}`' if default else '—'} | {doc} |")
    else:
        print("# Copy to .env (read in development; never commit it). Every variable is optional.")
        for name, default, doc in rows():
            print(f"\n# {doc}\n# {name}={default}")


if __name__ == "__main__":
    main()
