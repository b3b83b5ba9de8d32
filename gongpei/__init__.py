"""gongpei (共配): planning rural parcel co-delivery.

The application layer: scenario files, the sort → rounds pipeline, reports and the CLI.
It joins the two engines, :mod:`sorter` (the shared sorting line) and :mod:`routing`
(co-delivery rounds), which never import each other.
"""

__version__ = "0.1.0"
