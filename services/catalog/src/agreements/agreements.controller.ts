import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  Authenticated,
  CurrentPrincipal,
  type Principal,
  RequireOrganization,
  RequirePlatformRole,
} from '@onecommons/auth';
import { UuidParamPipe } from '@onecommons/service-kit';
import { z } from 'zod';
import { bpsInputSchema } from '../weights.js';
import { type AgreementDto, AgreementsService } from './agreements.service.js';

const offerSchema = z.strictObject({
  projectId: z.uuid({ error: 'must be a project id' }),
  developerBps: bpsInputSchema,
});
const bindingSchema = z.strictObject({ binding: z.boolean({ error: 'must be true or false' }) });

@Controller('v1')
export class AgreementsController {
  constructor(private readonly agreements: AgreementsService) {}

  /** An operator offers (or changes) the developer share it gives a project. */
  @Post('organizations/:organizationId/agreements')
  @HttpCode(200)
  @RequireOrganization({ param: 'organizationId', roles: ['owner'], kinds: ['operator'] })
  offer(
    @CurrentPrincipal() principal: Principal,
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Body({ schema: offerSchema }) body: z.output<typeof offerSchema>,
  ): Promise<AgreementDto> {
    return this.agreements.offer(principal, organizationId, body.projectId, body.developerBps);
  }

  /** The project's owners make an agreement binding on every operator (or release it). */
  @Patch('organizations/:organizationId/projects/:projectId/agreements/:agreementId')
  @RequireOrganization({ param: 'organizationId', roles: ['owner'], kinds: ['developer'] })
  setBinding(
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Param('projectId', UuidParamPipe) projectId: string,
    @Param('agreementId', UuidParamPipe) agreementId: string,
    @Body({ schema: bindingSchema }) body: z.output<typeof bindingSchema>,
  ): Promise<AgreementDto> {
    return this.agreements.setBinding(organizationId, projectId, agreementId, body.binding);
  }

  /**
   * A platform admin approves an operator's agreement for binding although the operator runs no active service
   * of the project (docs/trust-rules.md); the project still decides whether to make it binding.
   */
  @Post('agreements/:agreementId/binding-approval')
  @HttpCode(200)
  @RequirePlatformRole('admin')
  approveBinding(
    @CurrentPrincipal() principal: Principal,
    @Param('agreementId', UuidParamPipe) agreementId: string,
  ): Promise<AgreementDto> {
    return this.agreements.approveBinding(principal, agreementId);
  }

  @Get('projects/:projectId/agreements')
  @Authenticated()
  async ofProject(@Param('projectId', UuidParamPipe) projectId: string): Promise<{ items: AgreementDto[] }> {
    return { items: await this.agreements.ofProject(projectId) };
  }
}
