import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { type WebhooksConfig } from '../config.js';
import { nonPublicReasonOf } from './address-ranges.js';

/** A target that passed the guard: the URL and the address to connect to (no second DNS lookup). */
export interface VettedTarget {
  readonly url: URL;
  readonly address: string;
  readonly family: 4 | 6;
}

export const TARGET_REFUSAL_CODES = ['invalid_url', 'unresolvable_host', 'private_target'] as const;

/** Why a target was refused; `field`-less, the caller names the field. */
export class TargetRefusedError extends Error {
  constructor(
    readonly code: (typeof TARGET_REFUSAL_CODES)[number],
    message: string,
  ) {
    super(message);
    this.name = 'TargetRefusedError';
  }
}

/** The URL shapes an endpoint may have: http(s), no credentials in it, a host. */
export function parseTargetUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefusedError('invalid_url', 'must be an absolute http or https URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TargetRefusedError('invalid_url', 'must be an http or https URL');
  if (url.username || url.password)
    throw new TargetRefusedError('invalid_url', 'must not carry credentials (use the signature instead)');
  if (!url.hostname) throw new TargetRefusedError('invalid_url', 'must name a host');
  return url;
}

/**
 * The SSRF guard: a webhook may only reach public internet addresses. Every address the host resolves to
 * is checked (one private answer refuses the target), at registration and again before every attempt,
 * and the attempt connects to the address checked here, so a DNS answer cannot change in between.
 */
@Injectable()
export class TargetGuard {
  private readonly allowPrivate: boolean;

  constructor(@Inject(SERVICE_CONFIG) config: WebhooksConfig) {
    this.allowPrivate = config.WEBHOOKS_ALLOW_PRIVATE_TARGETS;
  }

  async vet(raw: string): Promise<VettedTarget> {
    const url = parseTargetUrl(raw);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const addresses = await this.resolve(host);
    if (!this.allowPrivate) {
      for (const { address } of addresses) {
        const reason = nonPublicReasonOf(address);
        if (reason)
          throw new TargetRefusedError(
            'private_target',
            `resolves to a ${reason.replace('_', '-')} address (${address}); only public addresses are allowed`,
          );
      }
    }
    const [first] = addresses;
    if (!first) throw new TargetRefusedError('unresolvable_host', `${host} has no address`);
    return { url, address: first.address, family: first.family };
  }

  private async resolve(host: string): Promise<readonly { address: string; family: 4 | 6 }[]> {
    const literal = isIP(host);
    if (literal === 4 || literal === 6) return [{ address: host, family: literal }];
    try {
      const answers = await lookup(host, { all: true, verbatim: true });
      return answers.map((answer) => ({ address: answer.address, family: answer.family === 6 ? 6 : 4 }));
    } catch {
      throw new TargetRefusedError('unresolvable_host', `${host} does not resolve`);
    }
  }
}
