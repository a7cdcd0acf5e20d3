/** A label to place: the pixel of its line and its width. */
export interface LabelBox {
  x: number;
  width: number;
}

export interface PlacedLabel {
  /** The label's left edge, in the same pixels as `x`. */
  left: number;
  /** 0 is the row nearest the plot. */
  row: number;
  /** Drawn to the left of its line: to the right it would run past the chart. */
  flipped: boolean;
  /** No row had room: it overlaps a neighbour or a stem. */
  crowded: boolean;
}

/**
 * Places labels as flags on their lines, in rows above the plot: each starts at its line (or
 * ends there, when it would run past the right edge), in the lowest row where it overlaps no
 * other label and no stem (the line's continuation from a higher label down to the plot)
 * crosses a label. Flags that crowd each other stack best as a staircase, the first line's
 * label highest, so both orders are tried and the one with the fewest crowded labels is kept.
 */
export function placeLabels(
  boxes: readonly LabelBox[],
  bounds: { left: number; right: number },
  rows: number,
  gap = 4,
): PlacedLabel[] {
  const byX = boxes.map((_, i) => i).sort((a, b) => (boxes[a]?.x ?? 0) - (boxes[b]?.x ?? 0));
  const rightFirst = placeInOrder(boxes, [...byX].reverse(), bounds, rows, gap);
  const leftFirst = placeInOrder(boxes, byX, bounds, rows, gap);
  const crowded = (placed: PlacedLabel[]) => placed.filter((p) => p.crowded).length;

  return crowded(leftFirst) < crowded(rightFirst) ? leftFirst : rightFirst;
}

function placeInOrder(
  boxes: readonly LabelBox[],
  order: number[],
  bounds: { left: number; right: number },
  rows: number,
  gap: number,
): PlacedLabel[] {
  const placed: { left: number; right: number; row: number; stem: number }[] = [];
  const result = new Array<PlacedLabel>(boxes.length);

  for (const i of order) {
    const { x, width } = boxes[i] ?? { x: 0, width: 0 };
    const flipped = x + width > bounds.right && x - width >= bounds.left;
    const left = flipped ? x - width : Math.max(bounds.left, Math.min(x, bounds.right - width));
    const right = left + width;

    // A stem runs from its label down to the plot, through the rows below; lines a pixel or
    // two apart share a stem.
    const crosses = (stem: number, other: number, l: number, r: number) =>
      Math.abs(stem - other) > 2 && stem > l - gap && stem < r + gap;
    const fits = (row: number) =>
      placed.every((p) => {
        if (p.row === row) return right + gap <= p.left || p.right + gap <= left;
        return p.row > row
          ? !crosses(p.stem, x, left, right)
          : !crosses(x, p.stem, p.left, p.right);
      });

    let row = Array.from({ length: rows }, (_, r) => r).find(fits) ?? -1;
    const crowded = row < 0;
    if (crowded) row = rows - 1;
    placed.push({ left, right, row, stem: x });
    result[i] = { left, row, flipped, crowded };
  }
  return result;
}
