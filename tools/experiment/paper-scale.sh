#!/usr/bin/env bash
# The protocol of Lin, Anantrasirichai and Bull, "Feature Denoising for Low-Light Instance
# Segmentation Using Weighted Non-Local Blocks" (arXiv 2402.18307, ICASSP 2025) at the paper's
# scale, on a GPU machine: the arms of run.sh (arms.sh) from torchvision's COCO-trained Mask R-CNN
# R50-FPN, fine-tuned on COCO train2017 darkened on the fly (--synthesize maet), evaluated on the
# low-light twin of val2017 (lowlight synth --preset maet).
#
#   COCO=/data/coco PTH=/models/maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth \
#     tools/experiment/paper-scale.sh [OUT_DIR] [RESULTS_DIR]
#
# COCO holds train2017/, val2017/ and annotations/instances_{train,val}2017.json (cocodataset.org);
# PTH is torchvision's checkpoint (https://download.pytorch.org/models/maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth),
# read without Python. Nothing is downloaded by this script. DJL must find a CUDA libtorch
# (PYTORCH_LIBRARY_PATH, PYTORCH_FLAVOR, PYTORCH_VERSION: docs/gpu.md); `--device gpu` refuses to
# start otherwise.
# Sizes are environment variables:
#   FT_ITERS (20000)  BATCH (8)  LR (0.01)  SEEDS ("1 2 3")  PARALLEL (1)  VAL_EVERY (FT_ITERS/5)
#   WORKERS (8)  DEVICE (gpu)  NL_MEMORY_MB (16384: what the affinity of the res3 block may keep for
#   the backward pass; BATCH x (H/8 x W/8)^2 floats, about 9 GiB for 8 images of 800x1333)
# The defaults are this SDK's choice, not the paper's (it gives no schedule): README's recipe, SGD at
# torchvision's rate for 8 images (0.02 x 8/16), torchvision's warm-up, rate steps at 2/3 and 8/9
# of FT_ITERS, 20000 iterations of 8 images (about 1.4 epochs of train2017).
# Every step is a `lowlight` command logged to OUT/commands.txt; table.py writes RESULTS/results.md.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$(realpath -m "${1:-paper-scale-output}")"
RESULTS="$(realpath -m "${2:-$OUT/results}")"
LOWLIGHT="${LOWLIGHT:-$ROOT/bin/lowlight}"
COCO="$(realpath -m "${COCO:?set COCO to the directory holding train2017/, val2017/ and annotations/}")"
PTH="$(realpath -m "${PTH:-maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth}")"
FT_ITERS="${FT_ITERS:-20000}"
SEEDS="${SEEDS:-1 2 3}"
PARALLEL="${PARALLEL:-1}"
VAL_EVERY="${VAL_EVERY:-$(( FT_ITERS >= 5 ? FT_ITERS / 5 : 1 ))}"
# shellcheck source=tools/experiment/arms.sh
. "$HERE/arms.sh"

for f in "$PTH" "$COCO/annotations/instances_train2017.json" "$COCO/annotations/instances_val2017.json" \
    "$COCO/train2017" "$COCO/val2017"; do
  [ -e "$f" ] || { echo "paper-scale.sh: $f: no such file or directory" >&2; exit 2; }
done
mkdir -p "$OUT/eval" "$RESULTS"
# Appended, not truncated: a rerun into the same OUT (more SEEDS) adds its commands after a header.
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(basename "$0") SEEDS=\"$SEEDS\" FT_ITERS=$FT_ITERS" >>"$OUT/commands.txt"

# 1. torchvision's COCO weights as a model directory, and the low-light twin of val2017.
INIT="$OUT/init"
[ -f "$INIT/model.safetensors" ] || run import --torchvision "$PTH" --output "$INIT"
D="$OUT/data"
[ -f "$D/val2017-dark/annotations.json" ] || run synth --ann "$COCO/annotations/instances_val2017.json" \
  --images "$COCO/val2017" --output "$D/val2017-dark" --preset maet --seed 103 --pairs "$OUT/pairs.png"
TRAIN_ANN="$COCO/annotations/instances_train2017.json" TRAIN_IMAGES="$COCO/train2017"
VAL_ANN="$D/val2017-dark/annotations.json" VAL_IMAGES="$D/val2017-dark/images"
CLEAN_IMAGES="$COCO/val2017"

# 2. The pretrained model, no fine-tuning, on clean and on low-light val2017 (a model directory is
#    evaluated on DJL's default device: the GPU with the CUDA build).
run eval --model "$INIT" --ann "$COCO/annotations/instances_val2017.json" --images "$COCO/val2017" \
  --json "$OUT/eval/pretrained-clean.json"
run eval --model "$INIT" --ann "$VAL_ANN" --images "$VAL_IMAGES" --json "$OUT/eval/pretrained.json"

# 3. The arms, each over SEEDS, on the GPU, and the tables.
ARCH="$INIT/config.yaml"
SOLVER="solver: {optimizer: sgd, base_lr: ${LR:-0.01}, momentum: 0.9, weight_decay: 0.0001, schedule: multistep,\
 warmup_iters: $(( FT_ITERS >= 20000 ? 1000 : FT_ITERS / 20 )), warmup_factor: 0.001, ims_per_batch: ${BATCH:-8},\
 max_iters: $FT_ITERS, trainable: backbone-only}"
NL_OPTIONS="training_memory_mb: ${NL_MEMORY_MB:-16384}"
TRAIN_EXTRA="--device ${DEVICE:-gpu} --workers ${WORKERS:-8}"
experiment
