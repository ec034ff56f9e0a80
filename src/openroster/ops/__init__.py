"""Operating the server: liveness and readiness (/health, /ready) and metrics (/metrics)."""
