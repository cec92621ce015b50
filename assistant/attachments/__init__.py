"""Files attached to chat messages: stored in the database with their owner (store.py, the only module that
queries the attachments tables; every function takes the owner), recognised by content (kinds.py), read in
the background with the Image to Text and Voice to Text pipelines (extraction.py, jobs.py), and given to the
model with each question of their conversation (context.py; the files themselves for Gemini,
gemini_files.py), the reply citing the passages it used (citations.py). Retrieval (chunks, embeddings,
ranking) is assistant/retrieval."""
