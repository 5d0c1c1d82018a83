// The Pascal VOC colour map (the devkit's VOClabelcolormap / bitget scheme):
// index 0 background (black), 1.. the classes or objects, 255 the "void"
// border colour (224, 224, 192).
export const VOC_VOID = 255;

export const VOC_PALETTE: readonly (readonly [number, number, number])[] = Array.from({ length: 256 }, (_, index) => {
  let r = 0;
  let g = 0;
  let b = 0;
  let c = index;
  for (let j = 0; j < 8; j++) {
    r |= ((c >> 0) & 1) << (7 - j);
    g |= ((c >> 1) & 1) << (7 - j);
    b |= ((c >> 2) & 1) << (7 - j);
    c >>= 3;
  }
  return [r, g, b] as const;
});

/** Colour → palette index, for PNGs a decoder expanded to RGB. */
export const VOC_INDEX_OF_COLOUR = new Map(VOC_PALETTE.map(([r, g, b], index) => [(r << 16) | (g << 8) | b, index]));
