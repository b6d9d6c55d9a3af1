/**
 * What a service process is for. `serve`: the long-running process (HTTP, consumers, the outbox relay, job
 * workers, schedules and timers). `replay`: rebuilds projections from topics into a fresh schema and exits.
 * `command`: one task on the service's modules (a close, an adjustment), then exits. Only a serving process
 * publishes, consumes, runs jobs or starts recurring work; ask this, not how the backbone was configured.
 */
export type RunModeName = 'serve' | 'replay' | 'command';

export class RunMode {
  constructor(readonly name: RunModeName) {}

  get serves(): boolean {
    return this.name === 'serve';
  }

  get replays(): boolean {
    return this.name === 'replay';
  }
}
