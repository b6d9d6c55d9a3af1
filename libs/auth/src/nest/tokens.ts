export const ACCESS_TOKEN_VERIFIER = Symbol('onecommons:access-token-verifier');
export const API_KEY_SOURCE = Symbol('onecommons:api-key-source');
export const ACCESS_DIRECTORY = Symbol('onecommons:access-directory');
export const INTERNAL_CREDENTIAL = Symbol('onecommons:internal-credential');
