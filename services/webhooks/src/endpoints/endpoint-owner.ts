import { type ApiKeyPrincipal, type Principal } from '@onecommons/auth';
import { type EndpointOwner } from '../event-types/deliverable-types.js';

/** A caller of the endpoints API: a platform admin (any endpoint) or an organization's key (its own). */
export function ownerOf(caller: Principal | ApiKeyPrincipal): EndpointOwner {
  return caller.kind === 'api_key'
    ? { kind: 'organization', id: caller.organizationId }
    : { kind: 'platform' };
}

/** Who made something, for the record: the key or the account. */
export function actorOf(caller: Principal | ApiKeyPrincipal): string {
  return caller.kind === 'api_key' ? `api_key:${caller.keyId}` : `account:${caller.subject}`;
}
