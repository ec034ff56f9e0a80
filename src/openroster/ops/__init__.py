"""Running openroster: its settings and logs, liveness and readiness (/health, /ready), metrics (/metrics),
per-client limits and shedding."""
