import { collectDefaultMetrics, register } from 'prom-client';

let collecting = false;

/**
 * Node's own metrics (CPU, memory, event-loop lag, GC), named `onecommons_process_*` / `onecommons_nodejs_*`,
 * every series labelled with the service. Once per process: tests boot several apps in one.
 */
export function collectProcessMetrics(service: string): void {
  if (collecting) return;
  collecting = true;
  register.setDefaultLabels({ service });
  collectDefaultMetrics({ prefix: 'onecommons_' });
}
