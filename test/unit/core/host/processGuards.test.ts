import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { AppError, channelNames } from '../../../../common/contract/index.js';
import { createDispatch } from '../../../../core/host/dispatch.js';
import { EventHub } from '../../../../core/host/events.js';
import type { Handlers } from '../../../../core/host/handlerTypes.js';
import { startBrowserHost } from '../../../../server/server.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

describe('process guards', () => {
  it('log an escaped exception and rejection and keep the process running', () => {
    const script = `
      const { installProcessGuards } = require('./core/host/processGuards.ts');
      installProcessGuards((what) => console.log('logged ' + what));
      setTimeout(() => { throw new Error('escaped'); }, 0);
      Promise.reject(new Error('unhandled'));
      setTimeout(() => console.log('still running'), 50);
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /logged unhandled promise rejection/);
    assert.match(run.stdout, /logged uncaught exception/);
    assert.match(run.stdout, /still running$/m);
  });
});

describe('browser host start-up failures', () => {
  it('name a port in use in one line, as an AppError', async () => {
    const handlers = Object.fromEntries(channelNames.map((name) => [name, () => null])) as unknown as Handlers;
    const options = {
      port: 0,
      token: 'guard-token-0123456789',
      rendererDir: mkdtempSync(join(tmpdir(), 'promptlabel-renderer-')),
      dispatch: createDispatch(handlers),
      events: new EventHub(),
      imageBytes: async () => ({ body: Buffer.alloc(0), contentType: 'image/png' }),
    };
    const first = await startBrowserHost(options);
    try {
      await assert.rejects(startBrowserHost({ ...options, port: first.port }), (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.equal(error.code, 'conflict');
        assert.match(error.message, new RegExp(`^Port ${first.port} on 127\\.0\\.0\\.1 is already in use`));
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    } finally {
      await first.close();
    }
  });
});
