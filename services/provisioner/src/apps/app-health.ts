import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';

export interface HealthAnswer {
  readonly answering: boolean;
  /** The status, or why there was none. */
  readonly detail: string;
}

/** A public DNS name: at least two labels, not an address, not a local name. */
export function isPublicHostname(domain: string): boolean {
  return (
    isIP(domain) === 0 &&
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(domain) &&
    !/(^|\.)(localhost|local|internal|localdomain)$/.test(domain)
  );
}

/**
 * Asks `https://<domain><path>` whether the app answers, the way its users reach it. `connectTo` (local stacks,
 * whose domains resolve nowhere) sends the same request, with the domain as Host, to that origin instead,
 * like curl's `--connect-to`. Only 2xx counts; redirects are not followed.
 */
export function askHealth(
  domain: string,
  path: string,
  { connectTo, timeoutMs }: { readonly connectTo: URL | null; readonly timeoutMs: number },
): Promise<HealthAnswer> {
  const target = connectTo ?? new URL(`https://${domain}`);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const outgoing = send(
      {
        host: target.hostname,
        port: target.port || (target.protocol === 'https:' ? 443 : 80),
        path,
        method: 'GET',
        headers: { host: domain, accept: '*/*', 'user-agent': 'onecommons-provisioner' },
        servername: domain,
        timeout: timeoutMs,
      },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        resolve({ answering: status >= 200 && status < 300, detail: `HTTP ${status}` });
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', (error) => resolve({ answering: false, detail: error.message }));
    outgoing.end();
  });
}
