import { z } from 'zod';
import {
  type OrganizationGrant,
  ORGANIZATION_KINDS,
  ORGANIZATION_ROLES,
  PLATFORM_ROLES,
  type PlatformRole,
  type Principal,
} from '../access-token.js';
import { AuthError } from '../auth-errors.js';
import { InternalJsonClient } from '../internal-client.js';
import { type AccessDirectory } from './access-directory.js';

/** Identity's answer to `POST /v1/internal/access`: what the account is right now. */
export const liveAccessAnswer = z.object({
  platformRoles: z.array(z.enum(PLATFORM_ROLES)),
  membership: z
    .object({
      id: z.string(),
      kind: z.enum(ORGANIZATION_KINDS),
      role: z.enum(ORGANIZATION_ROLES),
    })
    .nullable(),
});
export type LiveAccessAnswer = z.output<typeof liveAccessAnswer>;

const unavailable = () =>
  new AuthError('unavailable', 'auth_unavailable', 'Access cannot be checked right now; retry later.');

/**
 * Asks identity, on each request, what the account is now: for endpoints that move money, a revoked role or a
 * removed member stops at once instead of when the access token expires. Identity could not answer: 503.
 */
export class RemoteAccessDirectory implements AccessDirectory {
  private readonly client: InternalJsonClient;

  constructor(accessUrl: string, internalToken: string, timeoutMs = 5_000) {
    this.client = new InternalJsonClient(accessUrl, internalToken, timeoutMs);
  }

  async platformRolesOf(principal: Principal): Promise<readonly PlatformRole[]> {
    return (await this.ask({ accountId: principal.subject })).platformRoles;
  }

  async membershipOf(principal: Principal, organizationId: string): Promise<OrganizationGrant | null> {
    return (await this.ask({ accountId: principal.subject, organizationId })).membership;
  }

  private async ask(question: { accountId: string; organizationId?: string }): Promise<LiveAccessAnswer> {
    let body: unknown;
    try {
      body = await this.client.post(question);
    } catch {
      throw unavailable();
    }
    const answer = liveAccessAnswer.safeParse(body);
    if (!answer.success) throw unavailable();
    return answer.data;
  }
}
