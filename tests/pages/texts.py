"""The text a user reads on a page run by AppTest: every label, caption, message, tile, table header,
and chart title/axis/legend/hover, collected for the language checks (tests/pages/test_locale.py)."""

from __future__ import annotations

import json
import re

from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

# Metric acronyms and names the product keeps in every language (issue 13's allow-list), units and formats.
ALLOWED = {"CRR", "LTV", "NPS", "AOV", "ARPU", "NRR", "MRR", "RFM", "CSV", "XLSX", "CLV", "BG", "NBD", "CAC", "ROI",
           "ISO", "UTC", "W", "v", "PostHog", "TXT", "GZ", "PARQUET", "TSV", "URL", "S", "E", "N", "P", "D", "Q", "R", "F", "M", "k", "p", "pp", "r", "s", "alive",
           "Excel", "Parquet", "UTF", "windows", "utf", "BOM", "Gamma", "ID", "id", "XLS", "gz", "JSON", "PNG", "SVG", "HTML",
           "PDF", "Windows", "cp", "Plotly", "plotly", "Retention", "Dashboard", "YYYY", "MM", "DD", "dd", "mm",
           "yyyy", "x", "e", "g", "T", "KPI", "SaaS", "CRM", "Stripe", "Shopify", "C", "B", "A", "i", "j", "n",
           "t", "h", "d", "w", "y", "mo", "q", "LTV₁₂", "sBG", "BTYD", "Pareto", "Treemap", "MS", "sans", "serif",
           # engines and the authors and name of a published model (proper names): #15, #10
           "DuckDB", "Spark", "SQL", "Fader", "Hardie", "shifted", "beta", "geometric", "MAPE"}
KEYS = ("label", "body", "help", "placeholder", "caption", "text", "title", "value", "options", "formattedOptions",
        "delta", "ariaLabel")
SKIP_TYPES = {"dataframe", "arrow_data_frame", "code", "json", "file_uploader_value", "plotly_chart", "text_input",
              "html"}  # st.html carries only the page CSS


def _strings(obj, out: list[str]) -> None:
    if isinstance(obj, str):
        out.append(obj)
    elif isinstance(obj, list):
        for x in obj:
            _strings(x, out)
    elif isinstance(obj, dict):
        for x in obj.values():
            _strings(x, out)


def _figure_texts(spec: dict) -> list[str]:
    out: list[str] = []
    layout = spec.get("layout", {})
    title = layout.get("title") or {}
    _strings([title.get("text"), (title.get("subtitle") or {}).get("text")], out)
    for name, part in layout.items():
        if isinstance(part, dict) and (name.startswith(("xaxis", "yaxis")) and "ticktext" in part):
            _strings(part["ticktext"], out)
        if isinstance(part, dict) and (name.startswith(("xaxis", "yaxis")) or name in ("legend", "coloraxis")):
            title = part.get("title")
            _strings(title.get("text") if isinstance(title, dict) else title, out)
    for a in layout.get("annotations", []) or []:
        _strings(a.get("text"), out)
    for trace in spec.get("data", []):
        for key in ("name", "hovertemplate", "texttemplate"):
            _strings(trace.get(key), out)
        cb = (trace.get("marker") or {}).get("colorbar") or trace.get("colorbar") or {}
        _strings((cb.get("title") or {}).get("text") if isinstance(cb.get("title"), dict) else cb.get("title"), out)
    return out


def page_texts(at: AppTest) -> list[str]:
    """Every UI text of the last run (data values in table cells and chart points are the user's, left out)."""
    out: list[str] = []

    def walk(node) -> None:
        children = getattr(node, "children", None)
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if proto is not None and kind not in SKIP_TYPES:
            try:
                d = MessageToDict(proto)
            except Exception:  # noqa: BLE001 - a block without a message
                d = {}
            for key in KEYS:
                if key in d and not (kind in ("selectbox", "multiselect") and key in ("options", "value")):
                    _strings(d[key], out)
        if kind == "plotly_chart":
            out.extend(_figure_texts(json.loads(proto.spec)))
        if kind in ("dataframe", "arrow_data_frame"):
            out.extend(str(c) for c in node.value.columns)
        if children:
            for child in children.values():
                walk(child)

    walk(at._tree)
    return out


WORD = re.compile(r"[A-Za-z][A-Za-z']+|[A-Za-z]")


def english_words(texts: list[str], data_words: set[str]) -> dict[str, str]:
    """{English word: a text it was found in}, leaving out the allow-list and words from the user's data."""
    found: dict[str, str] = {}
    for text in texts:
        clean = re.sub(r"%\{[^}]*\}|<[^>]+>|https?://\S+|:material/[a-z_]+:|\{[^}]*\}", " ", text)
        for word in WORD.findall(clean):
            if word in ALLOWED or word.lower() in data_words or word.upper() in ALLOWED:
                continue
            found.setdefault(word, text[:160])
    return found
