/** A configuration problem found at boot: names every bad variable, never echoes its value (it may be a secret). */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      'Invalid configuration:\n' +
        problems.map((problem) => `  ${problem.variable}: ${problem.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}
