#!/usr/bin/env bash
# One command to check lowlight on a machine with an NVIDIA GPU:
#   1. the exported model on ONNX Runtime's CUDA execution provider against its CPU provider
#      (the same detections, and the latency of each);
#   2. a short training run on the GPU through DJL's PyTorch engine (images per second).
# It prints one summary. On a machine that lacks a part it says which part and stops:
# no NVIDIA driver, no JDK 17+, no onnxruntime_gpu (the build fetches it from Maven Central), no
# CUDA/cuDNN libraries for ONNX Runtime, or a libtorch other than DJL's 2.7.1 for training.
#
#   tools/gpu/check.sh                 # both parts
#   tools/gpu/check.sh --onnx-only     # skip the training part (no local libtorch needed)
#
# Training needs a CUDA build of libtorch 2.7.1 (DJL's JNI is built for it): set
# PYTORCH_LIBRARY_PATH to its lib/ directory (docs/gpu.md). Work files go to ${WORK:-/tmp/lowlight-gpu-check}.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${WORK:-/tmp/lowlight-gpu-check}"
ONNX_ONLY=0
[[ "${1:-}" == "--onnx-only" ]] && ONNX_ONLY=1
DJL_TORCH=2.7.1

fail() { echo "gpu check: $*" >&2; exit 2; }
note() { echo "gpu check: $*" >&2; }

# --- the parts a GPU run needs
command -v nvidia-smi >/dev/null 2>&1 || fail "no NVIDIA driver (nvidia-smi not found); this check needs an NVIDIA GPU"
GPU="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)" \
  || fail "nvidia-smi found no GPU"
[[ -n "$GPU" ]] || fail "nvidia-smi found no GPU"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
command -v "$JAVA" >/dev/null 2>&1 || fail "no JDK (install a JDK 17 or newer, e.g. apt-get install openjdk-17-jdk-headless)"
major="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
[[ -n "$major" && "${major%%.*}" -ge 17 ]] || fail "Java 17 or newer is needed, found ${major:-none}"

mkdir -p "$WORK"
note "GPU: $GPU; Java $major; work in $WORK"

# --- the command line with ONNX Runtime's GPU build (the -Pgpu profile swaps the artifact)
JAR="$WORK/lowlight-gpu.jar"
if [[ ! -f "$JAR" || -n "$(find "$ROOT" -path "$ROOT/examples" -prune -o -path '*/src/main/*' -newer "$JAR" -type f -print -quit)" ]]; then
  note "building the command line with onnxruntime_gpu (-Pgpu) ..."
  "$ROOT/mvnw" -B -q -f "$ROOT/pom.xml" -Pgpu -DskipTests -Dinvoker.skip=true -pl sdk-cli -am package >&2 \
    || fail "the -Pgpu build failed (it needs com.microsoft.onnxruntime:onnxruntime_gpu from Maven Central)"
  cp "$ROOT/sdk-cli/target/lowlight.jar" "$JAR"
  # leave the CPU build in place for bin/lowlight
  "$ROOT/mvnw" -B -q -f "$ROOT/pom.xml" -DskipTests -Dinvoker.skip=true -pl sdk-cli -am package >&2 || true
fi
unzip -l "$JAR" | grep -q 'libonnxruntime_providers_cuda.so' \
  || fail "$JAR holds no CUDA provider: onnxruntime_gpu did not reach the jar"

export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-1073741824}"
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-33554432}"
export MALLOC_TOP_PAD_="${MALLOC_TOP_PAD_:-268435456}"
lowlight() { "$JAVA" -Xmx8g -cp "$JAR" dev.lowlight.cli.Main "$@"; }

# --- a model and images: the demo's model on procedural scenes, trained a little on the CPU
if [[ ! -f "$WORK/model.onnx" ]]; then
  lowlight scenes --output "$WORK/scenes" --count 24 --width 320 --height 240 >&2
  cat > "$WORK/model.yaml" <<'YAML'
