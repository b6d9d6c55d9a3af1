import { type ReplayStart } from '@onecommons/kafka';

export interface ReplayArguments {
  readonly from: ReplayStart;
  readonly verify: boolean;
  readonly keep: boolean;
  /** `json`: progress as JSON lines on stdout (for `commons replay`); `text`: a line on stderr now and then. */
  readonly progress: 'json' | 'text';
}

export class ReplayArgumentError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`invalid input: ${path}: ${reason}`);
  }
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export function parseReplayStart(value: string): ReplayStart {
  if (value === 'earliest') return { kind: 'earliest' };
  const at = new Date(value);
  if (!ISO_DATE_TIME.test(value) || Number.isNaN(at.getTime())) {
    throw new ReplayArgumentError(
      '--from',
      `expected "earliest" or an ISO 8601 time with zone, got "${value}"`,
    );
  }
  return { kind: 'time', at };
}

/** `replay [--from earliest|<ISO time>] [--verify] [--keep] [--progress json|text]` */
export function parseReplayArguments(argv: readonly string[]): ReplayArguments {
  let from: ReplayStart = { kind: 'earliest' };
  let verify = false;
  let keep = false;
  let progress: 'json' | 'text' = 'text';
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    const [flag, inline] = argument.startsWith('--')
      ? (argument.split(/=(.*)/s, 2) as [string, string?])
      : [argument];
    const value = () => {
      const given = inline ?? argv[++index];
      if (given === undefined) throw new ReplayArgumentError(flag, 'needs a value');
      return given;
    };
    switch (flag) {
      case '--from':
        from = parseReplayStart(value());
        break;
      case '--verify':
        verify = true;
        break;
      case '--keep':
        keep = true;
        break;
      case '--progress': {
        const given = value();
        if (given !== 'json' && given !== 'text')
          throw new ReplayArgumentError('--progress', 'expected json or text');
        progress = given;
        break;
      }
      default:
        throw new ReplayArgumentError(argument, 'unknown option');
    }
  }
  return { from, verify, keep, progress };
}
