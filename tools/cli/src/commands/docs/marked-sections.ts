/**
 * Generated parts of a hand-written page: each sits between `<!-- <prefix>:<name> -->` and
 * `<!-- /<prefix>:<name> -->`, and only that part is ever rewritten.
 */
export class MarkedSections {
  constructor(private readonly prefix: string) {}

  /** Section name → its current content (without the marker lines). */
  read(text: string): Map<string, string> {
    const sections = new Map<string, string>();
    const pattern = new RegExp(
      `<!-- ${escape(this.prefix)}:([\\w-]+) -->\\n([\\s\\S]*?)\\n?<!-- /${escape(this.prefix)}:\\1 -->`,
      'g',
    );
    for (const match of text.matchAll(pattern)) sections.set(match[1] as string, match[2] as string);
    return sections;
  }

  /** The page with every named section's content replaced; throws naming any section the page lacks. */
  replace(text: string, contents: ReadonlyMap<string, string>): string {
    const missing = [...contents.keys()].filter((name) => !this.read(text).has(name));
    if (missing.length > 0)
      throw new Error(
        `the page has no ${missing.map((name) => `<!-- ${this.prefix}:${name} -->`).join(', ')} section`,
      );
    let result = text;
    for (const [name, content] of contents) {
      const pattern = new RegExp(
        `(<!-- ${escape(this.prefix)}:${escape(name)} -->\\n)[\\s\\S]*?\\n?(<!-- /${escape(this.prefix)}:${escape(name)} -->)`,
      );
      result = result.replace(pattern, (_match, start: string, end: string) => `${start}${content}\n${end}`);
    }
    return result;
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
