"""User text is text (SPEC §10): file names, headers, dataset names, segment values and ids are shown
as plain text everywhere, never as Markdown, HTML or an image link a viewer's browser would fetch.

Streamlit renders Markdown in ``st.markdown``/``caption``/``error``/``warning``/``info``/``success``, in
titles and in widget labels; :func:`plain` escapes user text before it goes into any of them.
"""

from __future__ import annotations

import re

# CommonMark's escapable ASCII punctuation, plus ":" (Streamlit's :icon: / :color[...] directives, and the
# "http:" of a bare link that GitHub-flavoured Markdown would turn into one)
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&\"'=/^@%?;,])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def plain(text: object) -> str:
    r"""``text`` escaped so that Markdown shows it exactly as written, on one line.

    Examples
    --------
    >>> plain("x![f](http://h/p.png)")
    'x\\!\\[f\\]\\(http\\:\\/\\/h\\/p\\.png\\)'
    >>> plain("**bold**\nnext")
    '\\*\\*bold\\*\\* next'
    """
    return _SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(text)))
