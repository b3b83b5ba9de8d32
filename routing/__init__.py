"""Co-delivery rounds: road network, round problem, solvers and an independent checker.

The modules, in the order the data flows through them:

* :mod:`~routing.network`, :mod:`~routing.generic_roads` — road graph → integer travel
  matrices (metres, seconds);
* :mod:`~routing.problem` — the frozen, validated :class:`Problem` (user ids throughout);
* :mod:`~routing.settings` — :class:`SolveSettings`, the one object for how to solve;
* :mod:`~routing.solve` — one entry point and the ``auto`` portfolio over the adapters
  :mod:`~routing.ortools_backend` (with its first solution, :mod:`~routing.construct`)
  and :mod:`~routing.pyvrp_backend`, the only modules where solver indices live;
  :mod:`~routing.callbacks` — the progress and stop hooks they share;
* :mod:`~routing.evaluate` — the one round evaluator (times, loads, cost of a sequence),
  used by the OR-Tools adapter, :mod:`~routing.diagnose` (why a village is unserved),
  :mod:`~routing.readers` (benchmark files and external tours) and re-planning;
* :mod:`~routing.plan` — what comes out (:class:`Plan`, :class:`Route`, :class:`Stop`);
  :mod:`~routing.plan_io` — plans as JSON;
* :mod:`~routing.check` — the independent checker, which on purpose shares no code with
  the evaluator;
* :mod:`~routing.disruption` — breakdowns and road closures during the day, and
  re-planning the rest (a package: events, fleet state, residual problem, replanning,
  the complete day);
* :mod:`~routing.plotting` — rounds and road networks on matplotlib axes;
  :mod:`~routing.clock` — clock times as text.
"""

from routing.diagnose import diagnose
from routing.evaluate import RouteEvaluator
from routing.ortools_backend import solve_ortools
from routing.plan import Plan, Route, Stop, Unserved
from routing.plotting import plot_rounds
from routing.problem import Depot, Problem, ProblemError, VehicleType, Village
from routing.round_times import RouteTimes
from routing.settings import SettingsError, SolveSettings
from routing.solve import BACKENDS, solve

__all__ = [
    "BACKENDS",
    "Depot",
    "Plan",
    "Problem",
    "ProblemError",
    "Route",
    "RouteEvaluator",
    "RouteTimes",
    "SettingsError",
    "SolveSettings",
    "Stop",
    "Unserved",
    "VehicleType",
    "Village",
    "diagnose",
    "plot_rounds",
    "solve",
    "solve_ortools",
]