num_classes: 8
backbone: {name: resnet18, options: {trainable_layers: 5, norm: batch}}
neck: {name: fpn, options: {out_channels: 64}}
transform: {min_size: 240, max_size: 320}
roi_heads:
  score_thresh: 0.01
  box_head: {name: two-mlp, options: {representation_size: 256}}
  mask_head: {name: mask-rcnn-conv, options: {layers: [64, 64], dim_reduced: 64}}
solver: {optimizer: adamw, base_lr: 0.001, max_iters: 20, ims_per_batch: 2}
YAML
  lowlight train --config "$WORK/model.yaml" --train-ann "$WORK/scenes/annotations.json" \
    --train-images "$WORK/scenes/images" --output "$WORK/run-cpu" --device cpu >&2
  lowlight export --model "$WORK/run-cpu/model" --output "$WORK/model.onnx" >&2
fi

# --- 1. ONNX Runtime: CUDA against CPU
SUMMARY="$WORK/summary.txt"
: > "$SUMMARY"
for device in cpu cuda; do
  if ! lowlight predict --model "$WORK/model.onnx" --input "$WORK/scenes/images" --output "$WORK/pred-$device" \
      --device "$device" > "$WORK/predict-$device.log" 2>&1; then
    tail -3 "$WORK/predict-$device.log" >&2
    [[ "$device" == cuda ]] && fail "ONNX Runtime could not run on CUDA (the line above says what to install)"
    fail "prediction on the CPU failed"
  fi
  lowlight bench infer --model "$WORK/model.onnx" --device "$device" --height 240 --width 320 --runs 30 \
    --warmup 5 2>/dev/null | grep -E '^onnxruntime' | sed "s/^/[$device] /" >> "$SUMMARY"
done
compare_detections() {
  # the same detections: equal counts and labels, scores within 1e-3, boxes within 0.5 px
  "$JAVA" "$ROOT/tools/gpu/ComparePredictions.java" "$WORK/pred-cpu/predictions.json" \
    "$WORK/pred-cuda/predictions.json"
}
compare_detections >> "$SUMMARY" || fail "CUDA and CPU detections differ (see $SUMMARY)"

# --- 2. training on the GPU through DJL
if [[ "$ONNX_ONLY" == 0 ]]; then
  [[ -n "${PYTORCH_LIBRARY_PATH:-}" ]] || fail "set PYTORCH_LIBRARY_PATH to a CUDA libtorch $DJL_TORCH lib/ directory (docs/gpu.md), or run with --onnx-only"
  [[ -f "$PYTORCH_LIBRARY_PATH/libtorch_cuda.so" ]] || fail "$PYTORCH_LIBRARY_PATH has no libtorch_cuda.so: not a CUDA build of libtorch"
  version_file="$(dirname "$PYTORCH_LIBRARY_PATH")/build-version"
  if [[ -f "$version_file" ]] && ! grep -q "^$DJL_TORCH" "$version_file"; then
    fail "libtorch $(head -1 "$version_file") at $PYTORCH_LIBRARY_PATH; DJL's JNI needs $DJL_TORCH"
  fi
  export PYTORCH_FLAVOR="${PYTORCH_FLAVOR:-cu128}" PYTORCH_VERSION="$DJL_TORCH"
  start=$(date +%s.%N)
  lowlight train --config "$WORK/model.yaml" --train-ann "$WORK/scenes/annotations.json" \
    --train-images "$WORK/scenes/images" --output "$WORK/run-gpu" --device gpu > "$WORK/train-gpu.log" 2>&1 \
    || { tail -5 "$WORK/train-gpu.log" >&2; fail "training on the GPU failed (log: $WORK/train-gpu.log)"; }
  end=$(date +%s.%N)
  grep -q "training on gpu" "$WORK/train-gpu.log" || fail "the run did not train on the GPU (log: $WORK/train-gpu.log)"
  awk -v s="$start" -v e="$end" 'BEGIN { printf "[gpu] training: 20 iterations x 2 images in %.1f s = %.2f images/s (JVM start and data loading included)\n", e - s, 40 / (e - s) }' >> "$SUMMARY"
fi

echo "lowlight GPU check on $GPU"
cat "$SUMMARY"
