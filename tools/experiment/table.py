#!/usr/bin/env python3
"""Tabulates the experiment of run.sh or paper-scale.sh into RESULTS/results.md and RESULTS/summary.json.

Reads OUT/eval/*.json (`lowlight eval --json`), OUT/eval/*.inspect.txt (`lowlight inspect`: the
learnt w of each block) and the validation records of OUT/runs/*/metrics.jsonl (AP and w against
iteration). Per arm: mean ± sample sd over seeds of bbox/segm AP and AP50; each arm's difference to
`none` with the standard error of a difference of two means, sqrt(sd_a²/n_a + sd_b²/n_b), and
whether |diff| > 2·SE; the learnt w per block; AP against iteration as a table, and as
RESULTS/ap_vs_iteration.png when matplotlib is installed. Usage: table.py OUT RESULTS"""
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


def difference(a, b):
    """Difference of means a - b in AP points, its standard error, and whether |diff| > 2 SE."""
    ma, sa = mean_sd(pct(a))
    mb, sb = mean_sd(pct(b))
    if sa is None or sb is None:
        return ma - mb, None, None
    se = math.sqrt(sa ** 2 / len(a) + sb ** 2 / len(b))
    return ma - mb, se, abs(ma - mb) > 2 * se


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
            diff, se, significant = difference(a, b)
            summary.setdefault("difference_to_none", {}).setdefault(arm, {})["%s.%s" % (kind, key)] = {
                "diff": diff, "se": se, "beyond_2se": significant}
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
    """{arm: {(kind, key or w-block): [(iteration, mean over seeds)]}} from the validation records;
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
            data[arm] = {k: sorted((i, statistics.mean(v)) for i, v in d.items()) for k, d in per.items()}
    return data


def curve_table(data, kind, key):
    iterations = sorted({i for arm in data.values() for i, _ in arm.get((kind, key), [])})
    lines = ["| iteration | " + " | ".join(str(i) for i in iterations) + " |", "|---|" + "---|" * len(iterations)]
    for arm, series in data.items():
        points = dict(series.get((kind, key), []))
        lines.append("| %s | %s |" % (arm, " | ".join("%.1f" % (100 * points[i]) if i in points else "—"
                                                       for i in iterations)))
    return "\n".join(lines)


def plot(data, path):
    """AP and w against iteration; returns a line for results.md saying what happened."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("table.py: matplotlib is not installed: no AP-against-iteration plot (the tables have the numbers)")
        return "(no plot: matplotlib was not installed when table.py ran; the tables above have the numbers)"
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for ax, (kind, key) in zip(axes[:2], [("bbox", "AP"), ("segm", "AP")]):
        for arm, series in data.items():
            pts = series.get((kind, key), [])
            ax.plot([i for i, _ in pts], [100 * a for _, a in pts], marker="o", label=arm)
        ax.set(title="%s %s, low-light validation, mean over seeds" % (kind, key), xlabel="iteration", ylabel="AP")
        ax.legend(fontsize=8)
    for arm, series in data.items():
        for (kind, block), pts in series.items():
            if kind == "w":
                axes[2].plot([i for i, _ in pts], [w for _, w in pts], marker=".", label="%s %s" % (arm, block))
    axes[2].set(title="learnt w, mean over seeds", xlabel="iteration", ylabel="w")
    if axes[2].lines:
        axes[2].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return "![AP and w against iteration](%s)" % path.name


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
        "|diff| > 2·SE (a difference the seeds can tell from noise, roughly at the 5% level).", "",
        difference_table(summary), "",
        "## Learnt w", "",
        "The final `w` of every block (`lowlight inspect --model RUN/model`); w = 0 is the identity.", "",
        w_table(summary), "",
        "## AP against iteration", "",
        "segm AP (validation records of metrics.jsonl, mean over seeds; iteration 0 is the pretrained model):", "",
        curve_table(data, "segm", "AP"), "",
        "bbox AP:", "", curve_table(data, "bbox", "AP"), "", picture, "",
        "## Commands", "", "In order (`OUT` is the output directory):", "",
        "```", (OUT / "commands.txt").read_text().rstrip(), "```", "",
        "## Configurations", "", configs, ""])
    (RESULTS / "results.md").write_text(text)
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print("table.py: wrote %s and %s" % (RESULTS / "results.md", RESULTS / "summary.json"))


if __name__ == "__main__":
    main()
