"""Local stand-ins for outside services (SMS providers, WeChat), used by tests and benchmarks.

Each checks what the provider's documentation requires (signature, fields) and answers with the
provider's documented codes, so a client that passes here speaks the real protocol.
"""
