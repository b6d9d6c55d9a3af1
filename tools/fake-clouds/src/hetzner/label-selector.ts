/** `k==v`, `k=v`, `k!=v`, `k`, `!k`, comma-separated: Hetzner's label selector. */
export function matchesSelector(labels: Readonly<Record<string, string>>, selector: string): boolean {
  return selector
    .split(',')
    .map((term) => term.trim())
    .filter((term) => term !== '')
    .every((term) => {
      const unequal = /^([^!=]+)!=(.*)$/.exec(term);
      if (unequal) return labels[unequal[1] as string] !== unequal[2];
      const equal = /^([^!=]+)==?(.*)$/.exec(term);
      if (equal) return labels[equal[1] as string] === equal[2];
      if (term.startsWith('!')) return !(term.slice(1) in labels);
      return term in labels;
    });
}
