"""Image to Text: uploads sniffed by content and checked against the limits before any heavy work,
the text of every page (PyMuPDF's text layer, else Tesseract OCR, else Gemini vision), and the AI analysis.

`service.read_upload` is the entry point the route calls.
"""
