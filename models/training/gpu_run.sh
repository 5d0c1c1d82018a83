#!/usr/bin/env bash
# The prepared GPU run of issue 19 (item 2): the device machine's state, then
# train_v2.py with a wall-clock budget, weights + logs into $OUT (what comes
# back: weights.pt ~12 MB, log.jsonl, train.log, nvidia-smi.txt, env.txt).
# The checkpoint with the optimiser (~36 MB) stays in $WORK on the machine.
#
#   OUT=/path bash models/training/gpu_run.sh            # 8 minutes, CUDA defaults
#   OUT=/tmp/x MINUTES=1.5 bash models/training/gpu_run.sh  # the CPU smoke run (the unit test)
# Extra arguments go to train_v2.py (e.g. --pairs 64 --workers 14).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${OUT:?OUT must name the output folder}"
MINUTES="${MINUTES:-8}"
PY="${PYTHON:-python3}"
WORK="${WORK:-${TMPDIR:-/tmp}/shapes-seem-v2-work}"
mkdir -p "$OUT" "$WORK"
{ nvidia-smi || echo "nvidia-smi: not available here"; } >"$OUT/nvidia-smi.txt" 2>&1
"$PY" -c 'import os, sys, torch, numpy, PIL
print("python", sys.version.split()[0], "torch", torch.__version__, "numpy", numpy.__version__, "cores", os.cpu_count(),
      "cuda", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")' | tee "$OUT/env.txt"
"$PY" models/training/train_v2.py --minutes "$MINUTES" --out "$OUT" --work "$WORK" "$@" 2>&1 | tee "$OUT/train.log"
ls -la "$OUT"
