import { Injectable } from '@nestjs/common';
import { type Principal } from '@onecommons/auth';
import {
  AgreementMadeV1,
  AgreementTermsScheduledV1,
  AgreementUpdatedV1,
  type CloudEvent,
  createEvent,
  uuidV7,
} from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { DataSource, type EntityManager } from 'typeorm';
import { CatalogError } from '../catalog-errors.js';
import { CATALOG_SOURCE } from '../catalog-events.js';
import { ProjectsRepository } from '../projects/projects.repository.js';
import { ServicesRepository } from '../services/services.repository.js';
import { type AgreementTerms, agreementCuts, cutEffectiveFrom, scheduleDue } from '../terms/share-cuts.js';
import { type Agreement, AgreementsRepository } from './agreements.repository.js';

export interface AgreementDto {
  readonly id: string;
  readonly projectId: string;
  readonly operatorId: string;
  /** The terms in force now. */
  readonly developerBps: number;
  /** Made binding by the project: its share then applies to every operator running the project. */
  readonly binding: boolean;
  /** Terms that lower another party's share wait for the next period (docs/trust-rules.md); null when none wait. */
  readonly scheduledTerms: {
    readonly developerBps: number;
    readonly binding: boolean;
    readonly effectiveFrom: string;
  } | null;
  /** A platform admin approved this operator's agreement for binding without a service of the project. */
  readonly bindingApproved: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Operator–project agreements. The operator offers a developer share for its services of the project;
 * the project's owners may make an agreement binding, which sets a floor for every operator. An operator
 * changing its terms ends the binding: the project must accept the new terms again.
 *
 * Nobody cuts another party's share alone (docs/trust-rules.md): a binding needs an operator that runs an active service
 * of the project (or an admin's approval), and a change that lowers another party's share (a binding on the
 * other operators, a lower share or an ended binding for the project) applies from the next period, announced
 * by AgreementTermsScheduled.
 */
@Injectable()
export class AgreementsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly agreements: AgreementsRepository,
    private readonly projects: ProjectsRepository,
    private readonly services: ServicesRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async offer(
    principal: Principal,
    operatorId: string,
    projectId: string,
    developerBps: number,
  ): Promise<AgreementDto> {
    return this.dataSource.transaction(async (manager) => {
      const now = new Date();
      if (!(await this.projects.exists(manager, projectId)))
        throw CatalogError.invalid('unknown_project', `no such project: ${projectId}`, 'projectId');
      const locked = await this.agreements.lockOfOperator(manager, projectId, operatorId);
      if (!locked) {
        const agreement = toAgreementDto(
          await this.agreements.create(manager, {
            id: uuidV7(),
            projectId,
            operatorId,
            developerBps,
            createdBy: principal.subject,
          }),
          now,
        );
        await this.outbox.append(manager, [createEvent(AgreementMadeV1, stateOf(agreement), CATALOG_SOURCE)]);
        return agreement;
      }
      const existing = await this.settleDueTerms(manager, locked, now);
      if (declaredTerms(existing).developerBps === developerBps) return toAgreementDto(existing, now);
      return this.change(manager, existing, 'operator', { developerBps, binding: false }, now);
    });
  }

  async setBinding(
    organizationId: string,
    projectId: string,
    agreementId: string,
    binding: boolean,
  ): Promise<AgreementDto> {
    return this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const locked = await this.agreements.lockOfProjectOwner(
        manager,
        agreementId,
        projectId,
        organizationId,
      );
      if (!locked) throw CatalogError.notFound('agreement_not_found', 'This project has no such agreement.');
      const current = await this.settleDueTerms(manager, locked, now);
      const declared = declaredTerms(current);
      if (declared.binding === binding) return toAgreementDto(current, now);
      if (binding) await this.assertMayBind(manager, current);
      return this.change(manager, current, 'project', { developerBps: declared.developerBps, binding }, now);
    });
  }

  /** A platform admin lets an operator's agreement become binding without it running a service of the project. */
  async approveBinding(principal: Principal, agreementId: string): Promise<AgreementDto> {
    const agreement = await this.agreements.approveBinding(
      this.dataSource.manager,
      agreementId,
      principal.subject,
    );
    if (!agreement) throw CatalogError.notFound('agreement_not_found', 'No such agreement.');
    return toAgreementDto(agreement, new Date());
  }

  async ofProject(projectId: string): Promise<AgreementDto[]> {
    const agreements = await this.agreements.ofProject(this.dataSource.manager, projectId);
    const now = new Date();
    return agreements.map((agreement) => toAgreementDto(agreement, now));
  }

  /** Applies new terms now, or from the next period when they cut another party's share (with the notice). */
  private async change(
    manager: EntityManager,
    current: Agreement,
    by: 'operator' | 'project',
    wanted: AgreementTerms,
    now: Date,
  ): Promise<AgreementDto> {
    const inForce = current.terms;
    const cuts = agreementCuts(by, inForce, wanted);
    const scheduled = cuts.length > 0 ? { ...wanted, from: cutEffectiveFrom(now) } : null;
    const applied = scheduled ? inForce : wanted;
    const agreement = toAgreementDto(
      await this.agreements.setTerms(manager, current.id, applied, scheduled),
      now,
    );
    const events: CloudEvent[] = [
      createEvent(AgreementUpdatedV1, stateOf(agreement), { ...CATALOG_SOURCE, time: now }),
    ];
    // A new schedule is the notice of a cut; replacing or dropping one says what holds from its period instead.
    const noticeFrom = scheduled?.from ?? current.scheduledTerms?.from ?? null;
    if (noticeFrom !== null)
      events.push(
        createEvent(
          AgreementTermsScheduledV1,
          {
            agreementId: current.id,
            projectId: current.projectId,
            operatorId: current.operatorId,
            effectiveFrom: noticeFrom,
            developerBps: wanted.developerBps,
            binding: wanted.binding,
            previousDeveloperBps: inForce.developerBps,
            previousBinding: inForce.binding,
            cuts,
          },
          { ...CATALOG_SOURCE, time: now },
        ),
      );
    await this.outbox.append(manager, events);
    return agreement;
  }

  /**
   * A binding makes every operator of the project pay its share: only an operator that runs an active service of
   * the project may set it (else a sock-puppet operator could bind everyone to 100%), unless an admin approved it.
   */
  private async assertMayBind(manager: EntityManager, agreement: Agreement): Promise<void> {
    if (agreement.bindingApprovedAt !== null) return;
    if (!(await this.services.runsActiveServiceOf(manager, agreement.operatorId, agreement.projectId)))
      throw CatalogError.conflict(
        'operator_runs_no_service_of_project',
        'The operator of this agreement runs no active service of the project; a platform admin must approve it for binding.',
        'binding',
      );
  }

  /** Terms scheduled for a period that has begun are the ones in force: write them so. */
  private async settleDueTerms(manager: EntityManager, agreement: Agreement, now: Date): Promise<Agreement> {
    if (!scheduleDue(agreement.scheduledTerms?.from ?? null, now)) return agreement;
    return this.agreements.settleScheduledTerms(manager, agreement.id);
  }
}

