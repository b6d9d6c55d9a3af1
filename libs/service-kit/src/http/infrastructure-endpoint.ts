import { SetMetadata } from '@nestjs/common';

export const INFRASTRUCTURE_ENDPOINT = Symbol('onecommons:infrastructure-endpoint');

/**
 * Marks a controller that is not part of a service's API (probes, metrics): the access-policy check
 * at boot leaves it alone. Every other endpoint must declare who may call it.
 */
export const InfrastructureEndpoint = () => SetMetadata(INFRASTRUCTURE_ENDPOINT, true);
