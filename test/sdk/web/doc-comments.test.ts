import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

// Every declaration the SDK exports carries a doc comment with an @example.
// Re-exports (`export { … } from`) are documented where they are declared.
const sourceDir = join(import.meta.dirname, '../../../sdk/web/src');
const declaration =
  /^export (?:async )?(?:function|class|const|interface|enum|abstract class|type(?! \{))\b/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** The exported declarations of one file that lack a doc comment with an example. */
export function undocumented(text: string): string[] {
  const lines = text.split('\n');
  return lines.flatMap((line, index) => {
    if (!declaration.test(line)) return [];
    let end = index - 1;
    while (end >= 0 && lines[end]!.trim() === '') end--;
    if (!lines[end]?.trim().endsWith('*/')) return [`${index + 1}: ${line}`];
    let start = end;
    while (start >= 0 && !lines[start]!.includes('/**')) start--;
    const comment = lines.slice(start, end + 1).join('\n');
    return comment.includes('@example') ? [] : [`${index + 1}: ${line}`];
  });
}

describe('doc comments of the web SDK', () => {
  it('finds a missing example, so the check can fail', () => {
    expect(undocumented('/** Adds. */\nexport function add() {}')).toHaveLength(1);
    expect(undocumented('export const x = 1;')).toHaveLength(1);
    expect(
      undocumented('/**\n * Adds.\n * @example\n * add();\n */\nexport function add() {}'),
    ).toEqual([]);
  });

  it.each(sources(sourceDir).map((file) => [file.slice(sourceDir.length + 1), file]))(
    '%s documents every export with an example',
    (_name, file) => {
      expect(undocumented(readFileSync(file, 'utf8'))).toEqual([]);
    },
  );
});
