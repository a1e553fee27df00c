#!/usr/bin/env bash
# Makes sdk-zoo's scenes-r18 from nothing: the procedural scenes, their low-light twin for
# validation, the training run, and the packed model (half-precision weights, manifest with these
# commands, the seed, the machine, the SHA-256 and the validation AP) under
# sdk-zoo/src/main/resources/lowlight-zoo/scenes-r18/.
#
#   tools/zoo/scenes-r18.sh [WORK_DIR]      # about 75 minutes on a 2-core machine
#
# The same commands on the CPU model and thread count recorded in the manifest give the same bytes;
# the training run alone can be repeated with `lowlight train --reproduce WORK_DIR/run --output NEW`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${1:-/tmp/lowlight-zoo}"
L="${LOWLIGHT:-$ROOT/bin/lowlight}"
ZOO="$ROOT/sdk-zoo/src/main/resources/lowlight-zoo"

# 256x256 scenes with 2-6 objects of 20-176 px: COCO's small, medium and large areas (about 47%, 48%
# and 5% of the objects), res4 16x16 and res5 8x8 for the denoisers added when fine-tuning.
SCENES="--width 256 --height 256 --min-objects 2 --max-objects 6 --min-size 20 --max-size 176"
TRAIN_COUNT=4000; TRAIN_SEED=1; VAL_COUNT=200; VAL_SEED=2

commands=(
  "lowlight scenes --output WORK/train --count $TRAIN_COUNT --seed $TRAIN_SEED $SCENES"
  "lowlight scenes --output WORK/val --count $VAL_COUNT --seed $VAL_SEED $SCENES"
  "lowlight synth --ann WORK/val/annotations.json --images WORK/val/images --output WORK/val-dark --preset maet --seed 3"
  "lowlight train --config tools/zoo/scenes-r18.yaml --train-ann WORK/train/annotations.json --train-images WORK/train/images --val-ann WORK/val/annotations.json --val-images WORK/val/images --val-every 2000 --seed 1 --output WORK/run"
)
run() { local c="${1//WORK/$WORK}"; echo "+ ${c}" >&2; (cd "$ROOT" && eval "\"$L\" ${c#lowlight }"); }

mkdir -p "$WORK"
[[ -f "$WORK/train/annotations.json" ]] || run "${commands[0]}"
[[ -f "$WORK/val/annotations.json" ]] || run "${commands[1]}"
[[ -f "$WORK/val-dark/annotations.json" ]] || run "${commands[2]}"
if [[ -f "$WORK/run/checkpoints/last.json" || -d "$WORK/run/checkpoints" ]]; then
  run "${commands[3]} --resume"
else
  run "${commands[3]}"
fi

args=()
for c in "${commands[@]}"; do args+=(--command "$c"); done
"$L" zoo pack --run "$WORK/run" --name scenes-r18 --output "$ZOO" \
  --description "Mask R-CNN R18-FPN64 trained from scratch on 256x256 procedural scenes (7 shapes), 12 M parameters" \
  --scenes "256,256,2,6,20,176,$TRAIN_COUNT,$TRAIN_SEED,$VAL_COUNT,$VAL_SEED" \
  --val "clean=$WORK/val/annotations.json,$WORK/val/images" \
  --val "dark=$WORK/val-dark/annotations.json,$WORK/val-dark/images" \
  "${args[@]}"
