#!/usr/bin/env python3
"""Tabulates the experiment of run.sh: OUT/eval/*.json (`lowlight eval --json`) and the runs'
metrics.jsonl into RESULTS/README.md (mean and spread over seeds), RESULTS/ap_vs_iteration.svg and
RESULTS/grid/*.png. Standard library only. Usage: table.py OUT RESULTS"""
import json
import pathlib
import shutil
import statistics
import sys

OUT = pathlib.Path(sys.argv[1])
RESULTS = pathlib.Path(sys.argv[2])
KEYS = ["AP", "AP50", "AP75", "APs", "APm", "APl"]
VARIANTS = [("none", "fine-tuned, no denoiser"), ("non-local", "fine-tuned, non-local blocks"),
            ("weighted-non-local", "fine-tuned, weighted non-local blocks")]
COLORS = {"none": "#1f77b4", "non-local": "#ff7f0e", "weighted-non-local": "#2ca02c"}


def load(name):
    return json.loads((OUT / "eval" / (name + ".json")).read_text())


def seeds():
    return sorted(int(p.stem.rsplit("seed", 1)[1]) for p in (OUT / "eval").glob("none-seed*.json"))


def cell(values):
    """Percent, as COCO papers report: mean ± sample standard deviation over seeds."""
    if all(v < 0 for v in values):
        return "n/a"  # COCO's -1: no object of that size in the validation split
    if len(values) == 1:
        return "%.1f" % (100 * values[0])
    return "%.1f ± %.1f" % (100 * statistics.mean(values), 100 * statistics.stdev(values))


def rows():
    out = [("pretrained on clean scenes, evaluated on clean", [load("pretrained-clean")]),
           ("pretrained, no fine-tuning (low light)", [load("pretrained")])]
    for variant, label in VARIANTS:
        out.append((label, [load("%s-seed%d" % (variant, s)) for s in seeds()]))
    return out


def table(kind):
    lines = ["| %s | %s |" % (kind, " | ".join(KEYS)), "|---|" + "---|" * len(KEYS)]
    for label, results in rows():
        lines.append("| %s | %s |" % (label, " | ".join(cell([r[kind][k] for r in results]) for k in KEYS)))
    return "\n".join(lines)


def curves():
    """Validation segm AP over iterations, mean over seeds, one line per variant."""
    data = {}
    for variant, _ in VARIANTS:
        per_iter = {}
        for s in seeds():
            f = OUT / "runs" / ("%s-seed%d" % (variant, s)) / "metrics.jsonl"
            for line in f.read_text().splitlines():
                m = json.loads(line)
                if m.get("type") == "validation":
                    per_iter.setdefault(m["iteration"], []).append(m["segm"]["AP"])
        # iteration 0 is the pretrained model on the same low-light images
        per_iter.setdefault(0, [load("pretrained")["segm"]["AP"]])
        data[variant] = sorted((i, statistics.mean(v)) for i, v in per_iter.items())
    return data


def svg(data, path):
    width, height, pad = 640, 360, 50
    xs = [i for pts in data.values() for i, _ in pts] or [1]
    ys = [a for pts in data.values() for _, a in pts] or [0]
    xmax, ymax = max(xs), max(max(ys) * 1.1, 0.01)

    def px(i, a):
        return pad + (width - 2 * pad) * i / xmax, height - pad - (height - 2 * pad) * a / ymax

    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
             'font-size="12"><rect width="100%%" height="100%%" fill="white"/>' % (width, height),
             '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (pad, height - pad, width - pad, height - pad),
             '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (pad, pad, pad, height - pad),
             '<text x="%d" y="%d" text-anchor="middle">fine-tuning iteration</text>' % (width / 2, height - 12),
             '<text x="14" y="%d" transform="rotate(-90 14 %d)" text-anchor="middle">segm AP (low-light val, '
             'mean over seeds)</text>' % (height / 2, height / 2)]
    for k in range(5):
        a = ymax * k / 4
        x, y = px(0, a)
        parts.append('<text x="%d" y="%d" text-anchor="end">%.3f</text>' % (x - 4, y + 4, a))
    for k in range(5):
        i = xmax * k / 4
        x, y = px(i, 0)
        parts.append('<text x="%d" y="%d" text-anchor="middle">%d</text>' % (x, y + 16, i))
    for n, (variant, pts) in enumerate(data.items()):
        if pts:
            path_d = " ".join("%.1f,%.1f" % px(i, a) for i, a in pts)
            parts.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (COLORS[variant], path_d))
        parts.append('<text x="%d" y="%d" fill="%s">%s</text>' % (width - pad - 150, pad + 16 * n, COLORS[variant],
                                                                   variant))
    parts.append("</svg>")
    path.write_text("\n".join(parts))


def main():
    RESULTS.mkdir(parents=True, exist_ok=True)
    svg(curves(), RESULTS / "ap_vs_iteration.svg")
    grid = RESULTS / "grid"
    grid.mkdir(exist_ok=True)
    images = sorted(p.name for p in (OUT / "grid" / "input").glob("*.png"))
    header = ["clean", "low light"] + ["pretrained"] + [v for v, _ in VARIANTS]
    md = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name in images:
        stem = name[:-4]
        cells = []
        shutil.copy(OUT / "data" / "val-clean" / "images" / name, grid / ("%s-clean.png" % stem))
        shutil.copy(OUT / "data" / "val-dark" / "images" / name, grid / ("%s-dark.png" % stem))
        cells += ["![](grid/%s-clean.png)" % stem, "![](grid/%s-dark.png)" % stem]
        for v in ["pretrained"] + [v for v, _ in VARIANTS]:
            overlays = sorted((OUT / "grid" / v).rglob(stem + "*overlay*.png")) or sorted(
                (OUT / "grid" / v).rglob(stem + "*.png"))
            if overlays:
                shutil.copy(overlays[0], grid / ("%s-%s.png" % (stem, v)))
                cells.append("![](grid/%s-%s.png)" % (stem, v))
            else:
                cells.append("(none)")
        md.append("| " + " | ".join(cells) + " |")
    if (OUT / "pairs.png").exists():
        shutil.copy(OUT / "pairs.png", RESULTS / "pairs.png")
    for variant, _ in VARIANTS:
        plot = OUT / "runs" / ("%s-seed%d" % (variant, seeds()[0])) / "training.png"
        if plot.exists():
            shutil.copy(plot, RESULTS / ("training-%s.png" % variant))
    commands = (OUT / "commands.txt").read_text()
    configs = "\n\n".join("`%s`:\n```yaml\n%s```" % (p.name, p.read_text())
                          for p in sorted((OUT / "configs").glob("*.yaml")))
    text = (RESULTS / "README.md.in").read_text() if (RESULTS / "README.md.in").exists() else "# Results\n\n{segm}\n\n{bbox}\n"
    findings = RESULTS / "findings.md"
    (RESULTS / "README.md").write_text(text.format(
        seeds=", ".join(map(str, seeds())), bbox=table("bbox"), segm=table("segm"), grid="\n".join(md),
        commands=commands, configs=configs, findings=findings.read_text() if findings.exists() else ""))


if __name__ == "__main__":
    main()
