"""Authentication and authorisation of API clients: OAuth 1.0a signatures, OAuth 2.0 tokens, scopes."""
