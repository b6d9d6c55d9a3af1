import { Inject, Injectable } from '@nestjs/common';
import { uuidV7 } from '@onecommons/contracts';
import { decodeCursor, type Page, pageOf, type PageQuery, SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { type WebhooksConfig } from '../config.js';
import { DeliverableTypes, type EndpointOwner } from '../event-types/deliverable-types.js';
import { TargetGuard, TargetRefusedError } from '../targets/target-guard.js';
import { WebhooksError } from '../webhooks-errors.js';
import {
  type CreateEndpointDto,
  type EndpointDto,
  type EndpointWithSecretDto,
  type UpdateEndpointDto,
} from './endpoints.dto.js';
import { type Endpoint, EndpointsRepository } from './endpoints.repository.js';
import { generateSigningSecret, SecretSealer } from './signing-secrets.js';

/** `organization_id` filter of an owner: an organization sees only its endpoints, admins see all. */
const scopeOf = (owner: EndpointOwner): string | null => (owner.kind === 'organization' ? owner.id : null);

const notFound = () => WebhooksError.notFound('endpoint_not_found', 'No such endpoint.');

/** Partners' endpoints: registered, listed, changed, disabled, their secret rotated, deleted. */
@Injectable()
export class EndpointsService {
  private readonly graceHours: number;
  private readonly maxEndpoints: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly endpoints: EndpointsRepository,
    private readonly types: DeliverableTypes,
    private readonly guard: TargetGuard,
    private readonly sealer: SecretSealer,
    @Inject(SERVICE_CONFIG) config: WebhooksConfig,
  ) {
    this.graceHours = config.WEBHOOKS_SECRET_ROTATION_GRACE_HOURS;
    this.maxEndpoints = config.WEBHOOKS_MAX_ENDPOINTS_PER_ORGANIZATION;
  }

  async create(
    owner: EndpointOwner,
    actor: string,
    input: CreateEndpointDto,
  ): Promise<EndpointWithSecretDto> {
    this.checkEventTypes(owner, input.eventTypes);
    const url = await this.vetUrl(input.url);
    const id = uuidV7();
    const secret = generateSigningSecret();
    return this.dataSource.transaction(async (manager) => {
      await this.checkEndpointBound(manager, owner);
      const endpoint = await this.endpoints.create(manager, {
        id,
        organizationId: scopeOf(owner),
        url,
        description: input.description,
        eventTypes: input.eventTypes,
        secretSealed: this.sealer.seal(secret, id),
        createdBy: actor,
      });
      return { ...toEndpointDto(endpoint), secret };
    });
  }

  /**
   * Refuses a new endpoint when its owner has WEBHOOKS_MAX_ENDPOINTS_PER_ORGANIZATION already. A transaction
   * lock per owner makes concurrent registrations count one after another, so they cannot overshoot.
   */
  private async checkEndpointBound(manager: EntityManager, owner: EndpointOwner): Promise<void> {
    const scope = scopeOf(owner);
    await this.endpoints.lockRegistrationsOf(manager, scope);
    if ((await this.endpoints.countOf(manager, scope)) >= this.maxEndpoints)
      throw WebhooksError.conflict(
        'limit_reached',
        `An organization may have at most ${this.maxEndpoints} webhook endpoints; delete one first.`,
      );
  }

  async list(owner: EndpointOwner, query: PageQuery): Promise<Page<EndpointDto>> {
    const endpoints = await this.endpoints.page(
      this.dataSource.manager,
      scopeOf(owner),
      decodeCursor(query.cursor),
      query.limit + 1,
    );
    return pageOf(endpoints, query.limit, toEndpointDto);
  }

  async get(owner: EndpointOwner, endpointId: string): Promise<EndpointDto> {
    return toEndpointDto(await this.find(this.dataSource.manager, owner, endpointId));
  }

  async update(owner: EndpointOwner, endpointId: string, input: UpdateEndpointDto): Promise<EndpointDto> {
    const url = input.url === undefined ? undefined : await this.vetUrl(input.url);
    return this.dataSource.transaction(async (manager) => {
      const current = await this.find(manager, owner, endpointId, true);
      const endpointOwner: EndpointOwner = current.organizationId
        ? { kind: 'organization', id: current.organizationId }
        : { kind: 'platform' };
      if (input.eventTypes) this.checkEventTypes(endpointOwner, input.eventTypes);
      const enabled = input.enabled ?? current.enabled;
      const disabledReason = enabled ? null : input.enabled === false ? 'manual' : current.disabledReason;
      const endpoint = await this.endpoints.update(manager, endpointId, {
        url: url ?? current.url,
        description: input.description ?? current.description,
        eventTypes: input.eventTypes ?? current.eventTypes,
        enabled,
        disabledReason,
      });
      return toEndpointDto(endpoint);
    });
  }

  /** A new secret, shown once; the previous one keeps signing beside it for the grace period. */
  async rotateSecret(owner: EndpointOwner, endpointId: string): Promise<EndpointWithSecretDto> {
    return this.dataSource.transaction(async (manager) => {
      await this.find(manager, owner, endpointId, true);
      const secret = generateSigningSecret();
      const endpoint = await this.endpoints.rotateSecret(
        manager,
        endpointId,
        this.sealer.seal(secret, endpointId),
        this.graceHours,
      );
      return { ...toEndpointDto(endpoint), secret };
    });
  }

  /** Deletes the endpoint with its delivery log; pending deliveries are dropped. */
  async delete(owner: EndpointOwner, endpointId: string): Promise<void> {
    if (!(await this.endpoints.delete(this.dataSource.manager, scopeOf(owner), endpointId))) throw notFound();
  }

  /** The endpoint if the owner may see it; another organization's endpoint is as absent as a missing one. */
  async find(
    manager: EntityManager,
    owner: EndpointOwner,
    endpointId: string,
    lock = false,
  ): Promise<Endpoint> {
    const endpoint = await this.endpoints.inScope(manager, scopeOf(owner), endpointId, lock);
    if (!endpoint) throw notFound();
    return endpoint;
  }

  private checkEventTypes(owner: EndpointOwner, types: readonly string[]): void {
    const unknown = types.find((type) => !this.types.isKnown(type));
    if (unknown)
      throw WebhooksError.invalid(
        'unknown_event_type',
        `${unknown} is not a deliverable event type (see GET /api/webhooks/v1/event-types)`,
        'eventTypes',
      );
    const refused = types.find((type) => !this.types.maySubscribe(owner, type));
    if (refused)
      throw WebhooksError.forbidden(
        'event_type_not_allowed',
        `${refused} is delivered to platform admins only`,
        'eventTypes',
      );
  }

  private async vetUrl(raw: string): Promise<string> {
    try {
      return (await this.guard.vet(raw)).url.toString();
    } catch (error) {
      if (error instanceof TargetRefusedError) throw WebhooksError.invalid(error.code, error.message, 'url');
      throw error;
    }
  }
}

function toEndpointDto(endpoint: Endpoint): EndpointDto {
  return {
    id: endpoint.id,
    organizationId: endpoint.organizationId,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    previousSecretExpiresAt: endpoint.previousSecretExpiresAt?.toISOString() ?? null,
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}
