// Idle: nothing in flight and no candidate on screen. Prompts that send
// nothing yet may be drawn (a box that only bounds a magic-wand fill, a
// negative seed). A prompt that can be sent moves the session to prompting.
import { SessionState } from './sessionState.js';

export class Idle extends SessionState {
  readonly name = 'idle';
}
