import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { INFRASTRUCTURE_ENDPOINT } from '@onecommons/service-kit';
import { ACCESS_POLICY } from './access-policy.js';

/**
 * Refuses to start a service with an endpoint that declares no access policy: an endpoint nobody
 * decided about would otherwise be open to everyone.
 */
@Injectable()
export class AccessPolicyAudit implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const undeclared = undeclaredEndpoints(this.discovery, this.scanner, this.reflector);
    if (undeclared.length > 0)
      throw new Error(
        `endpoints without an access policy (@Public, @Authenticated, …): ${undeclared.join(', ')}`,
      );
  }
}

export function undeclaredEndpoints(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  reflector: Reflector,
): string[] {
  const undeclared: string[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
    if (!controller || reflector.get(INFRASTRUCTURE_ENDPOINT, controller)) continue;
    const prototype = controller.prototype as Record<string, unknown>;
    for (const method of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[method] as (...args: unknown[]) => unknown;
      const isRoute = Reflect.getMetadata('path', handler) !== undefined;
      if (isRoute && !reflector.getAllAndOverride(ACCESS_POLICY, [handler, controller]))
        undeclared.push(`${controller.name}.${method}`);
    }
  }
  return undeclared;
}
