const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
const CHECK_VIOLATION = '23514';

const codeOf = (error: unknown) =>
  (error as { driverError?: { code?: string }; code?: string }).driverError?.code ??
  (error as { code?: string }).code;

export const isUniqueViolation = (error: unknown) => codeOf(error) === UNIQUE_VIOLATION;
export const isForeignKeyViolation = (error: unknown) => codeOf(error) === FOREIGN_KEY_VIOLATION;
export const isCheckViolation = (error: unknown) => codeOf(error) === CHECK_VIOLATION;
