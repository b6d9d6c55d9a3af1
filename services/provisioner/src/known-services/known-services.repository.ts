import { Injectable } from '@nestjs/common';
import { serviceStateSchema } from '@onecommons/contracts';
import { queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';

const statusColumn = serviceStateSchema.shape.status;

export type KnownServiceStatus = z.output<typeof statusColumn>;

export interface KnownService {
  readonly serviceId: string;
  readonly operatorId: string;
  readonly domain: string;
  readonly status: KnownServiceStatus;
}

const statusRow = z.object({ status: statusColumn });

/** The known_services table: catalog's services as the provisioner last heard of them. */
@Injectable()
export class KnownServicesRepository {
  async upsert(manager: EntityManager, service: KnownService): Promise<void> {
    await manager.query(
      `INSERT INTO known_services (service_id, operator_id, domain, status) VALUES ($1, $2, $3, $4)
       ON CONFLICT (service_id) DO UPDATE SET operator_id = EXCLUDED.operator_id, domain = EXCLUDED.domain,
         status = EXCLUDED.status`,
      [service.serviceId, service.operatorId, service.domain, service.status],
    );
  }

  /** Null when the operator runs no such service (or it is another operator's). */
  async statusOf(
    manager: EntityManager,
    serviceId: string,
    operatorId: string,
  ): Promise<KnownServiceStatus | null> {
    const [service] = await queryRows(
      manager,
      {
        name: 'knownServices.statusOf',
        row: statusRow,
        sql: `SELECT status FROM known_services WHERE service_id = $1 AND operator_id = $2`,
      },
      [serviceId, operatorId],
    );
    return service?.status ?? null;
  }
}
