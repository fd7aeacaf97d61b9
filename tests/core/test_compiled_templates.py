"""The test suite's shared template bytecode: a second app compiles nothing the first did."""

from __future__ import annotations


def test_a_second_app_reuses_the_templates_the_first_compiled(make_app, monkeypatch):
    make_app().test_client().get("/")
    second = make_app()
    compiled: list[str] = []
    real = second.jinja_env.compile

    def counting(source, name=None, filename=None, *args, **kwargs):
        compiled.append(name)
        return real(source, name, filename, *args, **kwargs)

    monkeypatch.setattr(second.jinja_env, "compile", counting)
    assert second.test_client().get("/").status_code == 200
    assert compiled == []
