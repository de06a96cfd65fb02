"""Server mode: the same ingest and query against a real `chroma run` (started here on
loopback), plus the fault users meet in production: the server stops mid-session."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from rag.embeddings import EmbeddingCache, RagEmbedding
from rag.engine import Engine
from rag.errors import StoreError
from rag.index import Index
from rag.ingest import ingest
from rag.settings import load_settings
from servers import free_port, need, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.chroma_server]
SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_09ff8f6f21da3254.txt"


class ChromaServer:
    def __init__(self, path: Path, port: int) -> None:
        self.path, self.port, self.proc = path, port, None

    def start(self) -> None:
        exe = shutil.which("chroma") or str(Path(__import__("sys").executable).parent / "chroma")
        need(Path(exe).exists(), "the chroma CLI", "RAG_REQUIRE_CHROMA_SERVER")
        self.log = open(self.path.parent / f"chroma-{self.port}.log", "ab")
        self.proc = subprocess.Popen([exe, "run", "--path", str(self.path), "--host", "127.0.0.1",
                                      "--port", str(self.port)], stdout=self.log, stderr=subprocess.STDOUT)
        wait_http(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", 60, self.proc)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ChromaServer(tmp_path_factory.mktemp("chroma-server") / "db", free_port())
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def settings(server, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy2(SEED, src / SEED.name)
    return load_settings().with_(data_dir=tmp_path / "data", sources_dir=src, chroma_host="127.0.0.1",
                                 chroma_port=server.port, chroma_prefix="t" + tmp_path.name[-12:].replace(".", "_"))


def test_ingest_and_query_on_a_chroma_server(settings, e5_backend, warm_cache_file):
    from _corpus import copy_sqlite
    (settings.data_dir).mkdir(parents=True)
    copy_sqlite(warm_cache_file, settings.data_dir / "embed_cache.sqlite")
    embedding = RagEmbedding(e5_backend, EmbeddingCache(settings.data_dir / "embed_cache.sqlite"))
    index = Index.open(settings, embedding)
    assert index.store.where == f"http://127.0.0.1:{settings.chroma_port}"
    assert not (settings.data_dir / "chroma").exists(), "server mode writes no local vectors"
    report = ingest(index, show_bar=False)
    assert len(report.diff.added) == 13 and index.store.count() == 26
    again = ingest(index, show_bar=False)
    assert again.embedded == 0 and len(again.diff.unchanged) == 13
    answer = Engine(settings, index).ask("微短剧审查时效提升了多少?")
    assert "50%" in answer.text and answer.citations[0].paragraph_id.endswith("#p05")
    index.close()


def test_server_down_mid_session_is_a_clear_error_and_recovers(server, settings, e5_backend):
    index = Index.open(settings, RagEmbedding(e5_backend, EmbeddingCache(settings.data_dir / "embed_cache.sqlite")))
    ingest(index, show_bar=False)
    engine = Engine(settings, index)
    assert not engine.ask("有多少个影视项目签约?").abstained
    server.stop()
    try:
        with pytest.raises(StoreError, match=r"Chroma at http://127\.0\.0\.1:\d+ failed") as err:
            engine.ask("有多少个影视项目签约?")
        assert "chroma run" in str(err.value)   # says what to do
    finally:
        server.start()
    answer = engine.ask("有多少个影视项目签约?")      # same engine object: it recovers
    assert "11个" in answer.text
    index.close()


def test_unreachable_server_at_open_is_a_clear_error(tmp_path):
    settings = load_settings().with_(data_dir=tmp_path / "d", chroma_host="127.0.0.1", chroma_port=free_port())
    with pytest.raises(StoreError, match="check that the Chroma server is running"):
        Index.open(settings)
