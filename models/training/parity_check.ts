// ONNX (onnxruntime-node) vs PyTorch parity on the full tensors that
// export.py saved to .work/parity/*.bin. Prints the max abs difference per
// output and writes .work/parity_result.json (quoted in MODEL_CARD.md).
//   node --import tsx models/training/parity_check.ts [MODEL_DIR PARITY_WORK_DIR]
// (a v2 export: export_v2.py --out MODEL_DIR writes its tensors to MODEL_DIR-parity)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maxAbsDiff, readParitySummary, runParity } from '../../test/unit/models/parityInputs.js';

async function main(): Promise<void> {
  const [dir, workArg] = process.argv.slice(2);
  const work = workArg ?? join(__dirname, '.work');
  const onnx = dir === undefined ? await runParity(readParitySummary()) : await runParity(readParitySummary(dir), dir);
  const report: Record<string, number> = {};
  for (const [name, data] of Object.entries(onnx)) {
    const buf = readFileSync(join(work, 'parity', `${name}.bin`));
    const ref = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    report[name] = maxAbsDiff(data, ref);
    console.log(`${name.padEnd(18)} n=${String(data.length).padStart(8)} max|onnx - torch| = ${report[name]!.toExponential(2)}`);
  }
  writeFileSync(join(work, 'parity_result.json'), JSON.stringify(report, null, 1));
}

void main();
