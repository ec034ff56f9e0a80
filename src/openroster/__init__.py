"""openroster: a OneRoster 1.1 REST provider."""

__version__ = "0.1.0"
API_ROOT = "/ims/oneroster/v1p1"
