#!/usr/bin/env python3
"""Tabulates the experiment of run.sh or paper-scale.sh into RESULTS/results.md and RESULTS/summary.json.

Reads OUT/eval/*.json (`lowlight eval --json`), OUT/eval/*.inspect.txt (`lowlight inspect`: the
learnt w of each block) and the validation records of OUT/runs/*/metrics.jsonl (AP and w against
iteration). Per arm: mean ± sample sd over seeds of bbox/segm AP and AP50; each arm's difference to
`none` with the standard error of a difference of two means, sqrt(sd_a²/n_a + sd_b²/n_b), and
whether it is distinguishable from zero by Welch's t test at 5% (|diff| > t·SE, t for the
Welch-Satterthwaite degrees of freedom: 2.78 for 3 seeds against 3 of equal spread, not 2); the
learnt w per block; AP against iteration as a table, and, when matplotlib is installed, as
RESULTS/ap_vs_iteration.png, with RESULTS/predictions.png from arms.sh's pictures.
Usage: table.py OUT RESULTS"""
import json
import math
import pathlib
import re
import shutil
import statistics
import sys

OUT = pathlib.Path(sys.argv[1])
RESULTS = pathlib.Path(sys.argv[2])
METRICS = [("bbox", "AP"), ("bbox", "AP50"), ("segm", "AP"), ("segm", "AP50")]
ARMS = [("clean-continue", "control: fine-tuned on clean images, no denoiser"),
        ("none", "fine-tuned on low light, no denoiser"),
        ("non-local", "non-local blocks (embedded Gaussian)"),
        ("weighted-non-local", "weighted non-local blocks, W_z random"),
        ("weighted-non-local-wz0", "weighted non-local blocks, W_z = 0 (authors' init)"),
        ("affine-only", "affine-only, z = (1 - w) x + w beta")]
BASELINE = "none"
INSPECT_LINE = re.compile(r"^(\S+)\.(\w+) = (-?[0-9.eE+-]+|NaN|-?Infinity)$")


def read_json(path):
    return json.loads(path.read_text())


def seeds(arm):
    return sorted(int(p.name[len(arm) + 5:-5]) for p in (OUT / "eval").glob(arm + "-seed*.json")
                  if p.name[len(arm) + 5:-5].isdigit())


def evals(arm):
    return [read_json(OUT / "eval" / ("%s-seed%d.json" % (arm, s))) for s in seeds(arm)]


def value(result, kind, key):
    """A metric of one `lowlight eval --json` result; None where eval skipped the kind (segm, when no
    detection carried a mask)."""
    return result.get(kind, {}).get(key)


def column(results, kind, key):
    return [v for v in (value(r, kind, key) for r in results) if v is not None]


def pct(values):
    return [100 * v for v in values]


def mean_sd(values):
    """Mean and sample standard deviation (None with fewer than two values)."""
    return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else None)


def cell(values):
    if not values:
        return "—"
    if all(v < 0 for v in values):
        return "n/a"  # COCO's -1: nothing of that kind in the split
    m, sd = mean_sd(pct(values))
    return "%.1f" % m if sd is None else "%.1f ± %.1f" % (m, sd)


# Two-sided 5% quantiles of Student's t by degrees of freedom; a df between two rows takes the
# lower row (the larger t), so "distinguishable" errs towards no.
T975 = [(1, 12.706), (2, 4.303), (3, 3.182), (4, 2.776), (5, 2.571), (6, 2.447), (7, 2.365), (8, 2.306),
        (9, 2.262), (10, 2.228), (12, 2.179), (15, 2.131), (20, 2.086), (30, 2.042), (60, 2.000), (120, 1.980)]


def t975(df):
    return next((t for d, t in reversed(T975) if d <= df), T975[0][1])


