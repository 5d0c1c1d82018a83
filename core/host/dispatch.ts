// Validates a raw request from either transport and runs its handler. Every
// outcome is a Result: bad payloads, missing projects and handler failures
// come back as typed errors, never as exceptions across the process boundary.
import { type z } from 'zod';

import { AppError, type ChannelName, channels, fail, isChannelName, ok, type Result } from '../../common/contract/index.js';
import type { Handler, Handlers } from './handlerTypes.js';

export type Dispatch = (channel: unknown, payload: unknown) => Promise<Result<unknown>>;

/** "ops[2].annotation.geometry.box.w: Too small" for the first few issues. */
export function describeZodError(error: z.ZodError): { message: string; path: string } {
  const first = error.issues[0];
  const path = first ? formatPath(first.path) : '';
  const message = error.issues
    .slice(0, 3)
    .map((issue) => `${formatPath(issue.path) || 'payload'}: ${issue.message}`)
    .join('; ');
  return { message, path };
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}

/** A name to quote in an error: never serialise what the client sent, it may be anything. */
function describeChannel(channel: unknown): string {
  if (typeof channel !== 'string') return `(a ${Array.isArray(channel) ? 'list' : typeof channel}, not a name)`;
  return JSON.stringify(channel.length > 64 ? `${channel.slice(0, 64)}…` : channel);
}

export function createDispatch(handlers: Handlers, onInternalError: (error: unknown) => void = console.error): Dispatch {
  return async (channel, payload) => {
    if (!isChannelName(channel)) return fail('bad_request', `Unknown channel ${describeChannel(channel)}`);
    let parsed;
    try {
      parsed = channels[channel].request.safeParse(payload ?? {});
    } catch (error) {
      // A schema never throws on data, but a payload can be built to exhaust the stack.
      onInternalError(error);
      return fail('bad_request', `Invalid request for ${channel}: the payload could not be read.`);
    }
    if (!parsed.success) {
      const { message, path } = describeZodError(parsed.error);
      return fail('bad_request', `Invalid request for ${channel}: ${message}`, path);
    }
    try {
      // The cast is sound: `parsed.data` is the output of this channel's own schema.
      const handler = handlers[channel] as Handler<ChannelName>;
      return ok(await handler(parsed.data as never));
    } catch (error) {
      if (error instanceof AppError) return fail(error.code, error.message, error.path);
      onInternalError(error);
      return fail('internal', `Unexpected error in ${channel}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}
