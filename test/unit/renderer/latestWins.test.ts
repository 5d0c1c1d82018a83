import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LatestWins, Throttle } from '../../../renderer/src/lib/latestWins.js';

/** A request the test answers by hand. */
interface Sent {
  request: string;
  seq: number;
  resolve: (answer: string) => void;
  reject: (error: Error) => void;
}

function harness() {
  const state = { value: 'a' as string | null };
  const sent: Sent[] = [];
  const answers: string[] = [];
  const errors: string[] = [];
  const busy: boolean[] = [];
  const runner = new LatestWins<string, string>({
    build: () => state.value,
    send: (request, seq) =>
      new Promise<string>((resolve, reject) => {
        sent.push({ request, seq, resolve, reject });
      }),
    onAnswer: (answer) => void answers.push(answer),
    onError: (error) => void errors.push(error instanceof Error ? error.message : String(error)),
    onBusyChange: (b) => void busy.push(b),
  });
  return { state, sent, answers, errors, busy, runner };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('latest wins: one request in flight; what is asked meanwhile becomes ONE request built from the newest state', async () => {
  const h = harness();
  h.runner.request();
  assert.equal(h.sent.length, 1);
  // A box dragged over five positions while the first answer is computed.
  for (const value of ['b', 'c', 'd', 'e', 'f']) {
    h.state.value = value;
    h.runner.request();
  }
  assert.equal(h.sent.length, 1, 'nothing is queued while a request is in flight');
  h.sent[0]!.resolve('answer a');
  await settle();
  assert.deepEqual(h.answers, ['answer a'], 'answers arrive in order, so the box is followed');
  assert.deepEqual(
    h.sent.map((s) => s.request),
    ['a', 'f'],
    'the stale positions b–e were never sent',
  );
  assert.equal(h.sent[1]!.seq, 2);
  h.sent[1]!.resolve('answer f');
  await settle();
  assert.deepEqual(h.answers, ['answer a', 'answer f']);
  assert.equal(h.runner.busy, false);
  assert.deepEqual(h.busy.at(-1), false);
});

test('latest wins: reset drops the answers of requests already sent and frees the way at once', async () => {
  const h = harness();
  h.runner.request();
  h.runner.reset();
  assert.equal(h.runner.busy, false);
  h.state.value = 'new image';
  h.runner.request();
  assert.equal(h.sent.length, 2, 'the new request does not wait for the abandoned one');
  h.sent[0]!.resolve('stale');
  h.sent[1]!.resolve('fresh');
  await settle();
  assert.deepEqual(h.answers, ['fresh']);
  h.runner.request();
  h.runner.reset();
  h.sent[2]!.reject(new Error('too late to matter'));
  await settle();
  assert.deepEqual(h.errors, [], 'errors of abandoned requests are not shown either');
});

test('latest wins: errors are reported and the pending request still goes out', async () => {
  const h = harness();
  h.runner.request();
  h.state.value = 'b';
  h.runner.request();
  h.sent[0]!.reject(new Error('points outside the image'));
  await settle();
  assert.deepEqual(h.errors, ['points outside the image']);
  assert.deepEqual(
    h.sent.map((s) => s.request),
    ['a', 'b'],
  );
});

test('latest wins: a throwing send or answer handler is an error, not a stuck runner', async () => {
  const errors: string[] = [];
  let calls = 0;
  const runner = new LatestWins<string, string>({
    build: () => 'x',
    send: () => {
      calls++;
      if (calls === 1) throw new Error('bridge gone');
      return Promise.resolve('ok');
    },
    onAnswer: () => {
      throw new Error('bad answer');
    },
    onError: (error) => void errors.push((error as Error).message),
  });
  runner.request();
  await settle();
  assert.equal(runner.busy, false);
  runner.request();
  await settle();
  assert.deepEqual(errors, ['bridge gone', 'bad answer']);
  assert.equal(runner.busy, false);
});

test('latest wins: nothing to ask sends nothing; whenIdle waits for in-flight and pending work', async () => {
  const h = harness();
  h.state.value = null;
  h.runner.request();
  assert.equal(h.sent.length, 0);
  await h.runner.whenIdle();

  h.state.value = 'a';
  h.runner.request();
  h.state.value = 'b';
  h.runner.request();
  let idle = false;
  void h.runner.whenIdle().then(() => (idle = true));
  h.sent[0]!.resolve('1');
  await settle();
  assert.equal(idle, false, 'the pending request went out: not idle yet');
  h.sent[1]!.resolve('2');
  await settle();
  assert.equal(idle, true);

  h.runner.request();
  let idleAfterReset = false;
  void h.runner.whenIdle().then(() => (idleAfterReset = true));
  h.runner.reset();
  await settle();
  assert.equal(idleAfterReset, true, 'a reset releases the waiters');
});

test('throttle: the first call runs at once, calls in the cool-down fold into one trailing run, then it rests', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const state = { value: 0 };
  const runs: number[] = [];
  const throttle = new Throttle(() => runs.push(state.value), 60);
  state.value = 1;
  throttle.schedule();
  assert.deepEqual(runs, [1]);
  for (const v of [2, 3, 4]) {
    state.value = v;
    throttle.schedule();
  }
  t.mock.timers.tick(59);
  assert.deepEqual(runs, [1], 'nothing before the interval is over');
  t.mock.timers.tick(1);
  assert.deepEqual(runs, [1, 4], 'one trailing run, with the state as it is then');
  t.mock.timers.tick(60);
  assert.deepEqual(runs, [1, 4], 'no run without a call');
  t.mock.timers.tick(1000);
  state.value = 5;
  throttle.schedule();
  assert.deepEqual(runs, [1, 4, 5], 'after resting, a call runs at once again');
  state.value = 6;
  throttle.schedule();
  throttle.cancel();
  t.mock.timers.tick(1000);
  assert.deepEqual(runs, [1, 4, 5], 'cancel drops the trailing run');
  state.value = 7;
  throttle.schedule();
  assert.deepEqual(runs, [1, 4, 5, 7], 'and frees the way');
  assert.throws(() => new Throttle(() => undefined, Number.NaN), /interval/);
});
