"""Charts drawn on the server as SVG: no script, no network, readable on a phone."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

COLOURS = {"allow": "#1b7f3a", "deny": "#b3261e", "manual": "#d08a00"}


def stacked_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[int]]],
    width: int = 720,
    height: int = 220,
) -> Markup:
    """Stacked columns: `series` is (key, legend text, values per label)."""
    left, bottom, top = 40, 24, 24
    plot_h = height - bottom - top
    count = max(len(labels), 1)
    totals = [sum(s[2][i] for s in series) for i in range(len(labels))]
    peak = max([*totals, 1])
    step = (width - left - 8) / count
    bar = max(step * 0.7, 2)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 4}" y2="{top + plot_h}" stroke="#888"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" font-size="11">{peak}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for index, label in enumerate(labels):
        x = left + index * step + (step - bar) / 2
        y = top + plot_h
        for key, _, values in series:
            value = values[index]
            if value:
                h = plot_h * value / peak
                y -= h
                fill = COLOURS.get(key, "#555")
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{fill}">'
                    f"<title>{escape(label)}: {value}</title></rect>"
                )
        if count <= 12 or index % 2 == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - 8}" text-anchor="middle" font-size="11">'
                f"{escape(label)}</text>"
            )
    legend_x = left
    for key, text, _ in series:
        parts.append(f'<rect x="{legend_x}" y="4" width="10" height="10" fill="{COLOURS.get(key, "#555")}"/>')
        parts.append(f'<text x="{legend_x + 14}" y="13" font-size="12">{escape(text)}</text>')
        legend_x += 20 + 8 * len(text)
    parts.append("</svg>")
    return Markup("".join(parts))
