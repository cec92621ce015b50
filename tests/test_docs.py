"""README and .env.example document every setting the app reads."""
from assistant.config import Settings
from tests.conftest import ROOT


def test_every_setting_is_documented():
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / ".env.example").read_text()
    for name in Settings.model_fields:
        assert f"`{name.upper()}`" in readme, name
        assert f"# {name.upper()}=" in example, name
