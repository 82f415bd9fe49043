"""A GRU layer whose recurrence and its backpropagation through time run as compiled loops, for the CPU.

torch has no fused CPU kernel for the GRU (the LSTM gets oneDNN's): its autograd records about ten small
operations per time step, so one forward and backward pass over 96 steps of a 16-unit GRU took 20.5 ms,
against 0.84 ms for the LSTM of the same size and 0.73 ms for these loops (torch 2.13, one thread;
`benchmarks/results_rnn.md`). The loops compute exactly torch's GRU equations (`torch.nn.GRU`'s docs):

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)        z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))     h' = (1 - z) * n + z * h

The input projections ``W_i x + b_i`` of all steps are one matrix product left to torch (and to its
autograd); only the recurrence, which must go step by step, is compiled. Inside, sums are float64.
"""

from __future__ import annotations

import numpy as np
import torch
from numba import njit

KERNEL = dict(cache=True, nogil=True, boundscheck=False, error_model="numpy")


@njit(**KERNEL)
def gru_forward(gi: np.ndarray, w_hh: np.ndarray, b_hh: np.ndarray, h0: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run the recurrence over ``gi`` (B, T, 3H: input projections, gates r, z, n) from ``h0`` (B, H).

    Returns the hidden states (B, T, H) and, for the backward pass, the gates r, z, n and the recurrent
    part of the candidate ``W_hn h + b_hn`` (each B, T, H).
    """
    batch, steps, gates = gi.shape
    size = gates // 3
    out = np.empty((batch, steps, size))
    r_all = np.empty((batch, steps, size))
    z_all = np.empty((batch, steps, size))
    n_all = np.empty((batch, steps, size))
    hn_all = np.empty((batch, steps, size))
    gh = np.empty(gates)
    for b in range(batch):
        h = h0[b].copy()
        for t in range(steps):
            for g in range(gates):
                acc = b_hh[g]
                for k in range(size):
                    acc += w_hh[g, k] * h[k]
                gh[g] = acc
            for j in range(size):
                r = 1.0 / (1.0 + np.exp(-(gi[b, t, j] + gh[j])))
                z = 1.0 / (1.0 + np.exp(-(gi[b, t, size + j] + gh[size + j])))
                n = np.tanh(gi[b, t, 2 * size + j] + r * gh[2 * size + j])
                r_all[b, t, j], z_all[b, t, j], n_all[b, t, j] = r, z, n
                hn_all[b, t, j] = gh[2 * size + j]
            for j in range(size):
                h[j] = (1.0 - z_all[b, t, j]) * n_all[b, t, j] + z_all[b, t, j] * h[j]
                out[b, t, j] = h[j]
    return out, r_all, z_all, n_all, hn_all


@njit(**KERNEL)
def gru_backward(d_out: np.ndarray, d_last: np.ndarray, out: np.ndarray, h0: np.ndarray, w_hh: np.ndarray,
                 r_all: np.ndarray, z_all: np.ndarray, n_all: np.ndarray, hn_all: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Backpropagation through time of :func:`gru_forward`.

    ``d_out`` (B, T, H) is the loss gradient with respect to every hidden state, ``d_last`` (B, H) the one with
    respect to the final state. Returns the gradients of ``gi`` (B, T, 3H), ``w_hh`` (3H, H), ``b_hh`` (3H) and
    ``h0`` (B, H).
    """
    batch, steps, size = d_out.shape
    gates = 3 * size
    d_gi = np.empty((batch, steps, gates))
    d_w = np.zeros((gates, size))
    d_b = np.zeros(gates)
    d_h0 = np.empty((batch, size))
    d_gh = np.empty(gates)
    for b in range(batch):
        dh = d_last[b].copy()
        for t in range(steps - 1, -1, -1):
            prev = out[b, t - 1] if t > 0 else h0[b]
            for j in range(size):
                dh[j] += d_out[b, t, j]
            for j in range(size):
                r, z, n = r_all[b, t, j], z_all[b, t, j], n_all[b, t, j]
                dn = dh[j] * (1.0 - z) * (1.0 - n * n)      # through tanh
                dz = dh[j] * (prev[j] - n) * z * (1.0 - z)  # through sigmoid
                dr = dn * hn_all[b, t, j] * r * (1.0 - r)
                d_gi[b, t, j], d_gi[b, t, size + j], d_gi[b, t, 2 * size + j] = dr, dz, dn
                d_gh[j], d_gh[size + j], d_gh[2 * size + j] = dr, dz, dn * r
                dh[j] = dh[j] * z                            # the direct path h -> h'
            for g in range(gates):
                d_b[g] += d_gh[g]
                for k in range(size):
                    d_w[g, k] += d_gh[g] * prev[k]
            for k in range(size):
                acc = dh[k]
                for g in range(gates):
                    acc += d_gh[g] * w_hh[g, k]
                dh[k] = acc
        d_h0[b] = dh
    return d_gi, d_w, d_b, d_h0


def _array(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().to(torch.float64).contiguous().numpy()


class GRURecurrence(torch.autograd.Function):
    """Autograd wrapper: ``(gi, w_hh, b_hh, h0) -> (hidden states, final state)``, CPU tensors only."""

    @staticmethod
    def forward(ctx, gi: torch.Tensor, w_hh: torch.Tensor, b_hh: torch.Tensor, h0: torch.Tensor):  # noqa: D102
        w, h_start = _array(w_hh), _array(h0)
        out, r, z, n, hn = gru_forward(_array(gi), w, _array(b_hh), h_start)
        ctx.saved, ctx.dtype = (out, h_start, w, r, z, n, hn), gi.dtype
        result = torch.from_numpy(out).to(gi.dtype)
        return result, result[:, -1].clone()

    @staticmethod
    def backward(ctx, d_out: torch.Tensor | None, d_last: torch.Tensor | None):  # noqa: D102
        out, h_start, w, r, z, n, hn = ctx.saved
        d_out_np = np.zeros_like(out) if d_out is None else _array(d_out)
        d_last_np = np.zeros_like(h_start) if d_last is None else _array(d_last)
        d_gi, d_w, d_b, d_h0 = gru_backward(d_out_np, d_last_np, out, h_start, w, r, z, n, hn)
        return tuple(torch.from_numpy(a).to(ctx.dtype) for a in (d_gi, d_w, d_b, d_h0))


def gru_layers(core: torch.nn.GRU, x: torch.Tensor, state: torch.Tensor | None
               ) -> tuple[torch.Tensor, torch.Tensor]:
    """``core(x, state)`` for a batch-first, unidirectional ``nn.GRU`` on the CPU, with compiled recurrences.

    Same parameters, same equations, and dropout between layers in training mode as ``nn.GRU`` applies it.
    """
    batch = x.shape[0]
    if state is None:
        state = x.new_zeros(core.num_layers, batch, core.hidden_size)
    layer_input, finals = x, []
    for layer in range(core.num_layers):
        gi = torch.nn.functional.linear(layer_input, getattr(core, f"weight_ih_l{layer}"),
                                        getattr(core, f"bias_ih_l{layer}"))
        out, last = GRURecurrence.apply(gi, getattr(core, f"weight_hh_l{layer}"),
                                        getattr(core, f"bias_hh_l{layer}"), state[layer])
        finals.append(last)
        if layer < core.num_layers - 1 and core.dropout > 0:
            out = torch.nn.functional.dropout(out, core.dropout, core.training)
        layer_input = out
    return layer_input, torch.stack(finals)
