"""`python app.py [--host H] [--port P] [--no-ingest]`: same as the `rag-app` console script (rag/app_main.py)."""
import sys

from rag.app_main import main

if __name__ == "__main__":
    sys.exit(main(prog="app.py"))
