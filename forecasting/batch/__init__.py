"""Many series: the comparison protocol over a folder, glob or long table, locally or on Dask, with a leaderboard.

``inputs`` finds the series, ``runner`` runs them in chunks, ``executors`` says where (this process,
joblib worker processes, Dask), ``store`` writes and reads the Parquet output, ``leaderboard`` sums it
up, and ``cli`` holds the ``batch`` and ``report`` subcommands.
"""

from forecasting.batch.inputs import (
           BatchInput,
           LoadOptions,
           LongColumns,
           SeriesTask,
           find_input,
           input_from_table,
)
from forecasting.batch.leaderboard import leaderboard
from forecasting.batch.runner import BatchProgress, BatchSettings, Executor, run_batch, run_chunk
from forecasting.batch.store import ResultStore

__all__ = ["BatchInput", "BatchProgress", "BatchSettings", "Executor", "LoadOptions", "LongColumns",
           "ResultStore", "SeriesTask", "find_input", "input_from_table", "leaderboard", "run_batch", "run_chunk"]
