"""`python ingest.py [paths] [--dry-run] [--rebuild]`: same as the `rag-ingest` console script."""
import sys

from rag.cli import ingest_main

if __name__ == "__main__":
    sys.exit(ingest_main())
