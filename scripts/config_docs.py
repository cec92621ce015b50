"""Print the configuration as README's markdown table or as .env.example, from assistant/config.py.

    python scripts/config_docs.py table | env
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.config import Settings  # noqa: E402


def rows():
    for name, field in Settings.model_fields.items():
        default = field.default
        if default is None or default == "":
            default = ""
        elif hasattr(default, "get_secret_value"):
            default = ""
        yield name.upper(), str(default), field.description or ""


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
