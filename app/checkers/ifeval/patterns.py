"""Patterns that IFEval's kwargs supply (keywords, section splitters, postscript markers).

The reference implementation uses those strings as regular expressions, and its data relies
on that only in the plain-word sense. A kwarg that is not a valid pattern (say `C++`) crashes
the reference; here it is matched literally instead. Compiled patterns are cached: a batch of
GRPO completions shares its prompt's kwargs.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1024)
def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`pattern` compiled with `flags`; a pattern that does not compile matches literally."""
    try:
        return re.compile(pattern, flags)
    except re.error:
        return re.compile(re.escape(pattern), flags)
