import { printable } from './printable.js';

export interface Section {
  title: string;
  rows: [label: string, value: string][];
}

/** Titled sections of label/value rows, with one value column aligned across all sections. */
export function formatSections(sections: Section[]): string {
  const labels = sections.flatMap((section) => section.rows.map(([label]) => label.length));
  const width = Math.max(0, ...labels);

  return sections
    .map((section) => {
      // Values come from docker, WSL and files on the machine: escape what could drive a terminal.
      const rows = section.rows.map(
        ([label, value]) => `  ${label.padEnd(width)}  ${printable(value)}`,
      );
      return [section.title, ...rows].join('\n');
    })
    .join('\n\n');
}
