"""Coverage of 95% intervals when answers are clustered, and what few clusters do to them.

    .venv/bin/python bench/coverage_sim.py [--reps 10000] [--seed 20240517] [--part rates|units|both]

Part 1, ``rates`` (as before): answers arrive in clusters (a service point on
one day) whose satisfaction differs: each cluster's rate is drawn from a beta
distribution with mean p and intra-cluster correlation rho, and its answers
are binomial given that rate (beta-binomial). Intervals: Wilson on the pooled
counts (ignoring clusters), Korn–Graubard and logit with clusters as PSUs.

Part 2, ``units``: one unit surveyed in 2, 3, 4, 5, 8, 12 or 30 clusters of
4 or 10 respondents, each answering 12 criteria in 5 elements (2, 3, 3, 2, 2
criteria; the last element gated, answered by a quarter of respondents).
Criterion j is satisfied when ``b_j + u_cluster + r_respondent + e > 0``
with ``u ~ N(0, s_c)``, ``r ~ N(0, 0.8)``, ``e ~ N(0, 1)``, so its true rate
is ``Phi(b_j / sqrt(1 + s_c^2 + 0.8^2))`` and the true SIPAS index, the mean
of element means of those rates, is known exactly (0.80 here). For every
scenario the script reports, over ``--reps`` surveys of the unit:

- coverage of the SIPAS index's t interval (as R: ``svycontrast`` +
  ``confint(df = degf)``) without and with a floor on its SE at the
  Bernoulli SE ``sqrt(est (1 - est) / n)`` (n_eff capped at n);
- coverage of the respondent-level index's t interval without and with its
  design effect floored at 1 (SE at least the SRS SE);
- coverage of the Korn–Graubard interval of one criterion's rate without and
  with the effective size capped at n (``design_confint(deff_floor=True)``);
- how often the unit, whose true index equals the target, falls outside the
  99.8 % funnel limits (a false "signal") when plotted at the uncapped
  Bernoulli n_eff ``est (1 - est) / se^2`` and at n_eff capped at n.

A nominal 95% interval should cover about 95% of the time (Monte Carlo
standard error about 0.2 points at 10000 replicates); a 99.8 % funnel should
flag about 0.2 % of units that are on target. Runs in a few minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import (
    design_confint,
    design_frame,
    domain_means,
    domain_proportions,
    funnel_limits,
    index_estimate,
    mean_confint,
    proportion_confint,
)

RATE_SCENARIOS = [
    # (clusters, answers per cluster, true rate p, intra-cluster correlation rho)
    (40, 15, p, rho)
    for p in (0.5, 0.8, 0.95)
    for rho in (0.0, 0.05, 0.2)
] + [(12, 8, p, rho) for p in (0.8, 0.95) for rho in (0.0, 0.05, 0.2)]

#: criteria per element; the last element is gated
ELEMENT_SIZES = (2, 3, 3, 2, 2)
GATE = 0.25
RESPONDENT_SD = 0.8
UNIT_SCENARIOS = [
    # (clusters, respondents per cluster, SD of the cluster effect)
    (k, m, s_c)
    for s_c in (0.0, 0.3, 0.6)
    for m in (4, 10)
    for k in (2, 3, 4, 5, 8, 12, 30)
]


def simulate_rates(rng, reps, clusters, size, p, rho):
    """Satisfied counts, shape (reps, clusters)."""
    if rho == 0:
        rates = np.full((reps, clusters), p)
    else:
        scale = (1 - rho) / rho
        rates = rng.beta(p * scale, (1 - p) * scale, size=(reps, clusters))
    return rng.binomial(size, rates)


def rate_coverage(reps, clusters, size, p, rho, rng):
    y = simulate_rates(rng, reps, clusters, size, p, rho)
    n_total = clusters * size
    wilson = proportion_confint(y.sum(axis=1), n_total)
    # All replicates in one vectorised call: replicate r is domain r and lives
    # alone in stratum r, so its variance and df (clusters - 1) are exactly
    # those of a separate one-stratum design.
    rep = np.repeat(np.arange(reps), clusters)
    cluster = np.tile(np.arange(clusters), reps)
    frame = design_frame(cluster, rep)
    n = np.full(rep.size, float(size))
    args = (rep, cluster, n, n, y.ravel().astype(float))
    rows = [("Wilson (SRS)", wilson.lower, wilson.upper)]
    for label, method in [("Korn-Graubard", "beta"), ("logit (t, df)", "logit")]:
        r = domain_proportions(*args, stratum=rep, frame=frame, method=method)
        rows.append((label, r.lower, r.upper))
    return [(label, np.mean((lo <= p) & (p <= hi)), np.mean(hi - lo)) for label, lo, hi in rows]


def criterion_offsets(s_c: float) -> np.ndarray:
    """b_j such that the true rates spread around 0.8 whatever the cluster effect."""
    spread = np.linspace(-0.35, 0.35, sum(ELEMENT_SIZES))
    return stats.norm.ppf(0.8 + 0.15 * spread) * np.sqrt(1 + s_c**2 + RESPONDENT_SD**2)


def truth(s_c: float) -> tuple[float, float, float]:
    """True SIPAS index, respondent-level index and rate of criterion 0."""
    rates = stats.norm.cdf(criterion_offsets(s_c) / np.sqrt(1 + s_c**2 + RESPONDENT_SD**2))
    bounds = np.cumsum((0, *ELEMENT_SIZES))
    means = np.array([rates[a:b].mean() for a, b in itertools.pairwise(bounds)])
    # A respondent's share is the mean of the elements they answered: all five
    # with probability GATE, the first four otherwise (the gate is independent).
    respondent = GATE * means.mean() + (1 - GATE) * means[:-1].mean()
    return float(means.mean()), float(respondent), float(rates[0])


def simulate_unit(rng, reps, k, m, s_c):
    """Satisfied and valid answers, shape (reps, k, m, J)."""
    b = criterion_offsets(s_c)
    u = rng.normal(0, s_c, (reps, k, 1, 1)) if s_c else 0.0
    r = rng.normal(0, RESPONDENT_SD, (reps, k, m, 1))
    satisfied = (b + u + r + rng.normal(size=(reps, k, m, len(b)))) > 0
    valid = np.ones_like(satisfied)
    gated = rng.random((reps, k, m)) >= GATE
    valid[..., -ELEMENT_SIZES[-1] :] &= ~gated[..., None]
    return satisfied & valid, valid


def unit_coverage(reps, k, m, s_c, rng):
    sipas_true, respondent_true, rate_true = truth(s_c)
    sat, val = simulate_unit(rng, reps, k, m, s_c)
    n = k * m
    rep = np.repeat(np.arange(reps), k)
    cluster = np.arange(reps * k)
    frame = design_frame(cluster, rep)
    element = np.repeat(np.arange(len(ELEMENT_SIZES)), ELEMENT_SIZES)

    # SIPAS index: per-cluster sums, one replicate per domain and stratum.
    y = sat.sum(axis=2).reshape(reps * k, -1).astype(float)
    v = val.sum(axis=2).reshape(reps * k, -1).astype(float)
    est = index_estimate(rep, cluster, np.full(reps * k, m), y, v, element, stratum=rep, frame=frame, rate_se=False)
    idx, se, df = est.estimate[:, -1], est.se[:, -1], est.interval_df
    out = {"sipas": _covers(mean_confint(idx, se, df, n=n), sipas_true)}
    floor = np.sqrt(idx * (1 - idx) / n)
    out["sipas floored"] = _covers(mean_confint(idx, np.maximum(se, floor), df, n=n), sipas_true)

    # Respondent-level index: each respondent's mean of element shares.
    bounds = np.cumsum((0, *ELEMENT_SIZES))
    per_element = [(sat[..., a:b].sum(-1), val[..., a:b].sum(-1)) for a, b in itertools.pairwise(bounds)]
    answered = np.stack([vv > 0 for _, vv in per_element], axis=-1)
    shares = np.stack([np.where(vv > 0, ss / np.maximum(vv, 1), 0.0) for ss, vv in per_element], axis=-1)
    share = shares.sum(-1) / answered.sum(-1)
    s1 = share.sum(axis=2).ravel()
    s2 = (share**2).sum(axis=2).ravel()
    nn = np.full(reps * k, float(m))
    resp = domain_means(rep, cluster, nn, nn, s1, stratum=rep, sum_wy2=s2, frame=frame, bounded=True)
    out["respondent"] = _covers((resp.lower, resp.upper), respondent_true)
    with np.errstate(divide="ignore", invalid="ignore"):
        srs_se = resp.se / np.sqrt(resp.deff)  # NaN where no respondent's share varies
    floored = np.where(np.isfinite(srs_se), np.maximum(resp.se, srs_se), resp.se)
    out["respondent floored"] = _covers(
        mean_confint(resp.estimate, floored, resp.interval_df, n=resp.n), respondent_true
    )

    # One criterion's rate: Korn-Graubard, as R and with n_eff capped at n.
    y0, v0 = y[:, 0], v[:, 0]
    rate = domain_proportions(rep, cluster, v0, v0, y0, stratum=rep, frame=frame)
    out["KG"] = _covers((rate.lower, rate.upper), rate_true)
    capped = design_confint(rate.estimate, rate.se, rate.n, rate.df, deff_floor=True)
    out["KG floored"] = _covers(capped, rate_true)

    # A unit on target, at the funnel: outside the 99.8 % limits?
    with np.errstate(divide="ignore", invalid="ignore"):
        bern = np.where(se > 0, idx * (1 - idx) / se**2, n)
    for label, size in (("funnel", bern), ("funnel floored", np.minimum(bern, n))):
        lim = funnel_limits(sipas_true, np.rint(np.minimum(size, 1e7)))
        out[label] = float(np.mean((idx < lim.lower_998) | (idx > lim.upper_998)))
    return out


def _covers(bounds, value) -> float:
    lower, upper = bounds
    return float(np.mean((lower <= value) & (value <= upper)))


def machine() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor()
    )  # fmt: skip
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, NumPy {np.__version__}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=20240517)
    parser.add_argument("--part", choices=("rates", "units", "both"), default="both")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()

    print(f"Command: .venv/bin/python bench/coverage_sim.py --reps {args.reps} --seed {args.seed} --part {args.part}")
    print(f"Date: {dt.date.today().isoformat()}; machine: {machine()}\n")
    if args.part in ("rates", "both"):
        print("| clusters × size | p | ICC | Wilson (SRS) | Korn–Graubard | logit (t) | mean width W / KG |")
        print("|---|---|---|---|---|---|---|")
        for clusters, size, p, rho in RATE_SCENARIOS:
            res = rate_coverage(args.reps, clusters, size, p, rho, rng)
            cov = " | ".join(f"{100 * c:.1f}%" for _, c, _ in res)
            print(f"| {clusters} × {size} | {p} | {rho} | {cov} | {res[0][2]:.3f} / {res[1][2]:.3f} |")
        print()
    if args.part in ("units", "both"):
        print(
            "| clusters × size | cluster SD | SIPAS t | SIPAS t, floor | respondent t | respondent t, floor "
            "| KG rate | KG rate, floor | funnel 99.8 % false signals | same, n_eff ≤ n |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for k, m, s_c in UNIT_SCENARIOS:
            r = unit_coverage(args.reps, k, m, s_c, rng)
            cells = [f"{100 * r[key]:.1f}%" for key in
                     ("sipas", "sipas floored", "respondent", "respondent floored", "KG", "KG floored")]  # fmt: skip
            cells += [f"{100 * r['funnel']:.2f}%", f"{100 * r['funnel floored']:.2f}%"]
            print(f"| {k} × {m} | {s_c} | " + " | ".join(cells) + " |")
    print(f"\n{args.reps} replicates per row, nominal 95% (funnel: 0.2%); {time.perf_counter() - started:.1f} s.")


if __name__ == "__main__":
    main()
