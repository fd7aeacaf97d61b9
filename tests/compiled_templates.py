"""Compiled Jinja templates shared by every app a test process builds (see ``CompiledTemplates``)."""

from __future__ import annotations

from jinja2.bccache import Bucket, BytecodeCache


class CompiledTemplates(BytecodeCache):
    """Compiled Jinja templates shared by every app of this test process.

    Each test builds its own app, and each app its own Jinja environment, which compiled every
    template it rendered again (about half the time of a test's first page). The bytecode is
    kept per template file and source checksum, so an edited template is compiled afresh.
    """

    def __init__(self) -> None:
        self.compiled: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        found = self.compiled.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = (bucket.checksum, bucket.code)


compiled_templates = CompiledTemplates()
