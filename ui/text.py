"""User text is text (SPEC §10): file names, headers, dataset names, segment values and ids are shown
as plain text everywhere, never as Markdown, HTML or an image link a viewer's browser would fetch.

Streamlit renders Markdown in ``st.markdown``/``caption``/``error``/``warning``/``info``/``success``, in
titles and in widget labels; :func:`plain` escapes user text before it goes into any of them.
"""

from __future__ import annotations

import re

# Markdown's active characters, backslash-escaped (CommonMark: any ASCII punctuation may be): links and
# images ! [ ] ( ) < >, emphasis * ~ `, tables |, math $, entities &, Streamlit's {…} and :directives:; an
# underscore only where it could open or close emphasis (not inside customer_id); + - # only at the start;
# a colon before a non-space (http:// and :red[…]) and "www." and "@" (GitHub-flavoured autolinks)
_ALWAYS = r"[\\`*{}\[\]()<>!|~$&@]"
_SPECIAL = re.compile(rf"({_ALWAYS}|(?<!\w)_|_(?!\w)|^[-+#]|:(?=\S)|(?i:(?<=\bwww)\.))")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def plain(text: object) -> str:
    r"""``text`` escaped so that Markdown shows it exactly as written, on one line.

    Examples
    --------
    >>> plain("x![f](http://h/p.png)")
    'x\\!\\[f\\]\\(http\\://h/p.png\\)'
    >>> plain("_**bold**_ customer_id\nnext: www.x.org")
    '\\_\\*\\*bold\\*\\*\\_ customer_id next: www\\.x.org'
    """
    return _SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(text)))
