#!/usr/bin/env bash
# The paper's protocol (Chen et al., instance segmentation in the dark) on procedural scenes:
#   1. train Mask R-CNN on clean scenes (stand-in for the COCO-pretrained model);
#   2. evaluate it on the low-light validation split ("pretrained, no fine-tuning");
#   3. fine-tune the backbone only (solver.trainable: backbone-only) on synthetic low-light training
#      images, three variants with the same budget and seeds: no denoiser, non-local blocks,
#      weighted non-local blocks, each over SEEDS;
#   4. tabulate bbox/segm AP over seeds (table.py) into RESULTS.
# Every step is a `lowlight` command; the exact commands are logged to OUT/commands.txt and copied
# into the results file. Sizes are environment variables so a GPU machine can run it larger:
#   PRE_ITERS (1500) FT_ITERS (1000) TRAIN (300) VAL (60) SEEDS ("1 2 3") SIZE ("128 96") PARALLEL (1)
# Usage: tools/experiment/run.sh [OUT_DIR] [RESULTS_DIR]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$(realpath -m "${1:-experiment-output}")"
RESULTS="$(realpath -m "${2:-$ROOT/docs/results}")"
LOWLIGHT="${LOWLIGHT:-$ROOT/bin/lowlight}"
PRE_ITERS="${PRE_ITERS:-1500}"
FT_ITERS="${FT_ITERS:-1000}"
TRAIN="${TRAIN:-300}"
VAL="${VAL:-60}"
SEEDS="${SEEDS:-1 2 3}"
read -r W H <<<"${SIZE:-128 96}"
mkdir -p "$OUT/configs" "$OUT/runs" "$OUT/eval" "$RESULTS"
: >"$OUT/commands.txt"

run() {
  echo "lowlight ${*}" | sed "s#$OUT#OUT#g" >>"$OUT/commands.txt"
  "$LOWLIGHT" "$@"
}

# The small model of `lowlight demo`: ResNet-18, FPN 32, small heads, images of W x H.
model() {
  cat <<YAML
num_classes: 8
class_names: [disc, ring, rectangle, triangle, star, ellipse, cross]
backbone: {name: resnet18, options: {trainable_layers: 5, norm: $1}}
neck: {name: fpn, options: {out_channels: 32}}
transform: {min_size: $H, max_size: $W}
rpn: {pre_nms_top_n_train: 300, post_nms_top_n_train: 150, pre_nms_top_n_test: 300, post_nms_top_n_test: 100,
      batch_size_per_image: 128, anchor_sizes: [[16], [32], [48], [64], [96]]}
roi_heads:
  box_head: {name: two-mlp, options: {representation_size: 64}}
  mask_head: {name: mask-rcnn-conv, options: {layers: [16, 16], dim_reduced: 16}}
  batch_size_per_image: 64
  detections_per_img: 20
YAML
}

# 1. Pretraining from scratch needs trainable batch norm; fine-tuning freezes it, as torchvision
#    does with pretrained weights (the statistics learnt in pretraining are kept).
{ model batch; cat <<YAML
solver: {optimizer: adamw, base_lr: 0.004, weight_decay: 0.0001, schedule: cosine, warmup_iters: 20,
         warmup_factor: 0.1, ims_per_batch: 2, clip_grad_norm: 5.0, max_iters: $PRE_ITERS}
YAML
} >"$OUT/configs/pretrain.yaml"
for variant in none non-local weighted-non-local; do
  { model frozen
    if [ "$variant" != none ]; then
      # both variants use the same affinity (softmax of 1/sqrt(C)-scaled feature products), so
      # they differ only by the weighted block's learnt w
      echo "denoise: {name: $variant, stages: [res4, res5], options: {mode: gaussian, scaled: true}}"
    fi
    cat <<YAML
solver: {optimizer: adamw, base_lr: 0.001, weight_decay: 0.0001, schedule: cosine, warmup_iters: 10,
         warmup_factor: 0.1, ims_per_batch: 2, clip_grad_norm: 5.0, max_iters: $FT_ITERS, trainable: backbone-only}
YAML
  } >"$OUT/configs/finetune-$variant.yaml"
done

