import { request as httpRequest } from 'node:http';

/**
 * A GET to `baseUrl` as if addressed to `host` (fetch does not let a caller set Host): how a visitor of a domain
 * reaches the apps behind the fake clouds' edge.
 */
export function getAsHost<T>(
  baseUrl: string,
  host: string,
  path: string,
): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}${path}`, { headers: { host } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T,
        }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}
