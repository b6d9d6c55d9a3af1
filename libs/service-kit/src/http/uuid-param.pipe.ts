import { type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { SharedError } from '../errors/shared-errors.js';

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A route parameter that must be a UUID: anything else is a 400 naming the parameter, not a 500 from SQL. */
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!UUID_PATTERN.test(value))
      throw SharedError.invalid('validation_failed', 'must be a UUID', metadata.data ?? 'id');
    return value.toLowerCase();
  }
}
