// The first look at a browser-mode WebSocket frame: its size and its shape
// ({seq, channel, payload}) are checked here, before anything else reads it,
// so no frame can make the host throw (a deeply nested `channel` once did, by
// reaching JSON.stringify in an error message).

/**
 * The largest frame the host reads. The big requests are document changes:
 * accepting every candidate of an image, or undoing a label deletion, which
 * re-sends each annotation that had the label. Measured: a 2,000 px blob with
 * a wavy rim on a 4000×3000 photo is 13 KB of RLE, so 16 MB carries over a
 * thousand such masks in one batch, and a refused frame is dropped as it
 * arrives (a 200 MB one held other clients for under 40 ms).
 */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Channel names are short identifiers ("ai.segment"); anything longer is not one. */
const MAX_CHANNEL_LENGTH = 64;

/**
 * Above this size a frame is refused before it is parsed unless it is a
 * document change: JSON.parse alone takes about a second per 10 MB of small
 * arrays here, and every client waits meanwhile. Prompts, settings and lists
 * are a few kilobytes (20,000 prompt points are about 400 KB).
 */
export const SMALL_FRAME_BYTES = 1024 * 1024;
const LARGE_FRAME_CHANNELS: ReadonlySet<string> = new Set(['document.apply']);
/** The renderer writes {seq, channel, payload} in that order, so a large frame names its channel up front. */
const FRAME_HEAD = /^\{"seq":(\d{1,15}),"channel":"([A-Za-z.]{1,64})"/;

export interface WireFrame {
  seq: number;
  channel: string;
  payload: unknown;
}

export type FrameCheck =
  | { ok: true; frame: WireFrame }
  /** `seq` is set when the frame was a request whose reply can carry the error. */
  | { ok: false; seq: number | null; message: string };

export function readWireFrame(text: string): FrameCheck {
  if (text.length > SMALL_FRAME_BYTES) {
    const head = FRAME_HEAD.exec(text.slice(0, 200));
    if (!head) return { ok: false, seq: null, message: 'Malformed message: a frame over 1 MB must begin with {"seq":N,"channel":"…"' };
    const [, seq, channel] = head;
    if (!LARGE_FRAME_CHANNELS.has(channel!)) {
      const megabytes = (text.length / 1024 / 1024).toFixed(1);
      return { ok: false, seq: Number(seq), message: `Request too large: ${channel} takes at most 1 MB, this one is ${megabytes} MB.` };
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, seq: null, message: 'Malformed message: expected {seq, channel, payload} JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, seq: null, message: 'Malformed message: expected a {seq, channel, payload} object' };
  }
  const { seq, channel, payload } = value as Record<string, unknown>;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    return { ok: false, seq: null, message: 'Malformed message: seq must be a non-negative integer' };
  }
  const extra = Object.keys(value).filter((key) => key !== 'seq' && key !== 'channel' && key !== 'payload');
  if (extra.length > 0) return { ok: false, seq, message: 'Malformed message: only seq, channel and payload are allowed' };
  if (typeof channel !== 'string' || channel.length === 0 || channel.length > MAX_CHANNEL_LENGTH) {
    return {
      ok: false,
      seq,
      message: `Malformed message: channel must be a channel name (a string of at most ${MAX_CHANNEL_LENGTH} characters)`,
    };
  }
  return { ok: true, frame: { seq, channel, payload } };
}
