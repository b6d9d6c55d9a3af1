import { Controller, Get } from '@nestjs/common';
import { Public } from '@onecommons/auth';
import { DeliverableTypes, type EventTypeDto } from './deliverable-types.js';

@Controller('v1/event-types')
export class EventTypesController {
  constructor(private readonly types: DeliverableTypes) {}

  /** The events an endpoint may subscribe to, and their audience (`admins` types are for platform endpoints). */
  @Get()
  @Public()
  list(): { items: EventTypeDto[] } {
    return { items: this.types.catalogue() };
  }
}
