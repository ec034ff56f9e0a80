"""Running in production: limits per client, shedding under overload, failed-credential limits."""
