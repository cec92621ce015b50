"""One blueprint per feature, all under /api: every module here with a `bp` is registered."""
import importlib
import pkgutil

from flask import Flask


def register_blueprints(app: Flask) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "bp"):
            app.register_blueprint(module.bp, url_prefix="/api")
    from .docs import swagger_ui

    app.register_blueprint(swagger_ui)  # serves /api/docs
