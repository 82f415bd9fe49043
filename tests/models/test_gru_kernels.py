"""The compiled GRU recurrence computes torch's GRU exactly: states, final state and every gradient."""

import pytest
import torch

from forecasting.models.gru_kernels import gru_layers
from forecasting.models.rnn_torch import RNNModule


def _loss_and_grads(run, gru: torch.nn.GRU, x: torch.Tensor, h0: torch.Tensor | None, weights, last_weights):
    hidden, last = run(x, h0)
    loss = (hidden * weights).sum() + (last * last_weights).sum()
    inputs = [x, *gru.parameters()] + ([h0] if h0 is not None else [])
    return hidden.detach(), last.detach(), torch.autograd.grad(loss, inputs)


@pytest.mark.parametrize("layers, batch, with_state", [(1, 1, False), (1, 4, True), (3, 2, True)])
def test_states_and_gradients_match_torch_gru_in_float64(layers, batch, with_state):
    torch.manual_seed(0)
    gru = torch.nn.GRU(1, 8, layers, batch_first=True).double()
    x = torch.randn(batch, 40, 1, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(layers, batch, 8, dtype=torch.float64, requires_grad=True) if with_state else None
    weights, last_weights = torch.randn(batch, 40, 8, dtype=torch.float64), torch.randn(layers, batch, 8,
                                                                                         dtype=torch.float64)
    expected = _loss_and_grads(lambda a, b: gru(a, b), gru, x, h0, weights, last_weights)
    actual = _loss_and_grads(lambda a, b: gru_layers(gru, a, b), gru, x, h0, weights, last_weights)
    torch.testing.assert_close(actual[0], expected[0], rtol=0, atol=1e-12)
    torch.testing.assert_close(actual[1], expected[1], rtol=0, atol=1e-12)
    for got, want in zip(actual[2], expected[2], strict=True):
        torch.testing.assert_close(got, want, rtol=0, atol=1e-11)


def test_float32_stays_float32_and_close_to_torch():
    torch.manual_seed(1)
    gru = torch.nn.GRU(1, 16, batch_first=True)
    x = torch.randn(2, 96, 1, requires_grad=True)
    hidden, last = gru_layers(gru, x, None)
    assert hidden.dtype == last.dtype == torch.float32
    hidden.sum().backward()
    assert x.grad.dtype == torch.float32 and gru.weight_hh_l0.grad.dtype == torch.float32
    torch.testing.assert_close(hidden, gru(x)[0], rtol=0, atol=1e-5)


def test_dropout_between_layers_only_while_training():
    torch.manual_seed(2)
    gru = torch.nn.GRU(1, 8, 2, batch_first=True, dropout=0.5).double().eval()
    x = torch.randn(1, 20, 1, dtype=torch.float64)
    torch.testing.assert_close(gru_layers(gru, x, None)[0], gru(x)[0], rtol=0, atol=1e-12)
    gru.train()
    torch.manual_seed(3)
    trained_a = gru_layers(gru, x, None)[0]
    torch.manual_seed(4)
    trained_b = gru_layers(gru, x, None)[0]
    assert not torch.allclose(trained_a, trained_b)  # dropout masks differ between draws


def test_module_runs_the_compiled_recurrence_with_and_without_gradients():
    torch.manual_seed(5)
    module = RNNModule("gru", hidden_size=8, num_layers=1, dropout=0.0, out_dim=1).double()
    x = torch.randn(3, 25, 1, dtype=torch.float64)
    with torch.no_grad():
        predicted, _ = module(x)
    trained, _ = module(x)
    assert any("GRURecurrence" in type(node).__name__ for node in _graph_nodes(trained.grad_fn))
    reference = module.head(module.core(x)[0])
    torch.testing.assert_close(trained.detach(), predicted, rtol=0, atol=1e-12)
    torch.testing.assert_close(predicted, reference.detach(), rtol=0, atol=1e-12)


def _graph_nodes(node, seen=None):
    seen = set() if seen is None else seen
    if node is None or node in seen:
        return seen
    seen.add(node)
    for child, _ in node.next_functions:
        _graph_nodes(child, seen)
    return seen
