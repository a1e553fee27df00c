# The arms of the experiment and how each is fine-tuned, shared by run.sh (procedural scenes from a
# zoo model) and paper-scale.sh (COCO from torchvision's weights). Sourced, not run. The caller sets:
#   OUT LOWLIGHT SEEDS PARALLEL     output directory, the lowlight command, seeds, runs at once
#   ARCH                            YAML of the INIT model's architecture ("" for torchvision's defaults)
#   SOLVER                          the fine-tuning solver, one YAML line `solver: {...}`
#   NL_OPTIONS                      extra options of the non-local blocks ("" for none)
#   INIT                            the pretrained model every arm starts from
#   TRAIN_ANN TRAIN_IMAGES          the clean fine-tuning split (darkened on the fly, except the control)
#   VAL_ANN VAL_IMAGES              the low-light validation split (lowlight synth --preset maet)
#   VAL_EVERY                       validation interval in iterations (AP against iteration)
#   TRAIN_EXTRA                     more `lowlight train` options (e.g. --device gpu --workers 8)
#   RESULTS                         where table.py writes results.md and summary.json
#   CLEAN_IMAGES                    the clean originals of VAL_IMAGES (same file names), for the pictures

# The arms, in the order of the tables:
#   clean-continue          control: the same budget and recipe, no denoiser, clean images (no --synthesize)
#   none                    no denoiser, online low-light synthesis
#   non-local               the paper's non-local block: embedded Gaussian, unscaled, z = x + BN(W_z y)
#   weighted-non-local      weighted non-local block, z = w BN(W_z y) + (1 - w) x, W_z random (PyTorch's)
#   weighted-non-local-wz0  the same with W_z = 0, the authors' initialisation
#   affine-only             z = (1 - w) x + w beta: what the block with W_z = 0 reduces to
ARMS="clean-continue none non-local weighted-non-local weighted-non-local-wz0 affine-only"
# after res3, res4 and res5, as the paper places its blocks
STAGES="[res3, res4, res5]"

run() {
  echo "lowlight ${*}" | sed "s#$OUT#OUT#g" >>"$OUT/commands.txt"
  "$LOWLIGHT" "$@"
}

# The denoise: line of an arm.
denoiser() {
  local nl="mode: embedded-gaussian, scaled: false${NL_OPTIONS:+, $NL_OPTIONS}"
  case "$1" in
    clean-continue | none) echo "denoise: {name: none}" ;;
    non-local) echo "denoise: {name: non-local, stages: $STAGES, options: {$nl}}" ;;
    weighted-non-local) echo "denoise: {name: weighted-non-local, stages: $STAGES, options: {$nl}}" ;;
    weighted-non-local-wz0) echo "denoise: {name: weighted-non-local, stages: $STAGES, options: {$nl, w_z_init: zero}}" ;;
    affine-only) echo "denoise: {name: affine-only, stages: $STAGES}" ;;
    *) echo "unknown arm '$1' (arms: $ARMS)" >&2; return 2 ;;
  esac
}

# OUT/configs/finetune-ARM.yaml for every arm: INIT's architecture without its solver and denoiser,
# batch norm frozen (the statistics learnt in pretraining are kept, as torchvision fine-tunes), then
# the arm's denoiser and the common solver (solver.trainable: backbone-only).
write_configs() {
  mkdir -p "$OUT/configs"
  local arch=""
  if [ -n "$ARCH" ]; then
    arch="$(awk '/^[^ #-]/ { skip = ($1 == "solver:" || $1 == "denoise:") } !skip' "$ARCH" \
      | sed -E 's/norm: *"?batch"?/norm: frozen/')"
  fi
  for arm in $ARMS; do
    { [ -z "$arch" ] || echo "$arch"; denoiser "$arm"; echo "$SOLVER"; } >"$OUT/configs/finetune-$arm.yaml"
    run config check "$OUT/configs/finetune-$arm.yaml" >/dev/null
  done
}

