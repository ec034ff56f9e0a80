"""The readiness checker: a OneRoster client that behaves like SDS, Grade Sync and Google Classroom.

It talks to a provider only over HTTP, so it can check any OneRoster 1.1 provider, not only openroster.
"""

from openroster.check.auth import Credentials
from openroster.check.registry import CHECKS, Check
from openroster.check.runner import CONSUMER_PROFILES, CheckOptions, Report, run_checks

__all__ = ["CHECKS", "CONSUMER_PROFILES", "Check", "CheckOptions", "Credentials", "Report", "run_checks"]
