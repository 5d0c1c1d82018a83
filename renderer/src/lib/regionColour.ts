// The colours of the scribble regions (watershed: one mask per region), read
// by the canvas that draws the strokes and masks and by the panel that offers
// the regions, so both say the same colour for the same region.

/** A positive prompt (point, scribble): region 1 is this ordinary positive green. */
export const POSITIVE_COLOUR = '#22c55e';

/** Scribble regions 1–4. */
export const REGION_COLOURS: readonly string[] = [POSITIVE_COLOUR, '#3b82f6', '#f59e0b', '#d946ef'];

/** The colour of a region (0-based; a scribble without one is region 0). */
export const regionColour = (region: number | undefined): string => REGION_COLOURS[(region ?? 0) % REGION_COLOURS.length]!;
