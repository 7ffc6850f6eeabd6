"""tourbot: a Discord bot that answers questions about its sources and cites them.

One BLAS thread: the matcher's matrix products are small (a question against a few
thousand vectors), and on a 2-core machine shared with the event loop, OpenBLAS's thread
pool made one product ten times slower (4.8 ms against 0.43 ms with one thread, measured
in benchmarks). Set before numpy is first imported; an explicit setting wins.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
