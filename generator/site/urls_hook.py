"""MkDocs hook: the theme's templates (``generator/theme/``) reach :mod:`generator.site.urls`
as the ``urls`` global, as the generated pages' templates do (``pages.make_env``), so no
template writes a URL shape of its own. Unlike the other hooks, the theme needs this one.
"""

from __future__ import annotations

from typing import Any

from generator.site import urls


def on_env(env: Any, **_: Any) -> Any:
    env.globals["urls"] = urls
    return env
