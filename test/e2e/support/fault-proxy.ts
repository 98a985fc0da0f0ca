import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request that a fault matches. */
export type Fault =
  /** Answer in the server's place; the server never sees the request. */
  | { kind: 'respond'; status: number; headers?: Record<string, string>; body?: unknown }
  /** Close the connection before the request reaches the server. */
  | { kind: 'cut-before' }
  /** Pass the request on, let the server store it, then close the connection unanswered. */
  | { kind: 'cut-after' };

interface Rule {
  matches: (method: string, path: string) => boolean;
  fault: Fault;
  /** How many more requests it applies to; Infinity until cleared. */
  remaining: number;
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
  /** The fault applied, or 'passed'. */
  outcome: Fault['kind'] | 'passed';
  status?: number;
  /** The server's answer headers, for requests passed on. */
  answerHeaders?: IncomingMessage['headers'];
}

/**
 * An HTTP proxy on 127.0.0.1 in front of a real server, which can be told to
 * break chosen requests the way networks and busy servers do. Every request
 * it sees is recorded, so a test can check what the SDK sent and when.
 */
export class FaultProxy {
  readonly seen: SeenRequest[] = [];
  private readonly rules: Rule[] = [];
  private server: Server | undefined;
  url = '';

  /**
   * Decides a fault for a request before the rules do, for faults that
   * depend on more than a path prefix; undefined leaves it to the rules.
   */
  intercept: ((path: string, method: string) => Fault | undefined) | undefined;

  /** The server behind the proxy; may change, e.g. when the server restarts on a new port. */
  constructor(public upstream: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Applies a fault to the next `times` requests whose path starts with `pathPrefix`. */
  fail(pathPrefix: string, fault: Fault, times = 1, method = 'POST'): void {
    this.rules.push({
      matches: (m, path) => m === method && path.startsWith(pathPrefix),
      fault,
      remaining: times,
    });
  }

  /** Cuts every API request until `restore()`: the network is down. */
  cutNetwork(): void {
    this.rules.push({
      matches: (_m, path) => path.startsWith('/api/'),
      fault: { kind: 'cut-before' },
      remaining: Infinity,
    });
  }

  restore(): void {
    this.rules.length = 0;
  }

  /** Requests to a path, in order. */
  requestsTo(pathPrefix: string): SeenRequest[] {
    return this.seen.filter((seen) => seen.path.startsWith(pathPrefix));
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const chosen = this.intercept?.(path, method);
    if (chosen !== undefined) return chosen;
    const rule = this.rules.find((r) => r.remaining > 0 && r.matches(method, path));
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    return rule.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const fault = this.takeFault(method, path);
    const seen: SeenRequest = {
      method,
      path,
      headers: req.headers,
      body: body.toString('utf8'),
      at: Date.now(),
      outcome: fault?.kind ?? 'passed',
    };
    this.seen.push(seen);

    if (fault?.kind === 'cut-before') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'respond') {
      seen.status = fault.status;
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(JSON.stringify(fault.body ?? {}));
      return;
    }
    try {
      const answer = await this.forward(req, body);
      seen.status = answer.status;
      seen.answerHeaders = answer.headers;
      if (fault?.kind === 'cut-after') {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    } catch {
      req.socket.destroy();
    }
  }

  private forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
    const target = new URL(req.url ?? '/', this.upstream);
    const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(target, { method: req.method, headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (part: Buffer) => parts.push(part));
        answer.on('end', () => {
          // Hop-by-hop headers belong to the proxy's own connection to the server.
          const kept = { ...answer.headers };
          delete kept.connection;
          delete kept['keep-alive'];
          resolve({ status: answer.statusCode ?? 502, headers: kept, body: Buffer.concat(parts) });
        });
        answer.on('error', reject);
      });
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}
