#!/usr/bin/env bash
# The protocol of Lin, Anantrasirichai and Bull, "Feature Denoising for Low-Light Instance
# Segmentation Using Weighted Non-Local Blocks" (arXiv 2402.18307, ICASSP 2025), on procedural scenes, from a pretrained model. (Not "Instance
# Segmentation in the Dark", which is Chen et al.'s LIS paper, IJCV 2023, the origin of the lis
# synthesizer.)
#   1. scenes as the zoo model's (tools/zoo/scenes-r18.sh: 256x256, 2-6 objects of 20-176 px, so
#      res4 is 16x16), with new seeds: a fine-tuning split, a validation split and its low-light twin
#      (lowlight synth --preset maet), on which everything is evaluated;
#   2. INIT itself on the clean and on the low-light validation split ("pretrained, no fine-tuning");
#   3. backbone-only fine-tuning (solver.trainable: backbone-only, batch norm frozen), darkening the
#      training images on the fly (lowlight train --synthesize maet: new noise every iteration),
#      denoisers after res3-res5, the arms of arms.sh (clean-continue, none, non-local,
#      weighted-non-local, weighted-non-local-wz0, affine-only), each over SEEDS, same budget;
#      validation on the low-light split every VAL_EVERY iterations (AP against iteration) and the
#      learnt w of every block (lowlight inspect);
#   4. table.py: mean ± sd over seeds, each arm's difference to `none` with its standard error,
#      the learnt w, AP against iteration, into RESULTS/results.md.
# Every step is a `lowlight` command; the exact commands are appended to OUT/commands.txt and copied
# into the results. Sizes are environment variables:
#   INIT (zoo:scenes-r18)  FT_ITERS (500)  TRAIN (1000)  VAL (200)  SEEDS ("1 2 3")  PARALLEL (1)
#   VAL_EVERY (FT_ITERS/5)  LR (0.0005)  BATCH (4)
# The defaults take about 2 1/2 hours on a 2-core machine: 18 fine-tunings of 500 iterations of 4
# images at 256x256 plus 5 validations of 200 images each, 6-8 minutes per run (measured: seeds 2
# and 3, 12 runs, in 1 h 43 min; docs/results).
#   ARCH: INIT's architecture as YAML (default: INIT/config.yaml for a model directory, the zoo's
#   config.yaml or tools/zoo/NAME.yaml for zoo:NAME)
# At the paper's scale (COCO, torchvision's weights, a GPU) see paper-scale.sh.
# Usage: tools/experiment/run.sh [OUT_DIR] [RESULTS_DIR]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$(realpath -m "${1:-experiment-output}")"
RESULTS="$(realpath -m "${2:-$ROOT/docs/results}")"
LOWLIGHT="${LOWLIGHT:-$ROOT/bin/lowlight}"
INIT="${INIT:-zoo:scenes-r18}"
FT_ITERS="${FT_ITERS:-500}"
TRAIN="${TRAIN:-1000}"
VAL="${VAL:-200}"
SEEDS="${SEEDS:-1 2 3}"
PARALLEL="${PARALLEL:-1}"
VAL_EVERY="${VAL_EVERY:-$(( FT_ITERS >= 5 ? FT_ITERS / 5 : 1 ))}"
# shellcheck source=tools/experiment/arms.sh
. "$HERE/arms.sh"

if [ -z "${ARCH:-}" ]; then
  case "$INIT" in
    zoo:*) name="${INIT#zoo:}"
      ARCH="$ROOT/sdk-zoo/src/main/resources/lowlight-zoo/$name/config.yaml"
      [ -f "$ARCH" ] || ARCH="$ROOT/tools/zoo/$name.yaml" ;;
    *) INIT="$(realpath -m "$INIT")"; ARCH="$INIT/config.yaml" ;;
  esac
fi
[ -f "$ARCH" ] || { echo "run.sh: $ARCH: no such file (set ARCH to the YAML of INIT's architecture)" >&2; exit 2; }

mkdir -p "$OUT/eval" "$RESULTS"
# Appended, not truncated: a rerun into the same OUT (more SEEDS) adds its commands after a header.
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(basename "$0") SEEDS=\"$SEEDS\" FT_ITERS=$FT_ITERS" >>"$OUT/commands.txt"

# 1. Scenes as tools/zoo/scenes-r18.sh makes them, with seeds the zoo model never saw (it used 1, 2, 3).
SCENES=(--width 256 --height 256 --min-objects 2 --max-objects 6 --min-size 20 --max-size 176)
D="$OUT/data"
if [ ! -f "$D/val-dark/annotations.json" ]; then
  run scenes --output "$D/train" --count "$TRAIN" --seed 101 "${SCENES[@]}"
  run scenes --output "$D/val" --count "$VAL" --seed 102 "${SCENES[@]}"
  run synth --ann "$D/val/annotations.json" --images "$D/val/images" --output "$D/val-dark" \
    --preset maet --seed 103 --pairs "$OUT/pairs.png"
fi
TRAIN_ANN="$D/train/annotations.json" TRAIN_IMAGES="$D/train/images"
VAL_ANN="$D/val-dark/annotations.json" VAL_IMAGES="$D/val-dark/images"
CLEAN_IMAGES="$D/val/images"

# 2. The pretrained model, no fine-tuning.
run eval --model "$INIT" --ann "$D/val/annotations.json" --images "$D/val/images" --json "$OUT/eval/pretrained-clean.json"
run eval --model "$INIT" --ann "$VAL_ANN" --images "$VAL_IMAGES" --json "$OUT/eval/pretrained.json"

# 3. The arms. The solver is lowlight demo's fine-tuning (AdamW at 5e-4, which took the zoo model from
#    dark segm AP50 0.27 to 0.69 in 600 iterations): a warm-up over 5% of the budget, cosine decay,
#    BATCH images per iteration.
SOLVER="solver: {optimizer: adamw, base_lr: ${LR:-0.0005}, weight_decay: 0.0001, schedule: cosine,\
 warmup_iters: $(( FT_ITERS / 20 )), warmup_factor: 0.1, ims_per_batch: ${BATCH:-4}, clip_grad_norm: 5.0,\
 max_iters: $FT_ITERS, trainable: backbone-only}"
NL_OPTIONS=""
TRAIN_EXTRA="${TRAIN_EXTRA:-}"
experiment
