import { type DynamicModule, type InjectionToken, Module, type ModuleMetadata } from '@nestjs/common';
import { type AccessTokenVerifier } from '../access-token-verifier.js';
import { AccessTokenGuard } from './access-token.guard.js';
import { ACCESS_TOKEN_VERIFIER } from './tokens.js';

export interface AuthModuleOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: InjectionToken[];
  readonly useFactory: (...dependencies: never[]) => AccessTokenVerifier;
}

/** Provides the access-token verifier and guard to a service (global: every controller can use them). */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: ACCESS_TOKEN_VERIFIER, inject: options.inject ?? [], useFactory: options.useFactory },
        AccessTokenGuard,
      ],
      exports: [ACCESS_TOKEN_VERIFIER, AccessTokenGuard],
    };
  }
}
