"""Charts as server-side SVG: no script (the CSP allows none inline), no colour needed to read them.

Every series carries its own marker shape and dash pattern and every point its number, so the
charts read the same in greyscale, printed, or to a screen reader (each has a title and a
description listing the figures).
"""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 90, 28, 40
INK, TARGET_INK, BAR_INK = "#1a3d6d", "#7a2e00", "#1a3d6d"


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def trend(chart_id: str, title: str, months: list[str], values: list[float | None],
          targets: list[float | None], value_label: str, target_label: str) -> Markup:
    """A monthly line (solid, round markers, each labelled) against its target line (dashed, squares)."""
    known = [v for v in values + targets if v is not None]
    top = max(known + [1.0]) * 1.2
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(months) - 1, 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(months) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h - (v / top) * plot_h

    desc = "; ".join(f"{m}: {value_label} {_num(v)}, {target_label} {_num(t)}"
                     for m, v, t in zip(months, values, targets, strict=True))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d">',
             f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
             f'<desc id="{escape(chart_id)}-d">{escape(desc)}</desc>',
             f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="#555"/>',
             f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#555"/>',
             f'<text x="0" y="16" font-size="13">{escape(title)}</text>']
    for i, month in enumerate(months):
        parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 20}" font-size="11" text-anchor="middle">'
                     f'{int(month[5:])}月</text>')
        if i == 0 or month.endswith("-01"):
            parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 6}" font-size="11" text-anchor="middle">'
                         f'{escape(month[:4])}</text>')
    # The legend: a sample of each line with its marker and name.
    legend_x, legend_y = WIDTH - 190, 12
    parts.append(f'<line x1="{legend_x}" y1="{legend_y}" x2="{legend_x + 22}" y2="{legend_y}" stroke="{INK}" '
                 f'stroke-width="2.5"/><circle cx="{legend_x + 11}" cy="{legend_y}" r="4" fill="{INK}"/>'
                 f'<text x="{legend_x + 28}" y="{legend_y + 4}" font-size="12">{escape(value_label)}</text>')
    legend_x += 90
    parts.append(f'<line x1="{legend_x}" y1="{legend_y}" x2="{legend_x + 22}" y2="{legend_y}" stroke="{TARGET_INK}" '
                 f'stroke-width="2" stroke-dasharray="6 4"/><rect x="{legend_x + 8}" y="{legend_y - 3}" width="6" '
                 f'height="6" fill="white" stroke="{TARGET_INK}"/>'
                 f'<text x="{legend_x + 28}" y="{legend_y + 4}" font-size="12">{escape(target_label)}</text>')
    # The target: dashed, square markers.
    target_points = [(x(i), y(t)) for i, t in enumerate(targets) if t is not None]
    if target_points:
        parts.append('<polyline fill="none" stroke="{}" stroke-width="2" stroke-dasharray="6 4" points="{}"/>'.format(
            TARGET_INK, " ".join(f"{px:.1f},{py:.1f}" for px, py in target_points)))
        for px, py in target_points:
            parts.append(f'<rect x="{px - 3:.1f}" y="{py - 3:.1f}" width="6" height="6" fill="white" '
                         f'stroke="{TARGET_INK}"/>')
        last_x, last_y = target_points[-1]
        parts.append(f'<text x="{last_x + 8:.1f}" y="{last_y - 6:.1f}" font-size="12">{_num(targets[-1])}</text>')
    # The figures: solid, round markers, each labelled on the side away from the target line.
    points = [(x(i), y(v), v, targets[i]) for i, v in enumerate(values) if v is not None]
    if points:
        parts.append('<polyline fill="none" stroke="{}" stroke-width="2.5" points="{}"/>'.format(
            INK, " ".join(f"{px:.1f},{py:.1f}" for px, py, _v, _t in points)))
        for px, py, v, t in points:
            below = t is not None and v < t and py + 16 < TOP + plot_h - 2
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{INK}"/>')
            parts.append(f'<text x="{px:.1f}" y="{py + 16 if below else py - 8:.1f}" font-size="12" '
                         f'text-anchor="middle" font-weight="bold">{_num(v)}</text>')
    else:
        parts.append(f'<text x="{LEFT + 8}" y="{TOP + plot_h / 2:.1f}" font-size="12">'
                     f'{escape(value_label)}: 人口が未登録のため算出できません</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(chart_id: str, title: str, items: list[tuple[str, int]]) -> Markup:
    """Horizontal bars, hatched, each with its label and count written out."""
    row_h = 22
    height = TOP + row_h * max(len(items), 1) + 12
    top = max([n for _label, n in items] + [1])
    label_w, plot_w = 170, WIDTH - 170 - 60
    desc = "; ".join(f"{label}: {n}" for label, n in items) or "0"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
             f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d">',
             f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
             f'<desc id="{escape(chart_id)}-d">{escape(desc)}</desc>',
             f'<defs><pattern id="{escape(chart_id)}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
             f'patternTransform="rotate(45)"><rect width="6" height="6" fill="white"/>'
             f'<line x1="0" y1="0" x2="0" y2="6" stroke="{BAR_INK}" stroke-width="3"/></pattern></defs>',
             f'<text x="0" y="16" font-size="13">{escape(title)}</text>']
    for i, (label, n) in enumerate(items):
        y = TOP + i * row_h
        width = plot_w * n / top
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" font-size="12" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row_h - 8}" '
                     f'fill="url(#{escape(chart_id)}-hatch)" stroke="{BAR_INK}"/>')
        parts.append(f'<text x="{label_w + width + 6:.1f}" y="{y + 14}" font-size="12">{n}</text>')
    if not items:
        parts.append(f'<text x="{label_w}" y="{TOP + 14}" font-size="12">0</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