/** The latest terms agreed: the scheduled ones if any wait, else those in force. */
const declaredTerms = (agreement: Agreement): AgreementTerms => agreement.scheduledTerms ?? agreement.terms;

const stateOf = (agreement: AgreementDto) => ({
  agreementId: agreement.id,
  projectId: agreement.projectId,
  operatorId: agreement.operatorId,
  developerBps: agreement.developerBps,
  binding: agreement.binding,
});

function toAgreementDto(agreement: Agreement, now: Date): AgreementDto {
  const { scheduledTerms } = agreement;
  const due = scheduledTerms !== null && scheduleDue(scheduledTerms.from, now);
  const terms = due ? scheduledTerms : agreement.terms;
  return {
    id: agreement.id,
    projectId: agreement.projectId,
    operatorId: agreement.operatorId,
    developerBps: terms.developerBps,
    binding: terms.binding,
    scheduledTerms:
      scheduledTerms === null || due
        ? null
        : {
            developerBps: scheduledTerms.developerBps,
            binding: scheduledTerms.binding,
            effectiveFrom: scheduledTerms.from,
          },
    bindingApproved: agreement.bindingApprovedAt !== null,
    createdAt: agreement.createdAt.toISOString(),
    updatedAt: agreement.updatedAt.toISOString(),
  };
}
