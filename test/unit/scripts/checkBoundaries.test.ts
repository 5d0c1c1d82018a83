// The layering check (scripts/check-boundaries.mjs): the real tree crosses no
// boundary, and a deliberately wrong import in a small tree of its own is
// reported with the file, the import and the rule.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';

import { checkBoundaries, formatViolation, importSpecifiers, RULES } from '../../../scripts/check-boundaries.mjs';

const ROOT = join(__dirname, '..', '..', '..');

describe('import boundaries', () => {
  it('the repository crosses none', () => {
    const violations = checkBoundaries(ROOT);
    assert.deepEqual(violations.map(formatViolation), []);
  });

  it('finds every form of import, and none in comments', () => {
    const text = [
      "import a from './a.js';",
      "import type { B } from './b.js';",
      "export { c } from './c.js';",
      "export * from './d.js';",
      "import './e.js';",
      "const f = await import('./f.js');",
      "const g = require('g-package');",
      'import {',
      '  h,',
      "} from './h.js';",
      "// import z from './commented.js';",
      "/* import y from './block.js'; */",
      "const url = 'http://example.org/x'; // require('./trailing.js')",
    ].join('\n');
    assert.deepEqual(importSpecifiers(text), ['./a.js', './b.js', './c.js', './d.js', './e.js', './f.js', 'g-package', './h.js']);
  });

  describe('on a tree with wrong imports', () => {
    const root = mkdtempSync(join(tmpdir(), 'boundaries-'));
    after(() => rmSync(root, { recursive: true, force: true }));
    const write = (path: string, text: string): void => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write('common/contract/ai.ts', "import { z } from 'zod';\nexport const x = z.number();\n");
    write('engine/worker/sessions.ts', "import * as ort from 'onnxruntime-node';\nexport const open = ort.InferenceSession;\n");
    write('engine/worker/workerCalls.ts', "import { open } from './sessions.js';\nexport const calls = { open };\n");
    write('engine/protocol.ts', 'export type Call = string;\n');
    // The mistake: the main side of the engine importing a worker file that loads onnxruntime.
    write(
      'engine/engine.ts',
      "import type { Call } from './protocol.js';\nimport { calls } from './worker/workerCalls.js';\nexport const engine: Call = String(calls);\n",
    );
    // Its consequence one level up is not reported again: the file at fault is engine.ts.
    write('core/host/handlers.ts', "import { engine } from '../../engine/engine.js';\nexport const handlers = engine;\n");
    // The renderer reaching into main, and common using Node.
    write('renderer/src/panel.tsx', "import { handlers } from '../../core/host/handlers.js';\nexport const panel = handlers;\n");
    write('common/geometry/file.ts', "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n");
    const violations = checkBoundaries(root);
    const find = (rule: string, file: string) => violations.filter((v) => v.rule === rule && v.file === file);

    it('reports the engine reaching onnxruntime, naming the file, the import and the chain', () => {
      const [v, ...more] = find('onnxruntime-in-worker', 'engine/engine.ts');
      assert.ok(v, violations.map(formatViolation).join('\n'));
      assert.equal(more.length, 0);
      assert.equal(v.specifier, './worker/workerCalls.js');
      assert.equal(v.target, 'onnxruntime-node');
      assert.deepEqual(v.chain, ['engine/engine.ts', 'engine/worker/workerCalls.ts', 'engine/worker/sessions.ts']);
      assert.match(
        formatViolation(v),
        /^engine\/engine\.ts: '\.\/worker\/workerCalls\.js' reaches onnxruntime-node through engine\/worker\/workerCalls\.ts → engine\/worker\/sessions\.ts \[onnxruntime-in-worker: /,
      );
      assert.deepEqual(find('onnxruntime-in-worker', 'core/host/handlers.ts'), [], 'only the file that crosses over is at fault');
    });

    it('reports the renderer importing main and common importing Node', () => {
      const [renderer] = find('renderer-sandbox', 'renderer/src/panel.tsx');
      assert.equal(renderer?.specifier, '../../core/host/handlers.js');
      assert.equal(renderer?.target, 'core/host/handlers.ts');
      const [common] = find('common-shared', 'common/geometry/file.ts');
      assert.equal(common?.specifier, 'node:fs');
      assert.match(common?.problem ?? '', /Node built-ins \(allowed: zod\)/);
    });

    it('reports nothing else: the worker itself may load onnxruntime, and the protocol is shared', () => {
      assert.deepEqual(violations.map((v) => `${v.rule} ${v.file}`).sort(), [
        'common-shared common/geometry/file.ts',
        'onnxruntime-in-worker engine/engine.ts',
        'renderer-sandbox renderer/src/panel.tsx',
      ]);
    });

    it('takes the rules as data', () => {
      const only = RULES.filter((r) => r.name === 'common-shared');
      assert.deepEqual(
        checkBoundaries(root, only).map((v) => v.file),
        ['common/geometry/file.ts'],
      );
    });
  });

  it('exits 1 from the command line on a violation, 0 on the repository', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = join(ROOT, 'scripts', 'check-boundaries.mjs');
    const clean = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    assert.equal(clean.status, 0, clean.stderr);
    assert.match(clean.stdout, /no violation/);
    const bad = mkdtempSync(join(tmpdir(), 'boundaries-cli-'));
    try {
      mkdirSync(join(bad, 'common'));
      writeFileSync(join(bad, 'common', 'x.ts'), "import sharp from 'sharp';\nexport default sharp;\n");
      const run = spawnSync(process.execPath, [script, bad], { encoding: 'utf8' });
      assert.equal(run.status, 1);
      assert.match(run.stderr, /common\/x\.ts: 'sharp' imports the package sharp \(allowed: zod\) \[common-shared: /);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});
