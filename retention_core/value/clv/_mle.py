"""Maximum-likelihood driver shared by the BG/NBD and Gamma-Gamma fits.

Parameters are all positive, so the optimiser works on their logarithms (L-BFGS-B with bounds on
the log scale keeps them finite). The objective is the mean negative log-likelihood per customer so
that tolerances mean the same thing for 100 and for 10 million customers.

Large inputs: the model is first fitted on a systematic subsample (``warm``), then polished on the
full data by Newton steps that reuse the subsample's Hessian (the mean Hessian per customer of a
large subsample is close to the full one, so each step shrinks the error by roughly the sampling
error, ~20× per step). This reaches the full-data optimum in a handful of full evaluations instead
of the 25–50 an L-BFGS-B run needs; if a step fails to improve, L-BFGS-B finishes from there.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import minimize

from retention_core.errors import ConvergenceError

Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]

#: Bounds on log-parameters: e^-15 ≈ 3e-7 … e^15 ≈ 3.3e6.
LOG_BOUND = 15.0
# Converged when the largest gradient component of the mean log-likelihood w.r.t. a log-parameter
# is below this (a relative parameter change of ~1e-8 or less left to make).
_GRAD_TOL = 1e-8
# A point where L-BFGS-B stops with a line-search warning is still accepted when the projected
# gradient is this small (the warning then only means "cannot improve further in floating point").
_GRAD_ACCEPT = 1e-5
_NEWTON_STEPS = 25


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """Σ a·b without BLAS: on a busy machine OpenBLAS's threads (``a @ b``) make a dot product of a
    million elements ~6× slower than einsum's single-threaded loop, and keep spinning afterwards."""
    return float(np.einsum("i,i->", a, b))


def _lbfgsb(objective: Objective, start: np.ndarray):  # noqa: ANN202 - scipy's OptimizeResult
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(start)
    return minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 2000, "ftol": 1e-13, "gtol": _GRAD_TOL},
    )


def _hessian(objective: Objective, theta: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """Central finite differences of the analytic gradient, symmetrised."""
    k = theta.size
    hess = np.empty((k, k))
    for i in range(k):  # k ≤ 4 parameters, not a loop over data
        step = np.zeros(k)
        step[i] = h
        hess[i] = (objective(theta + step)[1] - objective(theta - step)[1]) / (2 * h)
    return (hess + hess.T) / 2


def _newton_polish(objective: Objective, theta: np.ndarray, hess: np.ndarray) -> tuple[np.ndarray, bool]:
    """Chord-Newton steps θ ← θ − H⁻¹∇f with a fixed H; returns (θ, converged)."""
    try:
        chol = np.linalg.cholesky(hess)
    except np.linalg.LinAlgError:
        return theta, False
    value, grad = objective(theta)
    for _ in range(_NEWTON_STEPS):
        if np.max(np.abs(grad)) < _GRAD_TOL:
            return theta, True
        step = np.linalg.solve(chol.T, np.linalg.solve(chol, grad))
        new = theta - step
        if np.any(np.abs(new) > LOG_BOUND):
            return theta, False
        new_value, new_grad = objective(new)
        # Near the optimum the mean log-likelihood only changes in its last digits (summation noise
        # over millions of terms is ~1e-14 relative): accept steps within 1e-12 of the best value.
        if not (np.isfinite(new_value) and new_value <= value + 1e-12 * max(1.0, abs(value))):
            return theta, False
        theta, value, grad = new, new_value, new_grad
    return theta, bool(np.max(np.abs(grad)) < _GRAD_TOL)


def maximise(
    objective: Objective,
    start: np.ndarray,
    *,
    model: str,
    names: tuple[str, ...],
    warm: Objective | None = None,
) -> tuple[np.ndarray, float]:
    """Minimise ``objective`` (mean −log L and its gradient w.r.t. log-parameters) from ``start``.

    ``warm`` is the same objective on a subsample of customers: fitted first, then the full data is
    polished by Newton steps with the subsample's Hessian (see the module docstring).

    Returns the log-parameters and the objective there. Raises :class:`ConvergenceError` when the optimum is not finite or the
    optimiser neither converged nor stopped at a near-zero gradient.
    """
    theta = np.asarray(start, dtype=float)
    done = False
    if warm is not None:
        res = _lbfgsb(warm, theta)
        if np.all(np.isfinite(res.x)) and np.all(np.abs(res.x) < LOG_BOUND - 1e-6):
            theta, done = _newton_polish(objective, np.asarray(res.x, dtype=float), _hessian(warm, res.x))
    res = None
    if not done:
        res = _lbfgsb(objective, theta)
        theta = np.asarray(res.x, dtype=float)
    value, grad = objective(theta)
    if not (np.isfinite(value) and np.all(np.isfinite(theta))):
        msg = f"{model} fit failed: the log-likelihood is not finite at the optimum"
        raise ConvergenceError(msg, model=model)
    if res is not None and not res.success:
        # Projected gradient: components pushing against an active bound do not count.
        at_low = (theta <= -LOG_BOUND + 1e-9) & (grad > 0)
        at_high = (theta >= LOG_BOUND - 1e-9) & (grad < 0)
        if np.max(np.abs(np.where(at_low | at_high, 0.0, grad))) > _GRAD_ACCEPT:
            got = ", ".join(f"{n}={v:.4g}" for n, v in zip(names, np.exp(theta), strict=True))
            msg = (
                f"{model} fit did not converge after {res.nit} iterations ({res.message}); last values "
                f"{got}. Try a longer calibration period or another time unit."
            )
            raise ConvergenceError(msg, model=model)
    return theta, float(value)
