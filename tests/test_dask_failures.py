"""A ``--scheduler`` that is not a Dask scheduler, or is lost mid-run, is one RunError line.

Issue 12: a server that sends arbitrary bytes made Dask try to allocate
exabytes, one that never answered hung the run, and a scheduler killed mid-run
ended in a ``FutureCancelledError`` traceback.  Each case here runs against
servers on 127.0.0.1 only and finishes within seconds.  Also: the clusters
matchsim's tests and benchmarks start listen on loopback only, and a ``tls://``
scheduler is reached with certificates from Dask's own configuration.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import pytest

distributed = pytest.importorskip("distributed")

import dask  # noqa: E402
import psutil  # noqa: E402
from distributed.security import Security  # noqa: E402

from simulator.errors import RunError  # noqa: E402
from simulator.study import dask_executor  # noqa: E402
from simulator.study.dask_executor import dask_threads, execute_dask  # noqa: E402

LOOPBACK = "127.0.0.1"


@contextmanager
def loopback_server(greeting: bytes | None, close: bool = False):
    """A TCP server on 127.0.0.1 that sends ``greeting`` to each connection (None: nothing).

    With ``close``, it hangs up right after the greeting.
    """
    server = socket.create_server((LOOPBACK, 0))
    server.settimeout(0.2)
    accepted, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            accepted.append(conn)
            if greeting is not None:
                conn.sendall(greeting)
            if close:
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"tcp://{LOOPBACK}:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        for conn in accepted:
            conn.close()
        server.close()


def timed_error(call, *args) -> tuple[str, float]:
    start = time.monotonic()
    with pytest.raises(RunError) as excinfo:
        call(*args)
    return str(excinfo.value), time.monotonic() - start


def test_a_server_that_sends_bytes_is_not_a_scheduler():
    with loopback_server(b"HTTP/1.1 400 Bad Request\r\n\r\n" * 4) as address:
        message, seconds = timed_error(dask_threads, address)
    assert message == (
        f"--scheduler: the server at {address} is not a Dask scheduler: "
        "its answer is not Dask's protocol (MemoryError)"
    )
    assert seconds < 5


def test_a_server_that_hangs_up_is_not_a_scheduler():
    with loopback_server(b"", close=True) as address:
        message, seconds = timed_error(dask_threads, address)
    assert message == (
        f"--scheduler: the server at {address} is not a Dask scheduler: it closed the "
        "connection without answering (is the scheme, tcp:// or tls://, right?)"
    )
    assert seconds < 5


def test_a_server_that_never_answers_is_given_up_on_in_time(monkeypatch):
    monkeypatch.setattr(dask_executor, "DASK_CONNECT_TIMEOUT", 2)
    with loopback_server(None) as address:
        message, seconds = timed_error(dask_threads, address)
    assert message == (
        f"--scheduler: the server at {address} is not a Dask scheduler: "
        "it accepted the connection but gave no answer within 2 s"
    )
    assert 2 <= seconds < 2 + dask_executor._GRACE + 1.5


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def start(*command) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", *map(str, command)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(10)


@contextmanager
def scheduler_and_worker():
    """A ``dask scheduler`` and one single-threaded ``dask worker`` on 127.0.0.1, no dashboards.

    Yields the scheduler's process and address.
    """
    port = free_port()
    address = f"tcp://{LOOPBACK}:{port}"
    options = ("--host", LOOPBACK, "--no-dashboard")
    scheduler = start("distributed.cli.dask_scheduler", "--port", port, *options)
    worker = start("distributed.cli.dask_worker", address, "--nthreads", 1, "--no-nanny", *options)
    try:
        with distributed.Client(address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(1, timeout=30)
        yield scheduler, address
    finally:
        stop(worker)
        stop(scheduler)


def test_a_scheduler_killed_mid_run_is_one_error_after_the_finished_chunks():
    chunks = [[trial] for trial in range(8)]

    def slow(plan, chunk):
        time.sleep(0.5)
        return chunk

    finished = []
    with scheduler_and_worker() as (scheduler, address):

        def on_chunk(chunk):
            finished.append(chunk)
            if len(finished) == 2:
                os.kill(scheduler.pid, signal.SIGKILL)

        message, seconds = timed_error(execute_dask, slow, None, chunks, address, on_chunk)
    assert message == (
        f"--scheduler: lost the Dask scheduler at {address} (scheduler connection lost); "
        "the chunks finished so far are kept, and the run can be resumed once it is back up"
    )
    assert len(finished) == 2 and all(chunk in chunks for chunk in finished)
    assert seconds < 10


def test_a_worker_address_is_not_taken_for_a_scheduler():
    with scheduler_and_worker() as (_, address):
        with distributed.Client(address, set_as_default=False) as client:
            (worker,) = client.scheduler_info()["workers"]
        message, _ = timed_error(dask_threads, worker)
    assert message == (
        f"--scheduler: {worker} is a Dask worker, not a scheduler; give the scheduler's address"
    )


# --------------------------------------------------------------------------- loopback only


def listening(pid: int) -> set[tuple[str, int]]:
    """The (IP address, port) pairs process ``pid`` listens on."""
    connections = psutil.Process(pid).net_connections("inet")
    return {(c.laddr.ip, c.laddr.port) for c in connections if c.status == psutil.CONN_LISTEN}


def test_the_test_and_benchmark_clusters_listen_on_loopback_only():
    """A ``LocalCluster`` as ``test_scale_out.py`` and ``bench_scale.py`` start it.

    Without ``dashboard_address`` its dashboard would listen on 0.0.0.0:8787, and
    with ``None`` it would still take 127.0.0.1:8787.
    """
    before = listening(os.getpid())
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host=LOOPBACK,
        dashboard_address=f"{LOOPBACK}:0",
    ) as cluster:
        with distributed.Client(cluster, set_as_default=False) as client:
            workers = client.run(os.getpid)
        assert {distributed.comm.get_address_host(a) for a in workers} == {LOOPBACK}
        sockets = listening(os.getpid()) - before
        for child in psutil.Process().children(recursive=True):
            sockets |= listening(child.pid)
    assert {ip for ip, _ in sockets} == {LOOPBACK}
    assert (LOOPBACK, 8787) not in sockets


# --------------------------------------------------------------------------- TLS


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1 and its key: (cert.pem, key.pem)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", key, "-out", cert, "-subj", "/CN=matchsim-test"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_a_tls_scheduler_is_used_with_certificates_from_dask_configuration(
    certificate, monkeypatch
):
    cert, key = map(str, certificate)
    roles = ("scheduler", "worker", "client")
    security = Security(
        tls_ca_file=cert,
        **{
            f"tls_{role}_{part}": path
            for role in roles
            for part, path in (("cert", cert), ("key", key))
        },
        require_encryption=True,
    )
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tls",
        host=LOOPBACK,
        dashboard_address=f"{LOOPBACK}:0",
        security=security,
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith(f"tls://{LOOPBACK}:")
        message, _ = timed_error(dask_threads, address)
        assert message == (
            f"--scheduler: {address} needs Dask's TLS configuration: "
            "set DASK_DISTRIBUTED__COMM__TLS__CA_FILE, __CLIENT__CERT and __CLIENT__KEY "
            "(or distributed.comm.tls in dask config)"
        )
        environment = {
            "DASK_DISTRIBUTED__COMM__TLS__CA_FILE": cert,
            "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": cert,
            "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": key,
        }
        finished = []
        try:
            for name, value in environment.items():
                monkeypatch.setenv(name, value)
            dask.config.refresh()
            execute_dask(lambda plan, chunk: chunk, None, [[0], [1], [2]], address, finished.append)
        finally:
            monkeypatch.undo()
            dask.config.refresh()
        assert sorted(finished) == [[0], [1], [2]]
