/**
 * Characters that make a spreadsheet read a cell as a formula (CWE-1236),
 * also after leading spaces or invisible characters, and in their full-width
 * forms, which some spreadsheets fold to the ASCII ones.
 */
const formulaStart = /^(?:\s|\u200b|\u200c|\u200d|\u2060)*[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/u;

/** One CSV cell: numbers as they are; text quoted when needed and never runnable as a formula. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (formulaStart.test(text)) text = `'${text}`;
  // A cell with a semicolon is quoted too: a spreadsheet set to split on
  // semicolons would otherwise start a new cell there, past the check above.
  return /[",;\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