def difference(a, b):
    """Difference of means a - b in AP points, its standard error, Welch's degrees of freedom, the t
    it must exceed, and whether |diff| > t·SE (Welch's t test, two-sided, 5%)."""
    ma, sa = mean_sd(pct(a))
    mb, sb = mean_sd(pct(b))
    if sa is None or sb is None:
        return ma - mb, None, None, None, None
    va, vb = sa ** 2 / len(a), sb ** 2 / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return ma - mb, 0.0, None, None, ma != mb
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    t = t975(df)
    return ma - mb, se, df, t, abs(ma - mb) > t * se


def ap_table(rows):
    lines = ["| | n | " + " | ".join("%s %s" % m for m in METRICS) + " |", "|---|---|" + "---|" * len(METRICS)]
    for label, results in rows:
        lines.append("| %s | %d | %s |" % (label, len(results), " | ".join(
            cell(column(results, kind, key)) for kind, key in METRICS)))
    return "\n".join(lines)


def difference_table(summary):
    base = evals(BASELINE)
    lines = ["| arm − none | " + " | ".join("%s %s" % m for m in METRICS) + " |", "|---|" + "---|" * len(METRICS)]
    for arm, _ in ARMS:
        results = evals(arm)
        if arm == BASELINE or not results or not base:
            continue
        cells = []
        for kind, key in METRICS:
            a, b = column(results, kind, key), column(base, kind, key)
            if not a or not b:
                cells.append("—")
                continue
            diff, se, df, t, significant = difference(a, b)
            summary.setdefault("difference_to_none", {}).setdefault(arm, {})["%s.%s" % (kind, key)] = {
                "diff": diff, "se": se, "welch_df": df, "t_975": t, "distinguishable": significant}
            cells.append("%+.2f (SE n/a: one seed)" % diff if se is None
                         else "%+.2f ± %.2f %s" % (diff, se, "**yes**" if significant else "no"))
        lines.append("| %s | %s |" % (arm, " | ".join(cells)))
    return "\n".join(lines)


def learnt_w(arm, seed):
    """{block: {key: value}} from OUT/eval/ARM-seedS.inspect.txt."""
    f = OUT / "eval" / ("%s-seed%d.inspect.txt" % (arm, seed))
    blocks = {}
    for line in (f.read_text().splitlines() if f.exists() else []):
        m = INSPECT_LINE.match(line.strip())
        if m:
            blocks.setdefault(m.group(1), {})[m.group(2)] = float(m.group(3))
    return blocks


def w_table(summary):
    lines = ["| arm | block | w per seed | mean ± sd |", "|---|---|---|---|"]
    for arm, _ in ARMS:
        per_block = {}
        for s in seeds(arm):
            for block, report in learnt_w(arm, s).items():
                if "w" in report:
                    per_block.setdefault(block, []).append((s, report["w"]))
        for block, values in per_block.items():
            ws = [w for _, w in values]
            summary.setdefault("w", {}).setdefault(arm, {})[block] = dict(values)
            m, sd = mean_sd(ws)
            lines.append("| %s | %s | %s | %s |" % (arm, block, ", ".join("%d: %.4f" % v for v in values),
                                                     "%.4f" % m if sd is None else "%.4f ± %.4f" % (m, sd)))
    return "\n".join(lines) if len(lines) > 2 else "(no denoiser reported a w)"


def curves():
    """{arm: {(kind, key or w-block): [(iteration, mean, sd over seeds)]}} from the validation records;
    iteration 0 is the pretrained model on the same low-light split."""
    pretrained = OUT / "eval" / "pretrained.json"
    start = read_json(pretrained) if pretrained.exists() else None
    data = {}
    for arm, _ in ARMS:
        per = {}
        for s in seeds(arm):
            f = OUT / "runs" / ("%s-seed%d" % (arm, s)) / "metrics.jsonl"
            for line in (f.read_text().splitlines() if f.exists() else []):
                rec = json.loads(line)
                if rec.get("type") != "validation":
                    continue
                for kind, key in METRICS:
                    if value(rec, kind, key) is not None:
                        per.setdefault((kind, key), {}).setdefault(rec["iteration"], []).append(value(rec, kind, key))
                for name, w in (rec.get("denoisers") or {}).items():
                    if name.endswith(".w"):
                        per.setdefault(("w", name[:-2]), {}).setdefault(rec["iteration"], []).append(w)
        if per and start is not None:
            for kind, key in METRICS:
                if value(start, kind, key) is not None:
                    per.setdefault((kind, key), {}).setdefault(0, [value(start, kind, key)])
        if per:
            data[arm] = {k: sorted((i, statistics.mean(v), statistics.stdev(v) if len(v) > 1 else 0.0)
                                   for i, v in d.items()) for k, d in per.items()}
    return data


