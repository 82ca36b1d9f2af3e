"""The SMS channel's lower layer: segment counting, phone numbers and the gateways that send
and receive SMS (Kannel, a generic JSON-over-HTTP provider, the console, an in-memory fake)."""
