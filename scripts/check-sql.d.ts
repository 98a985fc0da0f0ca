/** Types for the tests of check-sql.js, which stays plain JavaScript with no build step. */
export interface SqlFinding {
  line: number;
  rule: 'raw' | 'interpolation' | 'built-string';
  message: string;
}

export function checkSource(text: string): SqlFinding[];
export function withoutComments(text: string): string;
