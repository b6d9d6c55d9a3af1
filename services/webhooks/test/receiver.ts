import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/** What the receiver answers: a status, maybe headers; the default is 204. */
export interface Answer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

/**
 * A real HTTP server on 127.0.0.1 that records every request and answers from a per-path script
 * (`script('/flaky', [500, 500, 204])`): each request takes the next answer, the last one repeats.
 */
export class Receiver {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly requests: ReceivedRequest[],
    private readonly scripts: Map<string, Answer[]>,
  ) {}

  static async start(): Promise<Receiver> {
    const requests: ReceivedRequest[] = [];
    const scripts = new Map<string, Answer[]>();
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        requests.push({
          path,
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        const script = scripts.get(path) ?? [];
        const answer = (script.length > 1 ? script.shift() : script[0]) ?? { status: 204 };
        response
          .writeHead(answer.status, answer.headers)
          .end(answer.status === 204 ? undefined : `answer ${answer.status}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new Receiver(server, (server.address() as { port: number }).port, requests, scripts);
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  script(path: string, answers: readonly (number | Answer)[]): void {
    this.scripts.set(
      path,
      answers.map((answer) => (typeof answer === 'number' ? { status: answer } : answer)),
    );
  }

  /** Requests to a path carrying an event (the webhook body is the CloudEvent). */
  of(path: string, eventId: string): ReceivedRequest[] {
    return this.requests.filter(
      (request) => request.path === path && (JSON.parse(request.body) as { id?: string }).id === eventId,
    );
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
