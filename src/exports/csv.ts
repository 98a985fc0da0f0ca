/**
 * Characters that make a spreadsheet read a cell as a formula (CWE-1236),
 * also after leading spaces or invisible (format) characters, and in their
 * full-width and small forms, which some spreadsheets fold to the ASCII ones.
 */
const formulaStart =
  /^(?:\s|\p{Cf}|\u00ad|\u034f|\u180e)*[=+\-@\t\r\uff1d\uff0b\uff0d\uff20\ufe62\ufe63\ufe66\ufe6b]/u;

/** One CSV cell: numbers as they are; text quoted when needed and never runnable as a formula. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (formulaStart.test(text)) text = `'${text}`;
  // A cell with a semicolon or a tab is quoted too: a spreadsheet that splits
  // on either would otherwise start a new cell there, past the check above.
  return /[",;\t\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
