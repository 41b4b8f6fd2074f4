"""The vectorised structural kernel against the former scalar one (the reference), its
polynomial ``ln(1 + e^x)``, and its one tally body compiled serial and parallel."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecast_data import with_sets
from gapcast.model import _structural_kernel as kern
from gapcast.model import engine, structural
from gapcast.model._jit import jit
from gapcast.model._random import draw_keys
from test_model_structural import _noisy


@jit()
def _softplus_all(x: np.ndarray, out: np.ndarray) -> None:
    for i in range(x.shape[0]):
        out[i] = kern._softplus(x[i])


def test_softplus_is_within_four_ulps_of_the_library() -> None:
    x = np.concatenate(
        [np.linspace(-40.0, 40.0, 80_001), np.random.default_rng(1).normal(0.0, 5.0, 20_000)]
    )
    x = x[np.abs(x) <= 40.0]
    got = np.empty_like(x)
    _softplus_all(x, got)
    want = np.array([max(v, 0.0) + math.log1p(math.exp(-abs(v))) for v in x])
    assert (np.abs(got - want) <= 4 * np.spacing(want)).all()
    far = np.array([-700.0, -41.0, 41.0, 700.0])
    out = np.empty_like(far)
    _softplus_all(far, out)
    np.testing.assert_allclose(out, np.logaddexp(0.0, far), rtol=1e-15, atol=5e-18)


def _variants() -> list[structural.StructuralModel]:
    model, inp = _noisy()
    dated = with_sets(
        model.scenario,
        "shocks=[{group: challenger, date: 2026-06, factor: {value: 3, source: test}},"
        " {group: leader, date: 2027-01, add_h100e: {value: 200000, source: test}}]",
        "growth_changes=[{group: challenger, date: 2026-09, factor: {value: 1.4, source: test}}]",
    )
    return [
        model,
        structural.StructuralModel(dated, inp, model.posterior),
        structural.StructuralModel(model.scenario, inp, model.posterior, hold={"leader": 0.3}),
    ]


@pytest.mark.parametrize("which", [0, 1, 2])
def test_kernel_gives_the_reference_kernels_paths(which: int) -> None:
    """Same random numbers, same equations: the paths agree to rounding (a few 1e-13), for
    any block size a draw lands in (a draw count that is not a multiple of the vector width
    and of the block)."""
    model = _variants()[which]
    new = model.paths(seed=11, draws=1001)
    old = model.paths(seed=11, draws=1001, reference=True)
    assert np.isfinite(new).all()
    np.testing.assert_allclose(new, old, rtol=0, atol=1e-9)
    assert np.abs(new - old).max() > 0 or which == 2  # polynomial vs library: not bitwise


def test_tallies_match_the_reference_kernel() -> None:
    model = _variants()[1]
    n = 3000
    new = structural.run(model, n, 5)
    old = structural.run(model, n, 5, reference=True)
    assert new.sfirst is not None and old.sfirst is not None
    for a, b in ((new.first, old.first), (new.sfirst, old.sfirst), (new.ahead, old.ahead)):
        assert np.abs(a - b).sum() <= 2  # a tie broken differently at 1e-13, at most
    assert new.first.sum() == old.first.sum() == n


def test_serial_and_parallel_tally_are_one_kernel() -> None:
    """``tally`` (threads) and ``tally_serial`` (calling thread) compile one body: equal
    totals for the same slices."""
    model, _ = _noisy()
    n = 2000
    keys = draw_keys(3, 0, n)
    arrays = model.chunk_arrays(3, 0, n, structural.inner_size(n))
    months = model.horizon + 1
    inner = structural.inner_size(n)
    hz = np.array([12, model.horizon], np.int64)
    got = []
    for parallel in (True, False):
        tallies = engine.Tallies.zeros(3, months, 2)
        sfirst = np.zeros((3, months + 1), np.int64)
        outer = np.zeros((3, -(-n // inner), 2, 2), np.int64)
        structural.simulate_tally(
            model, keys, arrays, first_global=0, inner=inner, hz=hz,
            parts=3, tallies=tallies, sfirst=sfirst, outer=outer,
            first_out=np.empty(n, np.int16), sus_out=np.empty(n, np.int16),
            parallel=parallel,
        )  # fmt: skip
        got.append((tallies.first.copy(), tallies.gap.copy(), sfirst, outer))
    for a, b in zip(got[0], got[1], strict=True):
        assert np.array_equal(a, b)
    assert got[0][0].sum() == n
    assert kern.tally.py_func.__code__ is kern.tally_serial.py_func.__code__


@pytest.mark.parametrize("which", [0, 1, 2])
def test_a_draw_gives_the_same_bits_in_any_lane_or_block(which: int) -> None:
    """The kernel fuses multiply-adds (``fastmath={"contract"}``) and vectorises its loops; a
    draw must still give the same bits in a vector lane, in the scalar remainder and in any
    block: the paths of draws 5..1004 alone equal those of the same draws run with 0..4."""
    model = _variants()[which]
    inner = 7
    whole = model.paths(seed=3, draws=1005, first=0, inner=inner)
    part = model.paths(seed=3, draws=1000, first=5, inner=inner)
    assert np.array_equal(whole[:, 5:], part)
    odd = model.paths(seed=3, draws=13, first=130, inner=inner)
    assert np.array_equal(whole[:, 130:143], odd)
