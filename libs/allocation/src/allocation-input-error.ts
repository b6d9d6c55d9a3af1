/** Why an allocation input was refused: where (a JSON path like `usage[3].service`) and what is wrong. */
export interface AllocationInputError {
  readonly path: string;
  readonly reason: string;
}

type PathSegment = string | number;

/**
 * Thrown while reading the input and caught by the parser, which turns it into an `AllocationInputError` value.
 * Each enclosing reader prepends its own segment on the way out, so no path string is built unless something is wrong.
 */
export class InputProblem extends Error {
  private readonly segments: PathSegment[] = [];

  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InputProblem';
  }

  under(segment: PathSegment): this {
    this.segments.unshift(segment);
    return this;
  }

  toError(): AllocationInputError {
    return { path: formatPath(this.segments), reason: this.reason };
  }
}

/** Runs `read` and, if it refuses its value, prefixes the problem's path with `segment`. */
export function within<T>(segment: PathSegment, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw error instanceof InputProblem ? error.under(segment) : error;
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `usage[3].service`; names that are not identifiers are quoted (`meters["cpu.seconds"]`); the root is `$`. */
function formatPath(segments: readonly PathSegment[]): string {
  if (segments.length === 0) return '$';
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (!IDENTIFIER.test(segment)) path += `[${JSON.stringify(segment)}]`;
    else path += path === '' ? segment : `.${segment}`;
  }
  return path;
}
