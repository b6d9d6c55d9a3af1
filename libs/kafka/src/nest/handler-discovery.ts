import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { type EventContract } from '@onecommons/contracts';
import { type EventBatchHandlerFunction, type EventHandlerFunction } from '../consumer/event-context.js';
import { EventHandlerRegistry } from '../consumer/event-handler-registry.js';
import { ON_EVENT_BATCH_METADATA } from '../consumer/on-event-batch.decorator.js';
import { ON_EVENT_METADATA } from '../consumer/on-event.decorator.js';

/** Finds every `@OnEvent` and `@OnEventBatch` method among the app's providers and registers it. */
@Injectable()
export class HandlerDiscovery implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly registry: EventHandlerRegistry,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = (instance as Record<string, unknown>)[methodName];
        if (typeof method !== 'function') continue;
        const name = `${instance.constructor.name}.${methodName}`;
        const contract = this.reflector.get<EventContract<unknown> | undefined>(ON_EVENT_METADATA, method);
        if (contract) {
          this.registry.register(name, contract, (method as EventHandlerFunction<unknown>).bind(instance));
        }
        const batchContract = this.reflector.get<EventContract<unknown> | undefined>(
          ON_EVENT_BATCH_METADATA,
          method,
        );
        if (batchContract) {
          const handler = (method as EventBatchHandlerFunction<unknown>).bind(instance);
          this.registry.registerBatch(name, batchContract, handler);
        }
      }
    }
  }
}
