"""The ESN's reservoir: eigenvalues of W in the complex plane, with the unit circle and the spectral radius."""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from forecasting.charts._common import FIXED_SIZE, nice_title


def spectral_radius_of(model: Any) -> float | None:
    """The spectral radius the reservoir was scaled to (its setting, else the largest |eigenvalue|)."""
    extras = model.extras or {}
    if extras.get("spectral_radius") is not None:
        return float(extras["spectral_radius"])
    if (model.params or {}).get("spectral_radius") is not None:
        return float(model.params["spectral_radius"])
    eig = extras.get("eigenvalues")
    return float(np.max(np.hypot(*np.asarray(eig, dtype=float).T))) if eig else None


def circle_frame(radius: float, name: str, points: int = 181) -> pd.DataFrame:
    """Points on a circle of ``radius`` around 0, in drawing order."""
    angle = np.linspace(0.0, 2.0 * np.pi, points)
    return pd.DataFrame({"re": radius * np.cos(angle), "im": radius * np.sin(angle),
                         "order": np.arange(points), "circle": name})


def eigenvalue_chart(model: Any, *, size: int = 360) -> alt.LayerChart:
    """Eigenvalues of the reservoir matrix W (points), the unit circle (grey) and |z| = spectral radius (dashed).

    ``model`` is a ModelResult whose ``extras`` hold ``eigenvalues`` as ``[[re, im], ...]``. Both axes
    share one domain (not rounded to "nice" ticks) on a square plot of ``size`` pixels with a fixed
    ("pad") autosize and the legend below, so a circle is drawn as a circle.
    """
    eig = np.asarray((model.extras or {}).get("eigenvalues") or [], dtype=float).reshape(-1, 2)
    points = pd.DataFrame({"re": eig[:, 0], "im": eig[:, 1], "abs": np.hypot(eig[:, 0], eig[:, 1])})
    rho = spectral_radius_of(model)
    circles = [circle_frame(1.0, "unit circle |z| = 1")]
    if rho is not None:
        circles.append(circle_frame(rho, f"spectral radius {rho:g}"))
    outline = pd.concat(circles, ignore_index=True)
    extent = 1.1 * max(1.0, rho or 0.0, float(points["abs"].max()) if len(points) else 0.0)
    axis = alt.Scale(domain=[-extent, extent], nice=False, zero=False)
    names = list(dict.fromkeys(outline["circle"]))
    ring = alt.Chart(outline).mark_line(strokeWidth=1.5, clip=True).encode(
        x=alt.X("re:Q", title="real part", scale=axis),
        y=alt.Y("im:Q", title="imaginary part", scale=axis),
        order="order:Q",
        color=alt.Color("circle:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=names, range=["#999999", "#d62728"][:len(names)])),
        strokeDash=alt.StrokeDash("circle:N", legend=None,
                                  scale=alt.Scale(domain=names, range=[[1, 0], [6, 4]][:len(names)])),
        detail="circle:N",
    )
    dots = alt.Chart(points).mark_circle(size=22, opacity=0.75, color="#1f77b4", clip=True).encode(
        x=alt.X("re:Q", scale=axis), y=alt.Y("im:Q", scale=axis),
        tooltip=[alt.Tooltip("re:Q", format=".3f"), alt.Tooltip("im:Q", format=".3f"),
                 alt.Tooltip("abs:Q", title="|z|", format=".3f")])
    subtitle = ["Echo-state property rule of thumb: keep the largest |eigenvalue| below 1;",
                "near 1 means long memory."]
    return alt.layer(ring, dots).properties(width=size, height=size, autosize=FIXED_SIZE, title=nice_title(
        f"{model.label} reservoir: eigenvalues of W ({len(points)})", subtitle))
