/** A decoded Stripe request: strings, nested by bracket keys (`items[0][price]`, `metadata[key]`, `expand[]`). */
export type FormValue = string | FormObject | FormValue[];
export interface FormObject {
  [key: string]: FormValue;
}

export class FormEncodingError extends Error {}

/** `a[b][0][c]` → `['a', 'b', '0', 'c']`; `a[]` → `['a', '']`. */
function pathOf(key: string): string[] {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match) throw new FormEncodingError(`malformed parameter name ${key}`);
  const rest = [...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((part) => part[1] ?? '');
  return [match[1] ?? '', ...rest];
}

/**
 * Decodes a form-encoded body or query string the way Stripe reads one: bracketed keys nest, objects
 * whose keys are 0..n-1 become arrays, `[]` appends.
 */
export function decodeForm(encoded: string): FormObject {
  const root: FormObject = {};
  for (const [key, value] of new URLSearchParams(encoded)) {
    const path = pathOf(key);
    let node: FormObject = root;
    for (let index = 0; index < path.length - 1; index++) {
      const segment = path[index] ?? '';
      const next = path[index + 1] === '' ? String(Object.keys(node[segment] ?? {}).length) : undefined;
      const existing = node[segment];
      if (existing === undefined) node[segment] = {};
      else if (typeof existing === 'string' || Array.isArray(existing))
        throw new FormEncodingError(`parameter ${path.slice(0, index + 1).join('.')} is given twice`);
      node = node[segment] as FormObject;
      if (next !== undefined) path[index + 1] = next;
    }
    const last = path.at(-1) ?? '';
    if (node[last] !== undefined) throw new FormEncodingError(`parameter ${key} is given twice`);
    node[last] = value;
  }
  return toArrays(root) as FormObject;
}

function toArrays(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const entries = Object.fromEntries(keys.map((key) => [key, toArrays(value[key] as FormValue)]));
  const indexed = keys.length > 0 && keys.every((key, position) => key === String(position));
  return indexed ? keys.map((key) => entries[key] as FormValue) : entries;
}