# One fine-tuning run: train (validating on the low-light split every VAL_EVERY iterations), then
# evaluate the final model on the low-light split and record what its denoisers learnt (w).
finetune() {
  local arm=$1 seed=$2 name="$1-seed$2" synth=(--synthesize maet)
  [ "$arm" != clean-continue ] || synth=()
  # TRAIN_EXTRA is a list of options, split on purpose
  # shellcheck disable=SC2086
  if [ ! -f "$OUT/runs/$name/model/model.safetensors" ]; then
    run train --config "$OUT/configs/finetune-$arm.yaml" --init "$INIT" \
      --train-ann "$TRAIN_ANN" --train-images "$TRAIN_IMAGES" "${synth[@]}" \
      --val-ann "$VAL_ANN" --val-images "$VAL_IMAGES" --val-every "$VAL_EVERY" \
      --output "$OUT/runs/$name" --seed "$seed" $TRAIN_EXTRA >"$OUT/runs/$name.log" 2>&1
  fi
  run eval --model "$OUT/runs/$name/model" --ann "$VAL_ANN" --images "$VAL_IMAGES" \
    --json "$OUT/eval/$name.json" >>"$OUT/runs/$name.log" 2>&1
  run inspect --model "$OUT/runs/$name/model" >"$OUT/eval/$name.inspect.txt" 2>>"$OUT/runs/$name.log"
  echo "fine-tuned $name: $(grep -o '"AP" *: *[0-9.]*' "$OUT/eval/$name.json" | head -2 | tr '\n' ' ')"
}

# Every arm over SEEDS, PARALLEL at a time (each its own process).
finetune_all() {
  mkdir -p "$OUT/runs" "$OUT/eval"
  local failed=0
  for seed in $SEEDS; do
    for arm in $ARMS; do
      while [ "$(jobs -rp | wc -l)" -ge "${PARALLEL:-1}" ]; do wait -n || failed=1; done
      finetune "$arm" "$seed" &
    done
  done
  while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || failed=1; done
  if [ "$failed" != 0 ]; then
    echo "a fine-tuning run failed; see $OUT/runs/*.log" >&2
    return 1
  fi
}

# Pictures: the first PICTURES (3) low-light validation images as INIT, `none` and
# `weighted-non-local` (their lowest seed) predict them, detections scoring at least 0.5, written to
# OUT/pictures/NAME/; OUT/pictures/inputs.txt pairs each dark image with its clean original
# (CLEAN_IMAGES/<same name>) for table.py, which tiles them into RESULTS/predictions.png.
pictures() {
  local dir="$OUT/pictures" f name model
  local inputs=()
  mkdir -p "$dir"
  : >"$dir/inputs.txt"
  while IFS= read -r f; do
    inputs+=(--input "$f")
    printf '%s\t%s\n' "$f" "${CLEAN_IMAGES:-}/$(basename "$f")" >>"$dir/inputs.txt"
  done < <(find "$VAL_IMAGES" -maxdepth 1 -type f \( -name '*.png' -o -name '*.jpg' \) | sort | head -n "${PICTURES:-3}")
  for name in pretrained none weighted-non-local; do
    if [ "$name" = pretrained ]; then
      model="$INIT"
    else
      model="$(find "$OUT/runs" -maxdepth 2 -path "*/$name-seed*/model" -type d | sort | head -n 1)"
      [ -n "$model" ] || continue
    fi
    run predict --model "$model" "${inputs[@]}" --output "$dir/$name" --overlay --score-threshold 0.5 >/dev/null
  done
}

# The arms' configurations, every arm over SEEDS, the pictures, then the tables (table.py) into RESULTS.
experiment() {
  write_configs
  finetune_all
  pictures
  python3 "$(dirname "${BASH_SOURCE[0]}")/table.py" "$OUT" "$RESULTS"
  echo "results: $RESULTS/results.md"
}
