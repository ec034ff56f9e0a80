"""The web console under /console: the district, imports, API clients, browsing and readiness for the
people who run a district's rostering, over the same library calls the command line makes."""
