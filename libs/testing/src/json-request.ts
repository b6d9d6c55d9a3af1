/**
 * A JSON request as a client sends it: body serialised (or sent raw with its content type), bearer credential
 * optional; the answer's status and parsed body.
 */
export async function jsonRequest<Body = Record<string, unknown>>(
  url: string,
  method: string,
  options: { credential?: string; body?: unknown; contentType?: string; rawBody?: string } = {},
): Promise<{ status: number; body: Body }> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(options.body !== undefined || options.rawBody !== undefined
        ? { 'content-type': options.contentType ?? 'application/json' }
        : {}),
      ...(options.credential ? { authorization: `Bearer ${options.credential}` } : {}),
    },
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Body };
}