# Data: clean scenes and their low-light twins (synthesis preset maet), train and validation.
D="$OUT/data"
if [ ! -f "$D/val-dark/annotations.json" ]; then
  run scenes --output "$D/train-clean" --count "$TRAIN" --seed 11 --width "$W" --height "$H" \
    --min-objects 2 --max-objects 4 --min-size 16 --max-size 40
  run scenes --output "$D/val-clean" --count "$VAL" --seed 12 --width "$W" --height "$H" \
    --min-objects 2 --max-objects 4 --min-size 16 --max-size 40
  run synth --ann "$D/train-clean/annotations.json" --images "$D/train-clean/images" --output "$D/train-dark" \
    --preset maet --seed 11
  run synth --ann "$D/val-clean/annotations.json" --images "$D/val-clean/images" --output "$D/val-dark" \
    --preset maet --seed 12 --pairs "$OUT/pairs.png"
fi

if [ ! -f "$OUT/runs/pretrain/model/model.safetensors" ]; then
  run train --config "$OUT/configs/pretrain.yaml" --train-ann "$D/train-clean/annotations.json" \
    --train-images "$D/train-clean/images" --val-ann "$D/val-clean/annotations.json" \
    --val-images "$D/val-clean/images" --val-every $((PRE_ITERS / 4)) --output "$OUT/runs/pretrain" --seed 1
fi
# 2. The pretrained model on clean and on low-light validation images.
run eval --model "$OUT/runs/pretrain/model" --ann "$D/val-clean/annotations.json" --images "$D/val-clean/images" \
  --json "$OUT/eval/pretrained-clean.json"
run eval --model "$OUT/runs/pretrain/model" --ann "$D/val-dark/annotations.json" --images "$D/val-dark/images" \
  --json "$OUT/eval/pretrained.json"

# 3. Backbone-only fine-tuning on low-light images, three variants, same seeds and budget.
#    PARALLEL runs that many fine-tunings at once (each its own process; with OMP_NUM_THREADS=1
#    two processes use a 2-core machine better than one, the small model being overhead-bound).
finetune() {
  local variant=$1 seed=$2 name="$1-seed$2"
  if [ ! -f "$OUT/runs/$name/model/model.safetensors" ]; then
    run train --config "$OUT/configs/finetune-$variant.yaml" --init "$OUT/runs/pretrain/model" \
      --train-ann "$D/train-dark/annotations.json" --train-images "$D/train-dark/images" \
      --val-ann "$D/val-dark/annotations.json" --val-images "$D/val-dark/images" \
      --val-every $((FT_ITERS / 4)) --output "$OUT/runs/$name" --seed "$seed" >"$OUT/runs/$name.log" 2>&1
  fi
  run eval --model "$OUT/runs/$name/model" --ann "$D/val-dark/annotations.json" --images "$D/val-dark/images" \
    --json "$OUT/eval/$name.json" >>"$OUT/runs/$name.log" 2>&1
  echo "fine-tuned $name: $(grep -o '"AP" *: *[0-9.]*' "$OUT/eval/$name.json" | head -2 | tr '\n' ' ')"
}
failed=0
for seed in $SEEDS; do
  for variant in none non-local weighted-non-local; do
    while [ "$(jobs -rp | wc -l)" -ge "${PARALLEL:-1}" ]; do wait -n || failed=1; done
    finetune "$variant" "$seed" &
  done
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || failed=1; done
if [ "$failed" != 0 ]; then
  echo "a fine-tuning run failed; see $OUT/runs/*.log" >&2
  exit 1
fi

# Pictures: predictions of each variant (seed 1) on the first validation images.
mkdir -p "$OUT/grid/input"
for i in 000001 000002 000003; do cp "$D/val-dark/images/$i.png" "$OUT/grid/input/"; done
for variant in none non-local weighted-non-local; do
  run predict --model "$OUT/runs/$variant-seed1/model" --input "$OUT/grid/input" --output "$OUT/grid/$variant" \
    --overlay --score-threshold 0.5
done
run predict --model "$OUT/runs/pretrain/model" --input "$OUT/grid/input" --output "$OUT/grid/pretrained" \
  --overlay --score-threshold 0.5

python3 "$HERE/table.py" "$OUT" "$RESULTS"
echo "results: $RESULTS/README.md"
