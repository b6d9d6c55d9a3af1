import { type ServerIdentity } from '../reconcile/server-identity.js';

export const PROVIDER_APIS = ['hetzner', 'digitalocean'] as const;
export type ProviderApiKind = (typeof PROVIDER_APIS)[number];

/** A server as the provider shows it, in the provisioner's words. */
export interface ObservedServer {
  readonly id: string;
  readonly name: string;
  /** Hetzner's labels; for DigitalOcean, read back from the droplet's tags. */
  readonly labels: Readonly<Record<string, string>>;
  readonly status: 'provisioning' | 'running' | 'stopped' | 'deleting' | 'other';
  /** The provider's own word for it (`initializing`, `new`, `off`, ...). */
  readonly providerStatus: string;
  readonly createdAt: string;
}

export interface ProviderAction {
  readonly id: string;
  readonly status: 'running' | 'success' | 'error';
  readonly error: string | null;
}

export interface CreateServerRequest {
  readonly identity: ServerIdentity;
  readonly region: string;
  readonly size: string;
  readonly image: string;
}

/** The calls the reconcile loop makes to a cloud API; one adapter per API. */
export interface ProviderApi {
  readonly kind: ProviderApiKind;
  /** The servers carrying the deployment's marks (filtered by the API, then checked again here). */
  findServers(identity: ServerIdentity): Promise<ObservedServer[]>;
  createServer(request: CreateServerRequest): Promise<{ server: ObservedServer; actionId: string | null }>;
  getAction(id: string): Promise<ProviderAction>;
  /** Starts deleting a server; its action if the API gives one. */
  deleteServer(id: string): Promise<{ actionId: string | null }>;
}

export type ProviderFailure =
  | 'rate_limited'
  | 'locked'
  | 'conflict'
  | 'not_found'
  | 'unauthorized'
  | 'rejected'
  | 'unavailable'
  | 'timeout'
  | 'held_back';

/** A provider call that did not succeed; `outcomeUnknown` when the provider may have acted anyway. */
export class ProviderCallError extends Error {
  constructor(
    readonly failure: ProviderFailure,
    message: string,
    readonly status: number | null = null,
    /** For `held_back` and `rate_limited`: when a call may be made again. */
    readonly retryAt: Date | null = null,
  ) {
    super(message);
    this.name = 'ProviderCallError';
  }

  /** A timeout or a 5xx: the request may have been carried out. */
  get outcomeUnknown(): boolean {
    return this.failure === 'timeout' || this.failure === 'unavailable';
  }
}
