// The AI prompt panel as a test reads it: the candidate state it publishes on
// its data-* attributes, and what the host stored once a candidate is accepted.
import type { Locator, Page } from 'playwright-core';

import type { Annotation } from '../../../common/contract/index.js';
import { hostCall } from './hostCall.js';

export interface PromptPanelHelpers {
  panel(): Locator;
  /** The panel's `data-<name>` attribute ('' when absent). */
  panelAttribute(name: string): Promise<string>;
  /** Waits until a candidate set other than `previous` is shown and nothing is in flight; returns its id. */
  nextCandidate(previous: string): Promise<string>;
  /** Waits until no candidate set is shown. */
  noCandidate(): Promise<void>;
  /** The annotations the host holds for `imageId`. */
  stored(imageId: number): Promise<Annotation[]>;
  /** Waits until the status bar says every change is saved. */
  waitSaved(): Promise<void>;
}

export interface PromptPanelOptions {
  /** How long nextCandidate waits for a candidate (a slow provider needs longer). */
  candidateTimeoutMs?: number;
}

/**
 * `page` is read on every call, so the helpers can be made in a describe body
 * before its before() hook has opened the page.
 */
export function promptPanelHelpers(page: () => Page, { candidateTimeoutMs = 30_000 }: PromptPanelOptions = {}): PromptPanelHelpers {
  if (!(candidateTimeoutMs > 0)) throw new Error(`candidateTimeoutMs must be positive (got ${candidateTimeoutMs})`);
  const panel = () => page().getByTestId('prompt-panel');
  const panelAttribute = async (name: string) => (await panel().getAttribute(`data-${name}`)) ?? '';
  return {
    panel,
    panelAttribute,
    async nextCandidate(previous) {
      await page().waitForFunction(
        (previousId) => {
          const element = document.querySelector<HTMLElement>('[data-testid="prompt-panel"]');
          const id = element?.dataset.candidateSetId ?? '';
          return id !== '' && id !== previousId && element?.dataset.pending === '0';
        },
        previous,
        { timeout: candidateTimeoutMs },
      );
      return panelAttribute('candidate-set-id');
    },
    async noCandidate() {
      await page().waitForFunction(
        () => document.querySelector<HTMLElement>('[data-testid="prompt-panel"]')?.dataset.candidateSetId === '',
      );
    },
    stored: (imageId) => hostCall(page(), 'annotations.list', { imageId }),
    waitSaved: () => page().locator('[data-testid="save-state"][data-state="saved"]').waitFor(),
  };
}