def curve_table(data, kind, key):
    iterations = sorted({p[0] for arm in data.values() for p in arm.get((kind, key), [])})
    lines = ["| iteration | " + " | ".join(str(i) for i in iterations) + " |", "|---|" + "---|" * len(iterations)]
    for arm, series in data.items():
        points = {i: m for i, m, _ in series.get((kind, key), [])}
        lines.append("| %s | %s |" % (arm, " | ".join("%.1f" % (100 * points[i]) if i in points else "—"
                                                       for i in iterations)))
    return "\n".join(lines)


def pyplot():
    """matplotlib's pyplot drawing to files, or None where matplotlib is not installed."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        return plt
    except ImportError:
        return None


def plot(data, path):
    """AP and w against iteration; returns a line for results.md saying what happened."""
    plt = pyplot()
    if plt is None:
        print("table.py: matplotlib is not installed: no AP-against-iteration plot (the tables have the numbers)")
        return "(no plot: matplotlib was not installed when table.py ran; the tables above have the numbers)"
    # One colour per arm in every panel; in the w panel one line style per block (res3, res4, res5).
    colours = {arm: "C%d" % i for i, (arm, _) in enumerate(ARMS)}
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.6))
    for ax, (kind, key) in zip(axes[:2], [("bbox", "AP"), ("segm", "AP")]):
        for arm, series in data.items():
            pts = series.get((kind, key), [])
            ax.errorbar([p[0] for p in pts], [100 * p[1] for p in pts], yerr=[100 * p[2] for p in pts],
                        marker="o", markersize=4, capsize=3, color=colours[arm], label=arm)
        ax.set(title="%s %s on the low-light split (mean ± sd over seeds)" % (kind, key),
               xlabel="iteration", ylabel="AP (%)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    styles = ["dotted", "dashed", "solid", "dashdot"]
    blocks = sorted({block for series in data.values() for kind, block in series if kind == "w"})
    for arm, series in data.items():
        for (kind, block), pts in series.items():
            if kind == "w":
                axes[2].errorbar([p[0] for p in pts], [p[1] for p in pts], yerr=[p[2] for p in pts],
                                 marker=".", capsize=2, color=colours[arm],
                                 linestyle=styles[blocks.index(block) % len(styles)],
                                 label="%s, %s" % (arm, block.rsplit(".", 1)[-1]))
    axes[2].set(title="learnt w (mean ± sd over seeds)", xlabel="iteration", ylabel="w")
    axes[2].grid(alpha=0.3)
    if axes[2].lines:
        axes[2].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return "![AP and w against iteration](%s)" % path.name


PICTURED = [("pretrained", "pretrained, no fine-tuning"), ("none", "fine-tuned, no denoiser"),
            ("weighted-non-local", "fine-tuned, wNLB")]


def tile(path):
    """RESULTS/predictions.png from OUT/pictures (arms.sh's pictures): one row per image, its clean
    original, its low-light twin, then each pictured model's overlay; a line for results.md."""
    listing = OUT / "pictures" / "inputs.txt"
    if not listing.exists():
        return "(no pictures: OUT/pictures/inputs.txt is missing)"
    plt = pyplot()
    if plt is None:
        return "(no pictures: matplotlib was not installed when table.py ran)"
    rows = []
    for line in listing.read_text().splitlines():
        dark, clean = (line.split("\t") + [""])[:2]
        dark, clean = pathlib.Path(dark), pathlib.Path(clean)
        if not clean.is_file():  # a synthesizer may change the extension
            clean = next((c for c in clean.parent.glob(clean.stem + ".*") if clean.stem and c.is_file()), None)
        panels = [("clean input", clean), ("low-light input", dark)]
        panels += [(label, OUT / "pictures" / name / (dark.stem + ".png")) for name, label in PICTURED]
        rows.append([(label, f) for label, f in panels if f is not None and f.is_file()])
    columns = max((len(r) for r in rows), default=0)
    if not columns:
        return "(no pictures: no overlay was written)"
    fig, axes = plt.subplots(len(rows), columns, figsize=(2.9 * columns, 3.0 * len(rows)), squeeze=False)
    for r, row in enumerate(rows):
        for c in range(columns):
            ax = axes[r][c]
            ax.axis("off")
            if c < len(row):
                ax.imshow(plt.imread(str(row[c][1])))
                ax.set_title(row[c][0], fontsize=10)
    fig.suptitle("The first low-light validation images; overlays show detections scoring 0.5 or more", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return "![clean, low light and predictions](%s)" % path.name


def main():
    RESULTS.mkdir(parents=True, exist_ok=True)
    summary = {}
    rows = []
    for name, label in [("pretrained-clean", "pretrained, no fine-tuning, on the clean split"),
                        ("pretrained", "pretrained, no fine-tuning")]:
        if (OUT / "eval" / (name + ".json")).exists():
            rows.append((label, [read_json(OUT / "eval" / (name + ".json"))]))
    rows += [("`%s`: %s" % (arm, label), evals(arm)) for arm, label in ARMS if evals(arm)]
    summary["ap"] = {label: [{"%s.%s" % m: value(r, *m) for m in METRICS} for r in results]
                     for label, results in rows}
    data = curves()
    picture = plot(data, RESULTS / "ap_vs_iteration.png")
    pictures = tile(RESULTS / "predictions.png")
    if (OUT / "pairs.png").exists():
        shutil.copy(OUT / "pairs.png", RESULTS / "pairs.png")
    seed_list = sorted({s for arm, _ in ARMS for s in seeds(arm)})
    configs = "\n\n".join("`%s`:\n```yaml\n%s```" % (p.name, p.read_text())
                          for p in sorted((OUT / "configs").glob("*.yaml")))
    text = "\n".join([
        "# Results of tools/experiment (written by table.py)", "",
        "COCO AP in percent on the low-light validation split (unless said otherwise), mean ± sample",
        "standard deviation over seeds (%s)." % ", ".join(map(str, seed_list)), "",
        "## AP", "", ap_table(rows), "",
        "## Difference to `none`", "",
        "Difference of means in AP points ± its standard error sqrt(sd_a²/n_a + sd_b²/n_b); **yes** where",
        "Welch's t test tells it from zero at the 5% level (two-sided): |diff| > t·SE with t for",
        "Welch-Satterthwaite's degrees of freedom, about 2.8 with 3 seeds per arm (not 2: with so few",
        "seeds the spread itself is uncertain). **no** is \"not detected\", not \"no effect\".", "",
        difference_table(summary), "",
        "## Learnt w", "",
        "The final `w` of every block (`lowlight inspect --model RUN/model`); w = 0 is the identity.", "",
        w_table(summary), "",
        "## AP against iteration", "",
        "segm AP (validation records of metrics.jsonl, mean over seeds; iteration 0 is the pretrained model):", "",
        curve_table(data, "segm", "AP"), "",
        "bbox AP:", "", curve_table(data, "bbox", "AP"), "", picture, "",
        "## Pictures", "", pictures, "",
        "## Commands", "", "In order (`OUT` is the output directory):", "",
        "```", (OUT / "commands.txt").read_text().rstrip(), "```", "",
        "## Configurations", "", configs, ""])
    (RESULTS / "results.md").write_text(text)
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print("table.py: wrote %s and %s" % (RESULTS / "results.md", RESULTS / "summary.json"))


if __name__ == "__main__":
    main()
