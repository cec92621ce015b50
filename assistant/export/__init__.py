"""PDF export: markdown -> ReportLab flowables (markdown.py, styles.py), Unicode fonts (fonts.py), embedded
images (images.py), a safe download filename (filename.py); service.py is what the route calls.
Kept empty so that importing a light submodule does not load ReportLab."""
