import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { InternalOnly, type LiveAccessAnswer } from '@onecommons/auth';
import { UUID_PATTERN } from '@onecommons/service-kit';
import { z } from 'zod';
import { MembershipDirectory } from '../directory/membership-directory.js';

export const liveAccessQuestionSchema = z.strictObject({
  accountId: z.uuid({ error: 'must be an account id (UUID)' }),
  /** A route parameter as the asking service saw it: anything but a UUID is simply no membership. */
  organizationId: z.string({ error: 'must be a string' }).max(200).optional(),
});

/** For the platform's services (the gateway does not route `/internal/`); the internal credential is required. */
@Controller('v1/internal')
export class InternalAccessController {
  constructor(private readonly directory: MembershipDirectory) {}

  /**
   * What an account is right now: its platform roles and, when asked, its membership in one organization.
   * Services that move money ask on every request, so a revoked role or a removed member stops at once.
   */
  @Post('access')
  @HttpCode(200)
  @InternalOnly()
  async access(
    @Body({ schema: liveAccessQuestionSchema }) body: z.output<typeof liveAccessQuestionSchema>,
  ): Promise<LiveAccessAnswer> {
    const { accountId, organizationId } = body;
    const [platformRoles, membership] = await Promise.all([
      this.directory.platformRolesOfAccount(accountId),
      organizationId !== undefined && UUID_PATTERN.test(organizationId)
        ? this.directory.membershipOfAccount(accountId, organizationId)
        : Promise.resolve(null),
    ]);
    return { platformRoles, membership };
  }
}
