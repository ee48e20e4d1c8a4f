"""Small rendering helpers of the dashboard: escaped HTML chips, notes, CSV downloads
and Plotly charts (clickable when given a callback)."""
from __future__ import annotations


import streamlit as st

from analysis import reports
from dashboard.escape import esc

ss = st.session_state
PLOT_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "autoScale2d"],
               "toImageButtonOptions": {"format": "png", "scale": 2}}


def outlet_name(outlet) -> str:
    """An outlet as the page shows it (``""``: the charts' name for an unknown outlet)."""
    from dashboard.outlet_charts import UNKNOWN

    return str(outlet) if outlet else UNKNOWN


def note(text: str) -> None:
    """A short fixed note (never user text: st.info renders Markdown)."""
    st.info(text, icon=":material/info:")


def html_line(parts: list[str], cls: str = "na-chips") -> None:
    """A line of pre-escaped HTML chips."""
    st.html(f'<div class="{cls}" style="display:flex;flex-wrap:wrap;gap:6px;'
            f'align-items:center;font-size:0.9rem">' + "".join(parts) + "</div>")


def chip(text: str, strong: str | None = None) -> str:
    head = f"<b>{esc(strong)}</b> " if strong else ""
    return ('<span style="border:1px solid rgba(128,128,128,0.45);border-radius:12px;'
            f'padding:1px 10px">{head}{esc(text)}</span>')


def register_download(key: str, file_name: str, make) -> None:
    """Keep (file name, bytes maker) of each download of this run, for tests."""
    ss.setdefault("_downloads", {})[key] = (file_name, make)


def csv_download(label: str, what: str, frame_fn, key: str) -> None:
    """A download button serving ``to_csv_bytes(frame_fn())``, generated on click
    (deferred) and without rerunning the page."""
    bytes_download(label, what, lambda: reports.to_csv_bytes(frame_fn()), key)


def bytes_download(label: str, what: str, make, key: str) -> None:
    """A CSV download button serving ``make()`` (the file's bytes), generated on click."""
    name = reports.export_name(what)
    register_download(key, name, make)
    st.download_button(label, data=make, file_name=name, mime="text/csv", key=key,
                       on_click="ignore", icon=":material/download:")


def plot(fig, key: str | None = None, on_select=None, mode=("points", "box")):
    """Draw a figure; with ``on_select`` its bar/scatter points are clickable."""
    if on_select is None:
        st.plotly_chart(fig, config=PLOT_CONFIG, key=key)
    else:
        st.plotly_chart(fig, config=PLOT_CONFIG, key=key, on_select=on_select,
                        selection_mode=mode)
