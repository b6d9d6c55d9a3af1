import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/** Flips readiness to 503 the moment shutdown begins, so the gateway stops routing here first. */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  markDraining(): void {
    this.draining = true;
  }

  beforeApplicationShutdown(): void {
    this.draining = true;
  }
}
