import { Injectable } from '@nestjs/common';
import {
  type CloudEvent,
  type DeliverableEvent,
  WEBHOOK_DELIVERABLE_EVENTS,
  type WebhookAudienceKind,
} from '@onecommons/contracts';

/** Who owns an endpoint: an organization, or the platform (an admin made it; it may receive everything). */
export type EndpointOwner =
  { readonly kind: 'platform' } | { readonly kind: 'organization'; readonly id: string };

export interface EventTypeDto {
  readonly type: string;
  readonly description: string;
  readonly audience: WebhookAudienceKind;
}

/** The deliverable events (libs/contracts declares them with their audience) and who may receive each. */
@Injectable()
export class DeliverableTypes {
  private readonly byType = new Map<string, DeliverableEvent>(
    WEBHOOK_DELIVERABLE_EVENTS.map((event) => [event.contract.type, event]),
  );

  get all(): readonly DeliverableEvent[] {
    return WEBHOOK_DELIVERABLE_EVENTS;
  }

  catalogue(): EventTypeDto[] {
    return WEBHOOK_DELIVERABLE_EVENTS.map(({ contract, audience }) => ({
      type: contract.type,
      description: contract.description,
      audience: audience.kind,
    })).sort((a, b) => a.type.localeCompare(b.type));
  }

  isKnown(type: string): boolean {
    return this.byType.has(type);
  }

  /** Whether an owner's endpoint may subscribe to a type: admins' to all, an organization's to non-admin types. */
  maySubscribe(owner: EndpointOwner, type: string): boolean {
    const event = this.byType.get(type);
    if (!event) return false;
    return owner.kind === 'platform' || event.audience.kind !== 'admins';
  }

  /** The organizations an event may reach: all (`everyone`), none but the platform (`[]`), or those it names. */
  recipientsOf(event: CloudEvent): { readonly everyone: boolean; readonly organizations: readonly string[] } {
    const audience = this.byType.get(event.type)?.audience;
    if (audience?.kind === 'everyone') return { everyone: true, organizations: [] };
    if (audience?.kind === 'organization')
      return { everyone: false, organizations: audience.organizationsOf(event.data) };
    return { everyone: false, organizations: [] };
  }
}
