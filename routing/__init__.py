"""Co-delivery rounds: road network, round problem, solvers and an independent checker."""

from routing.diagnose import diagnose
from routing.ortools_backend import solve_ortools
from routing.plan import Plan, Route, Stop, Unserved
from routing.plotting import plot_rounds
from routing.problem import Depot, Problem, ProblemError, VehicleType, Village
from routing.settings import SettingsError, SolveSettings
from routing.solve import BACKENDS, solve

__all__ = [
    "BACKENDS",
    "Depot",
    "Plan",
    "Problem",
    "ProblemError",
    "Route",
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
