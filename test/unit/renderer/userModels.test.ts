// The desktop app's "Choose model files…": the native dialog's answer is what
// models.add is asked for (its host accepts no other paths), and a cancelled
// dialog adds nothing. The test plays the main process through a scripted bridge.
import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';

import type { useAppStore as UseAppStore } from '../../../renderer/src/store/appStore.js';
import { Script, scriptedBridge, settle, storeOnBridge } from './aiFixtures.js';

const script = new Script();
const bridge = scriptedBridge(script);

describe('user models: the desktop file dialog', () => {
  let store: typeof UseAppStore;

  before(async () => {
    store = await storeOnBridge(bridge);
  });
  after(() => mock.timers.reset());

  it('adds exactly the files chosen in the dialog', async () => {
    const adding = store.getState().chooseAndAddModel();
    await settle();
    await script.answer('dialog.pickModelFiles', { paths: ['/models/enc.onnx', '/models/dec.onnx'] });
    await settle();
    const [add] = script.pending('models.add');
    assert.deepEqual((add?.request as { paths: string[] }).paths, ['/models/enc.onnx', '/models/dec.onnx']);
    await script.fail('models.add', 'stop here');
    await adding;
  });

  it('a cancelled dialog asks for nothing', async () => {
    const adding = store.getState().chooseAndAddModel();
    await settle();
    await script.answer('dialog.pickModelFiles', { paths: [] });
    await adding;
    assert.deepEqual(script.invocations, [], 'no models.add after a cancelled dialog');
  });
});
