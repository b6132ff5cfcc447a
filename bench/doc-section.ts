/** docs/benchmarks.md by sections: a benchmark run on its own replaces its section (or appends it the first time). */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const file = join(import.meta.dirname, '..', 'docs', 'benchmarks.md');

/** Replaces the section that starts with `heading` (up to the next "## ") by `text`, which starts with it. */
export async function replaceSection(heading: string, text: string): Promise<void> {
  const doc = await readFile(file, 'utf8');
  const start = doc.indexOf(heading);
  if (start < 0) return writeFile(file, `${doc.trimEnd()}\n\n${text}`);
  const after = doc.indexOf('\n## ', start + heading.length);
  await writeFile(file, `${doc.slice(0, start)}${text}${after < 0 ? '' : `\n${doc.slice(after + 1)}`}`);
}
