import { lagSummary } from '../stack/consumer-lag-report.js';
import { type StatusReport } from '../stack/stack.js';

/** `./dev status` for people: one line per component, a service's consumer lag in a few words. */
export function statusLines(report: StatusReport): string[] {
  return [
    `gateway   ${report.gateway}  ${report.gatewayUp ? 'up' : 'down'}`,
    `kafka     ${report.kafka.bootstrap}  ${report.kafka.up ? 'up' : 'down'}`,
    `mail      ${report.mailInbox.url}  ${report.mailInbox.up ? 'up' : 'down'}`,
    ...Object.entries(report.services).map(([name, service]) =>
      [
        `${name.padEnd(12)}${service.url}`,
        (service.ready ? 'ready    ' : 'NOT READY') +
          (service.replicas ? ` ${service.replicas.ready}/${service.replicas.of} replicas` : ''),
        lagSummary(service.consumer),
      ]
        .join('  ')
        .trimEnd(),
    ),
  ];
}
