"""WSGI entry point: `gunicorn -c gunicorn.conf.py app:app`; `python app.py` runs the dev server on PORT."""
from assistant import create_app

app = create_app()

if __name__ == "__main__":
    settings = app.config["SETTINGS"]
    app.run(host="0.0.0.0", port=settings.port, threaded=True)
