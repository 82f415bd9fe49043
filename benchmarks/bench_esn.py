"""Benchmark the Echo State Network: fit time and where it goes, against reservoirpy, and two accuracy checks.

Reports, per (N, T): the median wall-clock fit time (fixed ridge_alpha, warm kernels), its CPU time, the
split into the fit's stages (reservoir draw + spectral radius, echo-state check, harvest, Gram
accumulation, the scikit-learn readout fit), the same fit with the harvest kept in the fit's own thread and -- when ``reservoirpy`` is importable -- its
``Reservoir >> Ridge`` fit on the same data with the same settings, measured in the same run,
alternating with ours (skipped with a message when it is not installed: it is not a requirement).
Also: the floor set by the float64 Gram matrix (and what float32 would cost in accuracy), how exact
the ARPACK spectral radius of large sparse reservoirs is, closed-loop hold-out vs RidgeCV leave-one-out
as the criterion that chooses ridge_alpha, and the numba import / compile / cache-load costs.

Run: ``OMP_NUM_THREADS=1 python benchmarks/bench_esn.py`` (``--quick`` for a smoke run, ``--long`` adds
T = 100,000). The markdown section is written to ``benchmarks/results_esn.md`` (``--output``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.linear_model import Ridge

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import machine_description  # noqa: E402

from forecasting.examples import load_example  # noqa: E402
from forecasting.mackey_glass import mackey_glass  # noqa: E402
from forecasting.models.esn import ESNForecaster, ESNParams  # noqa: E402
from forecasting.models.feature_blocks import harvests_inline  # noqa: E402
from forecasting.models.readout import gram_factor  # noqa: E402

IN_DEGREE = 10  # recurrent connections per neuron: connectivity = 10 / N for both libraries
SETTINGS = dict(spectral_radius=0.95, leak_rate=0.8, input_scaling=0.2, bias_scaling=0.2, washout=100,
                ridge_alpha=1e-8)

COMPILE_PROBE = """
import time
import warnings
t0 = time.perf_counter()
import numpy as np
from forecasting.models.reservoir import Reservoir
t1 = time.perf_counter()
u = np.sin(np.arange(50) * 0.1)
for connectivity in (0.1, 1.0):  # sparse and dense kernels
    r = Reservoir.random(40, connectivity=connectivity, seed=0)
    states = r.run(u)
    r.step(0.5, states[-1].copy(), np.empty(40))
    r.closed_loop(states[-1], u[-1], np.zeros(42), 5)
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def numba_costs(repeats: int) -> dict[str, float]:
    """Median seconds: ``import numba``, first call with an empty cache (compile), first call with a warm cache."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    imports = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", "import time; t = time.perf_counter(); import numba; "
                              "print(time.perf_counter() - t)"], capture_output=True, text=True, check=True, env=env)
        imports.append(float(out.stdout))
    cold, warm = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            env_cache = {**env, "NUMBA_CACHE_DIR": cache}
            for bucket in (cold, warm):  # first run compiles and writes the cache, second loads it
                out = subprocess.run([sys.executable, "-c", COMPILE_PROBE], capture_output=True, text=True,
                                     check=True, env=env_cache, cwd=ROOT)
                bucket.append(float(out.stdout.split()[1]))
    return {"import_numba": statistics.median(imports), "compile_cold": statistics.median(cold),
            "load_cached": statistics.median(warm)}


def reservoirpy_fit(series: np.ndarray, units: int, seed: int, blas_threads: int = 1) -> tuple[float, float]:
    """Wall and CPU seconds of a reservoirpy ESN fit (reservoir init + harvest + ridge), matching settings,
    its BLAS (the Gram matrix) allowed ``blas_threads`` threads."""
    from reservoirpy.nodes import Reservoir, Ridge
    from threadpoolctl import threadpool_limits

    start, cpu = time.perf_counter(), time.process_time()
    reservoir = Reservoir(units=units, lr=SETTINGS["leak_rate"], sr=SETTINGS["spectral_radius"],
                          input_scaling=SETTINGS["input_scaling"], rc_connectivity=min(1.0, IN_DEGREE / units),
                          input_connectivity=1.0, bias=0.0, seed=seed)
    model = reservoir >> Ridge(ridge=SETTINGS["ridge_alpha"])
    with warnings.catch_warnings(), threadpool_limits(blas_threads, user_api="blas"):
        # its solve warns on the tiny ridge; the result is still usable
        warnings.simplefilter("ignore")
        model.fit(series[:-1, None], series[1:, None], warmup=SETTINGS["washout"])
    return time.perf_counter() - start, time.process_time() - cpu


def ours_fit(series: np.ndarray, units: int, seed: int, ahead: bool = True) -> tuple[float, float, dict[str, float]]:
    """Wall seconds, CPU seconds (all threads) and the fit_timings split of one ESNForecaster fit; with
    ``ahead=False`` the harvest never runs in a background thread (one core's worth of work at a time)."""
    params = ESNParams(units=units, connectivity=min(1.0, IN_DEGREE / units), **SETTINGS)
    with contextlib.nullcontext() if ahead else harvests_inline():
        wall, cpu = time.perf_counter(), time.process_time()
        model = ESNForecaster(params, seed=seed).fit(series)
        return time.perf_counter() - wall, time.process_time() - cpu, model.fit_timings


# After a parallel call OpenBLAS's worker threads busy-wait for a while before they sleep: without a pause
# after reservoirpy's two-thread fit they took a core from our next fit (CPU twice its wall time at T = 1,000).
BLAS_SPIN_S = 0.5
STAGES = ("reservoir", "echo_state_check", "harvest", "harvest_wait", "gram", "readout")


def bench_grid(series: np.ndarray, units_list: list[int], lengths: list[int], repeats: int,
               with_rpy: bool) -> list[dict[str, float]]:
    """Median timings for every (N, T), ours and reservoirpy alternating run by run."""
    rows = []
    for units in units_list:
        ours_fit(series[:300], units, 0)  # warm the kernels (cached compile) outside the timings
        if with_rpy:
            reservoirpy_fit(series[:300], units, 0)
        for length in lengths:
            data = series[:length]
            reps = repeats if length <= 10_000 else max(1, repeats // 2)
            walls, inline, cpus, splits, rpy, rpy2 = [], [], [], [], [], []
            for seed in range(reps):
                wall, cpu, split = ours_fit(data, units, seed)
                walls.append(wall)
                cpus.append(cpu)
                splits.append(split)
                inline.append(ours_fit(data, units, seed, ahead=False)[0])
                if with_rpy:
                    rpy.append(reservoirpy_fit(data, units, seed))
                    rpy2.append(reservoirpy_fit(data, units, seed, blas_threads=2))
                    time.sleep(BLAS_SPIN_S)
            row = {"N": units, "T": length, "fit": statistics.median(walls), "inline": statistics.median(inline),
                   "cpu": statistics.median(cpus), "repeats": reps}
            row.update({key: statistics.median(s.get(key, 0.0) for s in splits) for key in STAGES})
            if with_rpy:
                row["rpy"] = statistics.median(r[0] for r in rpy)
                row["rpy_cpu"] = statistics.median(r[1] for r in rpy)
                row["rpy2"] = statistics.median(r[0] for r in rpy2)
                # the ratio of medians, and the median of the per-repeat ratios (each pair ran back to back)
                row["pair_ratio"] = statistics.median(r[0] / w for r, w in zip(rpy, walls, strict=True))
            rows.append(row)
            print(_format_row(row, with_rpy), flush=True)
    return rows


def gram_floor(series: np.ndarray, units: int = 500, repeats: int = 5) -> dict[str, float]:
    """The T x (N+2) Gram matrix in float64 and float32, and what float32 features cost the readout.

    Accuracy: one-step NRMSE on the 1,000 points after a 3,000-point fit (ridge_alpha 1e-8), the readout
    solved from a float64 Gram of float64 features vs from the Gram of the same features rounded to float32.
    """
    length = 10_000
    x = np.ascontiguousarray(np.random.default_rng(0).uniform(-1, 1, (length, units + 2)))
    x32 = x.astype(np.float32)
    t64, t32 = [], []
    for _ in range(repeats):
        tick = time.perf_counter()
        _ = x.T @ x
        t64.append(time.perf_counter() - tick)
        tick = time.perf_counter()
        _ = x32.T @ x32
        t32.append(time.perf_counter() - tick)
    model = ESNForecaster(ESNParams(units=units, connectivity=IN_DEGREE / units, **SETTINGS), seed=0)
    model.fit(series[:3000])
    states = model.reservoir.run(series[:4000])
    features = np.column_stack([np.ones(4000), series[:4000], states])
    rows = np.arange(model.washout_, 2999)
    truth = series[3001:4001]
    errors = {}
    for name, dtype in (("float64", np.float64), ("float32", np.float32)):
        f = features[rows].astype(dtype)
        gram = (f.T @ f).astype(np.float64)
        xty = (f.T @ series[rows + 1].astype(dtype)).astype(np.float64)
        r, z = gram_factor(gram, xty[:, None])
        coef = Ridge(alpha=SETTINGS["ridge_alpha"], fit_intercept=False).fit(r, z).coef_.ravel()
        pred = features[3000:4000].astype(dtype).astype(np.float64) @ coef
        errors[name] = float(np.sqrt(np.mean((pred - truth) ** 2)) / np.std(truth))
    flops = length * (units + 2) ** 2  # syrk: half of the 2 T m^2 of a general product
    return {"units": units, "T": length, "f64": statistics.median(t64), "f32": statistics.median(t32),
            "gflops64": flops / statistics.median(t64) / 1e9, "nrmse64": errors["float64"],
            "nrmse32": errors["float32"]}


def harvest_experiments(units: int = 500, length: int = 4000, repeats: int = 5) -> dict[str, float]:
    """CPU seconds of the pieces that could be fused or cheapened: the Gram by BLAS syrk vs accumulated inside a
    compiled step loop (one rank-1 update per step, as a fused harvest kernel would), and the harvest with the
    tanh activation vs the identity (the activation's share of a step)."""
    from numba import njit

    from forecasting.models import reservoir as rm

    @njit(cache=False, boundscheck=False, error_model="numpy")
    def rank1_gram(f: np.ndarray, g: np.ndarray) -> None:  # pragma: no cover - compiled
        for t in range(f.shape[0]):
            row = f[t]
            for i in range(f.shape[1]):
                xi, gi = row[i], g[i]
                for j in range(i, f.shape[1]):
                    gi[j] += xi * row[j]

    res = rm.Reservoir.random(units, 0.95, IN_DEGREE / units, 0.2, 0.2, 0.8, "tanh", 0)
    u = np.sin(np.arange(length) * 0.1)
    f = np.empty((length, units + 2))
    f[:, 0], f[:, 1] = 1.0, u
    res.run_into(u, f, 2)
    g = np.zeros((units + 2, units + 2))
    rank1_gram(f[:4], g)  # compile outside the timings
    out = np.empty((length, units))
    times: dict[str, list[float]] = {"syrk": [], "fused": [], "tanh": [], "identity": []}
    for _ in range(repeats):
        tick = time.process_time()
        _ = f.T @ f
        times["syrk"].append(time.process_time() - tick)
        g[:] = 0.0
        tick = time.process_time()
        rank1_gram(f, g)
        times["fused"].append(time.process_time() - tick)
        for name, identity in (("tanh", False), ("identity", True)):
            tick = time.process_time()
            rm._run_sparse(res._sliced, res._bias, res._gain, u, 0.8, identity, np.zeros(units), out, 0)
            times[name].append(time.process_time() - tick)
    result = {key: statistics.median(v) for key, v in times.items()}
    result.update(units=units, T=length)
    return result


def spectral_radius_accuracy(units_list: tuple[int, ...] = (500, 1000, 2000), seeds: int = 5) -> list[dict]:
    """Largest relative gap between the drawn reservoir's radius (ARPACK for sparse N > 300) and the dense eigenvalues."""
    from forecasting.models.reservoir import Reservoir

    rows = []
    for units in units_list:
        gaps = []
        for seed in range(seeds):
            res = Reservoir.random(units, spectral_radius=0.95, connectivity=IN_DEGREE / units, seed=seed)
            dense = float(np.max(np.abs(np.linalg.eigvals(res.W.toarray()))))
            gaps.append(abs(dense - 0.95) / 0.95)
        rows.append({"N": units, "max_gap": max(gaps), "seeds": seeds})
        print(rows[-1], flush=True)
    return rows


ALPHA_SERIES = (  # bundled example, points used (the last ones), horizon, log-difference first
    ("air_passengers", None, 12, True), ("gas", None, 12, True), ("sunspots", None, 10, False),
    ("treering", 2000, 10, False), ("electricity", 4000, 48, False), ("mackey_glass", 2000, 20, False),
)
ALPHA_WINDOWS = 5


def model_space(key: str, keep: int | None, log_diff: bool) -> np.ndarray:
    """The example in the space the ESN sees: log-differenced when it trends, then standardised (train stats)."""
    values = np.asarray(load_example(key).values, dtype=float)
    values = values if keep is None else values[-keep:]
    if log_diff:
        values = np.diff(np.log(values))
    return values


def alpha_criteria(seeds: int, units: int = 100) -> list[dict]:
    """Closed-loop test MSE when ridge_alpha is chosen by the inner hold-out (readout=ridge) vs by RidgeCV's LOO.

    Per series: the last ALPHA_WINDOWS x H points are the test part (non-overlapping windows, each forecast
    from its origin by the model fitted once on everything before the first window); errors in model space.
    """
    rows = []
    for key, keep, horizon, log_diff in ALPHA_SERIES:
        z = model_space(key, keep, log_diff)
        start = len(z) - ALPHA_WINDOWS * horizon
        z = (z - z[:start].mean()) / z[:start].std()
        scores = {}
        for readout in ("ridge", "ridgecv"):
            errs, alphas = [], []
            for seed in range(seeds):
                params = ESNParams(units=units, horizon=horizon, readout=readout)
                model = ESNForecaster(params, seed=seed).fit(z[:start])
                alphas.append(model.ridge_alpha_)
                for w in range(ALPHA_WINDOWS):
                    origin = start + w * horizon
                    pred = model.forecast(z[:origin], horizon)
                    errs.append(float(np.mean((pred - z[origin:origin + horizon]) ** 2)))
            scores[readout] = (float(np.mean(errs)), statistics.median(alphas))
        row = {"series": key, "n": len(z), "H": horizon, "closed_loop": scores["ridge"][0],
               "loo": scores["ridgecv"][0], "alpha_closed_loop": scores["ridge"][1], "alpha_loo": scores["ridgecv"][1]}
        rows.append(row)
        print(row, flush=True)
    return rows


def tuned_fit(series: np.ndarray, repeats: int) -> float:
    """Median wall seconds of a fit that also chooses ridge_alpha on its inner hold-out (val=None)."""
    params = ESNParams(units=500, connectivity=IN_DEGREE / 500, horizon=84,
                       **{**SETTINGS, "ridge_alpha": None})
    times = []
    for seed in range(repeats):
        start = time.perf_counter()
        ESNForecaster(params, seed=seed).fit(series[:10_000])
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _format_row(row: dict[str, float], with_rpy: bool) -> str:
    cells = [f"{row['N']}", f"{row['T']:,}", f"{row['fit']:.3f}", f"{row['inline']:.3f}", f"{row['cpu']:.3f}"]
    cells += [f"{row[key]:.3f}" for key in STAGES]
    if with_rpy:
        cells += [f"{row['rpy']:.3f}", f"{row['rpy2']:.3f}", f"{row['rpy'] / row['fit']:.1f}x",
                  f"{row['pair_ratio']:.1f}x", f"{row['rpy'] / row['inline']:.1f}x", f"{row['rpy2'] / row['fit']:.1f}x",
                  f"{row['rpy_cpu'] / row['cpu']:.1f}x"]
    return "| " + " | ".join(cells) + " |"


def _shares(rows: list[dict[str, float]], floor: dict[str, float], with_rpy: bool) -> str:
    """Where our fit's time goes at N = 500, T = 10,000, and the speed-up bound the float64 Gram sets."""
    row = next((r for r in rows if r["N"] == 500 and r["T"] == 10_000), rows[-1])
    parts = {key: row[key] / row["fit"] for key in STAGES}
    text = (f"**Where the time goes** (N = {row['N']}, T = {row['T']:,}, share of our median fit; the harvest runs "
            "in a background thread while the fit's own thread adds the previous block to the Gram, so the shares "
            "overlap and *harvest wait* is what is left of the harvest on the critical path): "
            + ", ".join(f"{key.replace('_', ' ')} {share:.0%}" for key, share in parts.items()) + ". "
            f"Overlapping them: {row['inline']:.3f} s -> {row['fit']:.3f} s ({row['inline'] / row['fit']:.2f}x).")
    if with_rpy:
        bound = row["rpy"] / floor["f64"]
        text += (f" reservoirpy's fit builds the same float64 Gram matrix (syrk, {floor['f64']:.3f} s here on its own), "
                 f"so with one thread even a free harvest, draw and solve would cap the speed-up near {bound:.1f}x on "
                 "this run.")
    return text


def markdown(rows: list[dict[str, float]], costs: dict[str, float], tuned: float, floor: dict[str, float],
             pieces: dict[str, float], radius: list[dict], criteria: list[dict], with_rpy: bool, command: str,
             load: str) -> str:
    """The results section for benchmarks/RESULTS.md."""
    import numba
    import scipy
    import sklearn

    header = ["N", "T", "fit wall (s)", "fit wall, harvest inline (s)", "fit CPU (s)", "reservoir (s)",
              "ESP check (s)", "harvest (s)", "harvest wait (s)", "Gram (s)", "readout (s)"]
    if with_rpy:
        header += ["reservoirpy wall (s)", "reservoirpy wall, 2 BLAS threads (s)", "speed-up (medians)",
                   "speed-up (median of pairs)", "speed-up, harvest inline", "speed-up vs 2 BLAS threads",
                   "speed-up CPU"]
    lines = [
        "## Echo State Network",
        "",
        f"Machine: {machine_description()}; load average at start {load} (shared with other jobs: wall times "
        "are noisy; the speed-ups are measured interleaved, ours and reservoirpy's fits alternating). "
        f"scipy {scipy.__version__}, scikit-learn {sklearn.__version__}, numba {numba.__version__}"
        + (f", reservoirpy {_rpy_version()}" if with_rpy else " (reservoirpy not installed: no comparison)") + ".",
        "",
        f"Command: `{command}`",
        "",
        f"Settings: Mackey-Glass (tau = 17, standardised), {IN_DEGREE} recurrent connections per neuron "
        "(connectivity 10/N, sparse kernel), spectral radius 0.95, leak 0.8, input scaling 0.2, washout 100, fixed "
        "ridge_alpha 1e-8, warm kernels. Medians of the repeats. *fit* is the whole `ESNForecaster.fit`; its stages: "
        "*reservoir* (draw W, spectral radius by ARPACK for N > 300), *ESP check* (two runs from different "
        "states until they merge), *harvest* (the compiled reservoir run; from T = 2,048 on a machine with two "
        "cores it runs one block ahead in a background thread, overlapping the Gram), *harvest wait* (time the fit "
        "waited for it), *Gram* (`X^T X`, `X^T Y` per block, BLAS syrk), *readout* (`sklearn.linear_model.Ridge.fit` on a Cholesky factor of the Gram matrix, pivoted "
        "when it is only semidefinite, or on the rows themselves when there are fewer rows than features). "
        "reservoirpy: same N, connectivity, leak, spectral radius, input scaling, warmup and ridge; "
        "`Reservoir >> Ridge` fit, its BLAS limited to one thread, and to two (threadpoolctl) for the column "
        "that compares it with our two threads. *fit wall, harvest inline*: our fit with the background thread "
        "switched off, measured in the same loop.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += [_format_row(r, with_rpy) for r in rows]
    lines += ["", _shares(rows, floor, with_rpy)]
    lines += [
        "",
        f"**The float64 Gram floor.** `X^T X` of a {floor['T']:,} x {floor['units'] + 2} float64 matrix (syrk) "
        f"takes {floor['f64']:.3f} s here ({floor['gflops64']:.1f} GFLOP/s); in float32 {floor['f32']:.3f} s. "
        f"float32 features are not safe for the readout: one-step NRMSE on Mackey-Glass (N = {floor['units']}, "
        f"ridge_alpha 1e-8) is {floor['nrmse64']:.2e} with float64 features and {floor['nrmse32']:.2e} with the same "
        "features rounded to float32, so the Gram stays float64 and is the same cost in both libraries.",
        "",
        f"**Fusing and the activation** (CPU seconds, N = {pieces['units']}, T = {pieces['T']:,}, medians): the Gram by "
        f"syrk {pieces['syrk']:.3f} s vs accumulated step by step inside a compiled loop (what a harvest kernel with "
        f"the Gram fused in would do) {pieces['fused']:.3f} s, {pieces['fused'] / pieces['syrk']:.0f}x slower: a "
        "rank-1 update per step streams the whole (N+2)^2 matrix through the cache each step, syrk works on "
        f"blocks, so the Gram stays a per-chunk syrk. Harvest {pieces['tanh']:.3f} s with tanh, "
        f"{pieces['identity']:.3f} s with the identity: the (inline, vectorised) activation is "
        f"{1 - pieces['identity'] / pieces['tanh']:.0%} of a step, the sparse product the rest.",
        "",
        "**Spectral radius of large sparse reservoirs** (ARPACK, `eigs(k=8, which='LM', tol=1e-9)`: with k=1 one of three N = 2000 draws came out 3.6e-4 too small, the top being a complex pair with others close by; dense eigenvalues for "
        "N <= 300 or a dense W): largest relative gap to the dense eigenvalues, target 0.95, "
        + "; ".join(f"N = {r['N']}: {r['max_gap']:.1e} ({r['seeds']} seeds)" for r in radius) + ".",
        "",
        f"Fit with ridge_alpha chosen on its inner hold-out (20% tail of train, 15 alphas, closed-loop windows "
        f"of 84 steps), N = 500, T = 10,000: {tuned:.3f} s (median).",
        "",
        "**Which criterion chooses ridge_alpha.** Closed-loop error on the inner hold-out tail of train "
        "(`readout=ridge`, the default) vs RidgeCV's efficient leave-one-out on the training rows "
        "(`readout=ridgecv`). N = 100, default settings otherwise; test = the last 5 non-overlapping windows of H "
        "steps, each forecast in closed loop from its origin by the model fitted once on everything before; "
        "mean squared error in model space (standardised; log-differenced for the trending series), mean over "
        "seeds; alpha = median chosen.",
        "",
        "| series | points | H | closed-loop hold-out MSE | RidgeCV LOO MSE | LOO / hold-out | alpha hold-out | "
        "alpha LOO |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in criteria:
        lines.append(f"| {c['series']} | {c['n']:,} | {c['H']} | {c['closed_loop']:.4g} | {c['loo']:.4g} | "
                     f"{c['loo'] / c['closed_loop']:.2f} | {c['alpha_closed_loop']:.0e} | {c['alpha_loo']:.0e} |")
    ratios = [c["loo"] / c["closed_loop"] for c in criteria]
    wins = sum(r > 1 for r in ratios)
    lines += [
        "",
        f"Geometric mean of LOO / hold-out: {float(np.exp(np.mean(np.log(ratios)))):.2f}; the hold-out criterion "
        f"is better on {wins} of {len(ratios)} series.",
        "",
        f"numba: `import numba` {costs['import_numba']:.2f} s; first call of all reservoir kernels with an "
        f"empty cache (compile) {costs['compile_cold']:.2f} s; the same with the on-disk cache (`cache=True`) "
        f"{costs['load_cached']:.2f} s (medians of fresh processes).",
        "",
    ]
    return "\n".join(lines)


def _rpy_version() -> str:
    import reservoirpy

    return reservoirpy.__version__


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and write the markdown section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny grid, one repeat (smoke test)")
    parser.add_argument("--long", action="store_true", help="add T = 100,000 to the grid")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results_esn.md")
    args = parser.parse_args(argv)
    if os.environ.get("OMP_NUM_THREADS") != "1":
        print("note: set OMP_NUM_THREADS=1 for comparable single-thread numbers", file=sys.stderr)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    units_list = [100, 500] if args.quick else [100, 500, 1000]
    lengths = [1_000, 10_000] + ([100_000] if args.long else [])
    repeats = 1 if args.quick else args.repeats
    try:
        import reservoirpy  # noqa: F401
        with_rpy = True
    except ImportError:
        with_rpy = False
        print("reservoirpy is not installed (pip install reservoirpy): skipping the comparison", file=sys.stderr)
    series = mackey_glass(max(lengths) + 1_000)
    series = (series - series.mean()) / series.std()
    costs = numba_costs(1 if args.quick else 3)
    print(costs, flush=True)
    rows = bench_grid(series, units_list, lengths, repeats, with_rpy)
    floor = gram_floor(series, repeats=repeats)
    print(floor, flush=True)
    pieces = harvest_experiments(repeats=repeats)
    print(pieces, flush=True)
    radius = spectral_radius_accuracy((500, 1000) if args.quick else (500, 1000, 2000), 1 if args.quick else 5)
    criteria = alpha_criteria(1 if args.quick else 3)
    tuned = tuned_fit(series, repeats)
    command = "OMP_NUM_THREADS=1 python benchmarks/bench_esn.py" + (" --quick" if args.quick else "") + \
        (" --long" if args.long else "")
    text = markdown(rows, costs, tuned, floor, pieces, radius, criteria, with_rpy, command, load)
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
