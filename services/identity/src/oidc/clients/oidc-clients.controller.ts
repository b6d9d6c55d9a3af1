import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { CurrentPrincipal, type Principal, RequireOrganization } from '@onecommons/auth';
import { ApiErrors, UuidParamPipe } from '@onecommons/service-kit';
import {
  type OidcClientDto,
  type OidcClientWithSecretDto,
  type RegisterClientDto,
  registerClientSchema,
  type UpdateClientDto,
  updateClientSchema,
} from './dto.js';
import { OidcClients } from './oidc-clients.service.js';

/**
 * The OpenID clients of an operator's services ("Sign in with OneCommons"). Members read them; only owners
 * register, change, rotate and delete. Client ids are UUIDs.
 */
@Controller('v1/organizations/:organizationId/oidc-clients')
export class OidcClientsController {
  constructor(private readonly clients: OidcClients) {}

  /** The answer holds the client secret, which is never shown again. */
  @Post()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  @RequireOrganization({ param: 'organizationId', roles: ['owner'] })
  @ApiErrors(400, 403, 409)
  register(
    @CurrentPrincipal() principal: Principal,
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Body({ schema: registerClientSchema }) body: RegisterClientDto,
  ): Promise<OidcClientWithSecretDto> {
    return this.clients.register(principal, organizationId, body);
  }

  @Get()
  @RequireOrganization({ param: 'organizationId' })
  async list(
    @Param('organizationId', UuidParamPipe) organizationId: string,
  ): Promise<{ items: OidcClientDto[] }> {
    return { items: await this.clients.list(organizationId) };
  }

  @Get(':clientId')
  @RequireOrganization({ param: 'organizationId' })
  @ApiErrors(404)
  find(
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Param('clientId', UuidParamPipe) clientId: string,
  ): Promise<OidcClientDto> {
    return this.clients.find(organizationId, clientId);
  }

  /** Redirect URIs take effect at once: an authorization request must name one of the new list exactly. */
  @Patch(':clientId')
  @RequireOrganization({ param: 'organizationId', roles: ['owner'] })
  @ApiErrors(400, 404)
  update(
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Param('clientId', UuidParamPipe) clientId: string,
    @Body({ schema: updateClientSchema }) body: UpdateClientDto,
  ): Promise<OidcClientDto> {
    return this.clients.update(organizationId, clientId, body);
  }

  /** A new secret, shown once; the old one stops working at once. */
  @Post(':clientId/secret')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @RequireOrganization({ param: 'organizationId', roles: ['owner'] })
  @ApiErrors(404)
  rotateSecret(
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Param('clientId', UuidParamPipe) clientId: string,
  ): Promise<OidcClientWithSecretDto> {
    return this.clients.rotateSecret(organizationId, clientId);
  }

  /** Ends every grant and token issued to the client. */
  @Delete(':clientId')
  @HttpCode(204)
  @RequireOrganization({ param: 'organizationId', roles: ['owner'] })
  @ApiErrors(404)
  remove(
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Param('clientId', UuidParamPipe) clientId: string,
  ): Promise<void> {
    return this.clients.remove(organizationId, clientId);
  }
}
