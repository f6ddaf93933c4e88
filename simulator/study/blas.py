"""One BLAS thread per worker: the workers are the parallelism.

NumPy's OpenBLAS starts a thread per core and keeps them spinning between calls,
so with one worker per core each worker's BLAS threads compete with the other
workers for the same cores.  *Measured*: ``matchsim run
scenarios/img-internal-medicine.toml --trials 16 --workers 2``, three runs each,
interleaved (2 cores, 2026-12-03): 15.6-15.8 s of wall time and 26.3-26.5 s of
user CPU with one BLAS thread per worker, against 16.0-16.5 s and 27.0-27.7 s
without (about 3% each).
"""

from __future__ import annotations

from threadpoolctl import threadpool_limits


def one_blas_thread() -> None:
    """Limit the BLAS and OpenMP thread pools loaded in this process to one thread.

    Every worker calls it at the start of each chunk (about 2 ms), so that a library
    loaded after the first (SciPy's own OpenBLAS) is limited too; a process that
    runs its chunks itself (one worker) keeps the libraries' defaults.
    """
    threadpool_limits(limits=1)
