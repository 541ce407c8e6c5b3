"""Statistics for the satisfaction survey, as pure functions.

Nothing here touches the database, the request or Flask: functions take
counts or per-cluster sums (produced by SQL GROUP BY) and return frozen
dataclasses with documented fields. Modules:

- :mod:`analysis.proportions`: SRS intervals (Wilson by default).
- :mod:`analysis.frame`: the PSUs (clusters within strata) of a design.
- :mod:`analysis.clusters`: respondent-level answers into per-cluster sums
  and per-stratum moments, for callers that hold the answers.
- :mod:`analysis.intervals`: the Korn–Graubard and t intervals every
  design-based estimate uses, and their conventions.
- :mod:`analysis.design`: design-based means and proportions from
  per-cluster sufficient statistics, matching R's ``survey`` package.
- :mod:`analysis.ratios`: the SIPAS index (mean of element means of
  criterion rates) and element indices, from per-cluster sums.
- :mod:`analysis.indicators`: criterion rates, element and overall indices,
  harassment and informal-payment rates.
- :mod:`analysis.compare`: units against the overall rate, multiplicity,
  and which units are not assessed.
- :mod:`analysis.change`: change between two periods (rates and indices).
- :mod:`analysis.ranks`: ranks with the range their intervals allow.
- :mod:`analysis.funnel`: funnel-plot limits and each unit's signal.
- :mod:`analysis.moments`: the same design-based estimates from per-stratum
  moments, for databases too large for one row per cluster.
- :mod:`analysis.disclosure`: reliability flags and suppression.
"""

from .change import DifferenceInterval, difference_confint, means_difference_confint
from .clusters import Clusters, ClusterSums, cluster_sums, clusters_group
from .compare import (
    ADJUST_METHODS,
    MIN_CLUSTERS,
    NotAssessed,
    UnitComparison,
    Verdict,
    pvalues_adjust,
    units_compare,
)
from .design import (
    DESIGN_METHODS,
    DF_RULES,
    LONELY_PSU_RULES,
    DesignEstimate,
    DomainEstimates,
    design_confint,
    design_mean,
    design_proportion,
    domain_means,
    domain_proportions,
    n_eff_floor,
)
from .disclosure import Reliability, reliability_flags, values_suppress
from .frame import DesignFrame, design_frame
from .funnel import FunnelLimits, FunnelSignal, FunnelSignals, funnel_limits, funnel_signals
from .index_moments import gram_pack, gram_unpack, index_moments_estimate
from .indicators import (
    SCALE_LEVELS,
    CriterionRates,
    IncidenceRates,
    IndexInterval,
    RespondentShares,
    criterion_rates,
    incidence_rates,
    index_confint,
    respondent_shares,
)
from .intervals import mean_confint
from .moments import MomentEstimates, moments_estimate
from .proportions import SRS_METHODS, ProportionInterval, proportion_confint
from .ranks import RankIntervals, ranks_interval
from .ratios import IndexEstimates, index_estimate

__all__ = [
    "ADJUST_METHODS",
    "DESIGN_METHODS",
    "DF_RULES",
    "LONELY_PSU_RULES",
    "MIN_CLUSTERS",
    "SCALE_LEVELS",
    "SRS_METHODS",
    "ClusterSums",
    "Clusters",
    "CriterionRates",
    "DesignEstimate",
    "DesignFrame",
    "DifferenceInterval",
    "DomainEstimates",
    "FunnelLimits",
    "FunnelSignal",
    "FunnelSignals",
    "IncidenceRates",
    "IndexEstimates",
    "IndexInterval",
    "MomentEstimates",
    "NotAssessed",
    "ProportionInterval",
    "RankIntervals",
    "Reliability",
    "RespondentShares",
    "UnitComparison",
    "Verdict",
    "cluster_sums",
    "clusters_group",
    "criterion_rates",
    "design_confint",
    "design_frame",
    "design_mean",
    "design_proportion",
    "difference_confint",
    "domain_means",
    "domain_proportions",
    "funnel_limits",
    "funnel_signals",
    "gram_pack",
    "gram_unpack",
    "incidence_rates",
    "index_confint",
    "index_estimate",
    "index_moments_estimate",
    "mean_confint",
    "means_difference_confint",
    "moments_estimate",
    "n_eff_floor",
    "proportion_confint",
    "pvalues_adjust",
    "ranks_interval",
    "reliability_flags",
    "respondent_shares",
    "units_compare",
    "values_suppress",
]
