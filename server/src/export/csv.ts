import { stringify } from 'csv-stringify/sync';

export type CsvValue = string | number | boolean | null;

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => CsvValue;
}

// A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets. Host
// names, owners and versions come from laptops: `=HYPERLINK(…)` as a host name must stay text.
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell a spreadsheet will not evaluate: a leading apostrophe when it looks like a formula. */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * RFC 4180 CSV with a header line. Only text is neutralized: numbers stay numbers (a negative
 * effect is -0.12, not a formula). A UTF-8 BOM makes Excel read non-ASCII host names right.
 */
export function toCsv<T>(rows: readonly T[], columns: readonly CsvColumn<T>[]): string {
  return stringify(
    rows.map((row) => columns.map((c) => c.value(row))),
    {
      bom: true,
      header: true,
      columns: columns.map((c) => c.header),
      record_delimiter: 'windows',
      cast: { string: neutralizeFormula, boolean: (b) => String(b) },
    },
  );
}
